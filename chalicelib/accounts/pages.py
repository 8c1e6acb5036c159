"""The account pages: register, confirm the address, log in and out, overview, Settings & Options."""

from urllib.parse import urlsplit

from chalice.app import Response

from chalicelib import errors, i18n, services
from chalicelib.accounts import web
from chalicelib.accounts.schemas import ProfileIn, RegistrationIn
from chalicelib.accounts.service import InvalidCredentials
from chalicelib.api import validate_fields
from chalicelib.forms import messages_by_field, parse_form
from chalicelib.http import add_cookie, client_ip, html
from chalicelib.i18n import N_
from chalicelib.validation import country_choices
from chalicelib.web import render_page

APP_NAVIGATION = (("/app", N_("Overview")), ("/settings", N_("Settings & Options")))
REGISTRATION_FIELDS = ("name", "email", "password", "phone", "street", "postcode", "city", "country",
                       "company_name", "coc_number", "vat_number", "website")
DEFAULT_COUNTRY = "NL"


def redirect(location: str) -> Response:
    return Response(body="", status_code=303, headers={"Location": location})


def _app_page(template: str, account, session, current: str, status: int = 200, **context) -> Response:
    return html(render_page(template, account=account, csrf_token=session.csrf_token, navigation=APP_NAVIGATION,
                            current=current, signed_in=True, **context), status=status)


# --- registration ------------------------------------------------------------------------------

def registration_page(values=None, field_errors=None, status=200) -> Response:
    return html(render_page("pages/register.html", values=values or {"country": DEFAULT_COUNTRY},
                            errors=field_errors or {}, countries=country_choices()), status=status)


def submit_registration(request) -> Response:
    submitted = parse_form(request.raw_body, fields=REGISTRATION_FIELDS)
    try:
        data = validate_fields(RegistrationIn, submitted)
    except errors.ValidationFailed as invalid:
        submitted.pop("password", None)
        return registration_page(submitted, messages_by_field(invalid), status=422)
    services.account_service().register(data, i18n.current_language(), client_ip(request))
    return redirect("/register/check-inbox")


def check_inbox_page() -> Response:
    return html(render_page("pages/register_done.html"))


# --- e-mail verification -----------------------------------------------------------------------

def verification_page(token: str) -> Response:
    return html(render_page("pages/verify_email.html", token=token, verified=False))


def submit_verification(request) -> Response:
    token = parse_form(request.raw_body).get("token", "")
    services.account_service().verify_email(token, client_ip(request))
    return html(render_page("pages/verify_email.html", token="", verified=True))


def resend_verification(request) -> Response:
    account, session = web.require_signed_in(request)
    web.check_csrf(request, session, parse_form(request.raw_body))
    services.account_service().resend_verification(account)
    return redirect("/app?resent=1")


# --- logging in and out ------------------------------------------------------------------------

def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another one."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/app"
    parts = urlsplit(target)
    return "/app" if parts.scheme or parts.netloc else target


def login_page(next_path: str | None, values=None, problem=None, status=200) -> Response:
    return html(render_page("pages/login.html", next=safe_next(next_path), values=values or {}, problem=problem),
                status=status)


def submit_login(request) -> Response:
    form = parse_form(request.raw_body)
    email, password = form.get("email", "").strip(), form.get("password", "")
    from chalicelib.http import cookies

    try:
        _, session = services.account_service().log_in(email, password, client_ip(request),
                                                       cookies(request).get(web.SESSION_COOKIE))
    except InvalidCredentials as refused:
        return login_page(form.get("next"), values={"email": email},
                          problem=i18n.gettext(refused.message), status=401)
    response = redirect(safe_next(form.get("next")))
    add_cookie(response, web.session_cookie(session.session_id))
    return response


def log_out(request) -> Response:
    caller = web.signed_in(request)
    if caller is not None:
        account, session = caller
        web.check_csrf(request, session, parse_form(request.raw_body))
        services.account_service().log_out(session, client_ip(request))
    response = redirect("/")
    add_cookie(response, web.expired_session_cookie())
    return response


# --- the application ---------------------------------------------------------------------------

def overview_page(request) -> Response:
    account, session = web.require_signed_in(request)
    resent = (request.query_params or {}).get("resent") == "1"
    return _app_page("pages/app_overview.html", account, session, "/app", resent=resent)


def settings_page(request, values=None, field_errors=None, status=200, saved=False) -> Response:
    account, session = web.require_signed_in(request)
    if values is None:
        values = {f: getattr(account, f) or "" for f in account.PROFILE_FIELDS}
    return _app_page("pages/settings.html", account, session, "/settings", status=status, values=values,
                     errors=field_errors or {}, countries=country_choices(), saved=saved)


def submit_profile(request) -> Response:
    account, session = web.require_signed_in(request)
    form = parse_form(request.raw_body)
    web.check_csrf(request, session, form)
    submitted = {k: v for k, v in form.items() if k in account.PROFILE_FIELDS}
    try:
        profile = validate_fields(ProfileIn, submitted)
    except errors.ValidationFailed as invalid:
        return settings_page(request, submitted, messages_by_field(invalid), status=422)
    services.account_service().update_profile(account, profile, client_ip(request))
    return redirect("/settings?saved=1")
