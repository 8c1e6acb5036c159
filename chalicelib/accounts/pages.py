"""The account pages: register, confirm the address, log in and out, overview, Settings & Options."""

from urllib.parse import urlencode, urlsplit

from chalice.app import Response

from chalicelib import errors, i18n
from chalicelib.accounts import remember, web
from chalicelib.accounts.account import PLAN_NAMES, PRODUCT_NEWS_CONSENT_TEXT
from chalicelib.accounts.schemas import ProfileIn, RegistrationIn
from chalicelib.accounts.service import InvalidCredentials
from chalicelib.api import validate_fields
from chalicelib.accounts.page_routes import Visit, redirect, render_app_page, require_active
from chalicelib.forms import messages_by_field
from chalicelib.http import html
from chalicelib.i18n import N_
from chalicelib.validation import country_choices
from chalicelib.web import render_page

REGISTRATION_FIELDS = ("name", "email", "password", "phone", "street", "postcode", "city", "country",
                       "company_name", "coc_number", "vat_number", "website")
DEFAULT_COUNTRY = "NL"


# --- registration ------------------------------------------------------------------------------

def registration_page(values=None, field_errors=None, status=200, banners=()) -> Response:
    """`banners`: announcements for everyone who signs up (`Services.public_banners`)."""
    return html(render_page("pages/register.html", values=values or {"country": DEFAULT_COUNTRY},
                            errors=field_errors or {}, countries=country_choices(), banners=banners), status=status)


def submit_registration(form: dict, visit: Visit) -> Response:
    submitted = {k: v for k, v in form.items() if k in REGISTRATION_FIELDS}
    try:
        data = validate_fields(RegistrationIn, submitted)
    except errors.ValidationFailed as invalid:
        submitted.pop("password", None)
        return registration_page(submitted, messages_by_field(invalid), status=422,
                                 banners=visit.services.public_banners())
    visit.services.account_service.register(data, i18n.current_language(), visit.ip)
    return redirect("/register/check-inbox")


def check_inbox_page() -> Response:
    return html(render_page("pages/register_done.html"))


# --- e-mail verification -----------------------------------------------------------------------

def verification_page(token: str) -> Response:
    return html(render_page("pages/verify_email.html", token=token, verified=False))


def submit_verification(form: dict, visit: Visit) -> Response:
    visit.services.account_service.verify_email(form.get("token", ""), visit.ip)
    return html(render_page("pages/verify_email.html", token="", verified=True))


def resend_verification(account, visit: Visit) -> Response:
    visit.services.account_service.resend_verification(account)
    return redirect("/app?resent=1")


# --- logging in and out ------------------------------------------------------------------------

def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another one."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/app"
    parts = urlsplit(target)
    return "/app" if parts.scheme or parts.netloc else target


LOGIN_NOTICES = {
    web.THEFT_NOTICE: N_("For your safety we signed you out on every device: someone used an old copy of your "
                         "remember-me cookie. Log in again and change your password."),
    "password-changed": N_("Your password is changed. Log in with your new password."),
}


def login_page(next_path: str | None, values=None, problem=None, status=200, notice=None,
               retry_after=None, banners=()) -> Response:
    notice_text = i18n.gettext(LOGIN_NOTICES[notice]) if notice in LOGIN_NOTICES else None
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return html(render_page("pages/login.html", next=safe_next(next_path), values=values or {}, problem=problem,
                            notice=notice_text, banners=banners), status=status, headers=headers)


def submit_login(form: dict, visit: Visit) -> Response:
    email, password = form.get("email", "").strip(), form.get("password", "")
    try:
        sign_in = visit.services.account_service.log_in(
            email, password, visit.ip, visit.cookie(web.SESSION_COOKIE),
            remember_me=form.get("remember_me") == "on", device=web.device_of(visit.request),
            hold_for_second_factor=True)
    except (InvalidCredentials, errors.TooManyRequests) as refused:
        return login_page(form.get("next"), values={"email": email, "remember_me": form.get("remember_me")},
                          problem=errors.message_text(refused), status=refused.status,
                          retry_after=refused.params.get("retry_after_s"), banners=visit.services.public_banners())
    if sign_in.held_login:
        visit.queue_cookie(web.held_login_cookie(sign_in.held_login))
        return redirect("/login/second-factor?" + urlencode({"next": safe_next(form.get("next"))}))
    web.set_sign_in_cookies(visit.request, sign_in)
    return redirect(safe_next(form.get("next")))


def second_factor_page(next_path: str | None, problem=None, status=200, retry_after=None) -> Response:
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return html(render_page("pages/login_second_factor.html", next=safe_next(next_path), problem=problem),
                status=status, headers=headers)


def submit_second_factor(form: dict, visit: Visit) -> Response:
    from chalicelib.accounts.service import InvalidSecondFactor

    try:
        sign_in = visit.services.account_service.complete_login(visit.cookie(web.HELD_LOGIN_COOKIE) or "",
                                                            form.get("code", ""), visit.ip,
                                                            visit.cookie(web.SESSION_COOKIE))
    except errors.NotAuthenticated as expired:
        return login_page(form.get("next"), problem=errors.message_text(expired), status=401)
    except (InvalidSecondFactor, errors.TooManyRequests) as refused:
        return second_factor_page(form.get("next"), problem=errors.message_text(refused), status=refused.status,
                                  retry_after=refused.params.get("retry_after_s"))
    visit.queue_cookie(web.expired_held_login_cookie())
    web.set_sign_in_cookies(visit.request, sign_in)
    return redirect(safe_next(form.get("next")))


def log_out(form: dict, visit: Visit) -> Response:
    """Logging out also forgets this device: otherwise its remember-me cookie would sign it in again.
    Anyone may log out; a signed-in browser's post needs its session's CSRF token."""
    from chalicelib.accounts.remember import forget_cookie, split

    caller = web.signed_in(visit.request, visit.services.account_service)
    if caller is not None:
        account, session = caller
        web.check_csrf(visit.request, session, form)
        remembered = split(visit.cookie(remember.COOKIE))
        visit.services.account_service.log_out(session, visit.ip, forget_device=remembered[0] if remembered else None)
    visit.queue_cookie(web.expired_session_cookie())
    visit.queue_cookie(forget_cookie())
    return redirect("/")


# --- passwords ---------------------------------------------------------------------------------

def forgot_password_page(values=None, sent=False, status=200) -> Response:
    return html(render_page("pages/password_forgot.html", values=values or {}, sent=sent), status=status)


def submit_forgot_password(form: dict, visit: Visit) -> Response:
    email = form.get("email", "").strip()
    if email:
        visit.services.account_service.request_password_reset(email, visit.ip)
    return forgot_password_page(values={"email": email}, sent=True)


def reset_password_page(token: str, field_errors=None, status=200) -> Response:
    return html(render_page("pages/password_reset.html", token=token, errors=field_errors or {}, values={}),
                status=status)


def submit_reset_password(form: dict, visit: Visit) -> Response:
    token = form.get("token", "")
    try:
        visit.services.account_service.reset_password(token, form.get("new_password", ""), visit.ip)
    except errors.ValidationFailed as invalid:
        return reset_password_page(token, messages_by_field(invalid), status=422)
    return redirect("/login?notice=password-changed")


# --- the application ---------------------------------------------------------------------------

def overview_page(account, visit: Visit) -> Response:
    resent = visit.query.get("resent") == "1"
    usage = {**visit.services.campaign_service.usage(account),
             "image_bytes": visit.services.assets.usage_bytes(account.account_id)}
    days = int(visit.query["days"]) if visit.query.get("days", "").isdigit() else 30
    return render_app_page("pages/app_overview.html", account, visit, "/app", resent=resent, usage=usage,
                           dashboard=visit.services.dashboard.overview(account, days))


SETTINGS_NOTICES = {
    "saved": N_("Your changes are saved."),
    "email-link-sent": N_("Check the inbox of your new address: open the link in our mail to make the change."),
    "product-news-saved": N_("Your choice about product news is saved."),
    "tracking-saved": N_("Your choice about counting opens and clicks is saved."),
    "plan-changed": N_("Your service package is changed."),
    "plan-changed-over-limit": N_("Your service package is changed, and applies at once. Your use is above some of "
                                  "its limits (see Usage): what you have stays, but new work over those limits is "
                                  "refused until you are below them again or choose a larger package."),
    "export-requested": N_("We are preparing your data. This page shows when it is ready."),
    "two-factor-off": N_("Two-factor authentication is off."),
    "password-changed": N_("Your password is changed. Every other device is signed out, and no device remembers "
                           "your login any more."),
    "device-forgotten": N_("That device is forgotten: it will have to log in again."),
}


def settings_page(account, visit: Visit, values=None, field_errors=None, status=200, notice=None,
                  password_errors=None, email_errors=None, deactivate_errors=None, erase_errors=None,
                  two_factor_errors=None, recovery_codes=None) -> Response:
    require_active(account)  # a deactivated holder may change the password, but sees no settings
    if values is None:
        values = {f: getattr(account, f) or "" for f in account.PROFILE_FIELDS}
    devices = visit.services.account_service.remembered_devices(account)
    notice_text = i18n.gettext(SETTINGS_NOTICES[notice]) if notice in SETTINGS_NOTICES else None
    return render_app_page("pages/settings.html", account, visit, "/settings", status=status, values=values,
                           errors=field_errors or {}, countries=country_choices(), notice=notice_text,
                           password_errors=password_errors or {}, devices=devices, email_errors=email_errors or {},
                           deactivate_errors=deactivate_errors or {}, erase_errors=erase_errors or {},
                           exports=visit.services.data_rights.exports(account), product_news_text=PRODUCT_NEWS_CONSENT_TEXT,
                           two_factor_errors=two_factor_errors or {}, recovery_codes=recovery_codes,
                           two_factor_setup=(visit.services.account_service.two_factor_setup(account)
                                       if account.totp_pending_secret and not account.two_factor else None),
                           plans=[(plan.value, name) for plan, name in PLAN_NAMES.items()])


def submit_profile(account, form: dict, visit: Visit) -> Response:
    submitted = {k: v for k, v in form.items() if k in account.PROFILE_FIELDS}
    try:
        profile = validate_fields(ProfileIn, submitted)
    except errors.ValidationFailed as invalid:
        return settings_page(account, visit, submitted, messages_by_field(invalid), status=422)
    visit.services.account_service.update_profile(account, profile, visit.ip)
    return redirect("/settings?notice=saved")


def submit_password_change(account, form: dict, visit: Visit) -> Response:
    from chalicelib.accounts.remember import forget_cookie
    from chalicelib.accounts.service import WrongPassword

    try:
        new_session = visit.services.account_service.change_password(
            account, form.get("current_password", ""), form.get("new_password", ""), visit.ip)
    except WrongPassword as wrong:
        return settings_page(account, visit, password_errors={"current_password": errors.message_text(wrong)},
                             status=403)
    except errors.ValidationFailed as invalid:
        return settings_page(account, visit, password_errors=messages_by_field(invalid), status=422)
    visit.queue_cookie(web.session_cookie(new_session.session_id))
    visit.queue_cookie(forget_cookie())  # every device is forgotten, this one too
    return redirect("/settings?notice=password-changed")


def submit_forget_device(account, form: dict, visit: Visit) -> Response:
    visit.services.account_service.forget_device(account, form.get("device", ""), visit.ip)
    return redirect("/settings?notice=device-forgotten")


def submit_product_news(account, form: dict, visit: Visit) -> Response:
    visit.services.account_service.set_product_news(account, form.get("product_news") == "on", i18n.current_language(),
                                                visit.ip)
    return redirect("/settings?notice=product-news-saved#product-news")


def submit_campaign_tracking(account, form: dict, visit: Visit) -> Response:
    visit.services.account_service.set_campaign_tracking(account, form.get("campaign_tracking") == "on",
                                                     visit.ip)
    return redirect("/settings?notice=tracking-saved#campaign-tracking")


def submit_plan(account, form: dict, visit: Visit) -> Response:
    visit.services.account_service.change_plan(account, form.get("plan", ""), visit.ip)
    over = visit.services.usage.over_limits(account)  # applies at once: say so when use is above a limit
    return redirect(f"/settings?notice={'plan-changed-over-limit' if over else 'plan-changed'}#plan")


def submit_email_change(account, form: dict, visit: Visit) -> Response:
    from chalicelib.accounts.service import WrongPassword

    try:
        visit.services.account_service.request_email_change(account, form.get("new_email", ""),
                                                        form.get("email_password", ""), visit.ip)
    except WrongPassword as wrong:
        return settings_page(account, visit, email_errors={"email_password": errors.message_text(wrong)}, status=403)
    except errors.ValidationFailed as invalid:
        return settings_page(account, visit, email_errors=messages_by_field(invalid), status=422)
    return redirect("/settings?notice=email-link-sent#email")


def email_change_page(token: str) -> Response:
    return html(render_page("pages/confirm_email_change.html", token=token, changed=False, email=""))


def submit_email_change_confirmation(form: dict, visit: Visit) -> Response:
    account = visit.services.account_service.confirm_email_change(form.get("token", ""), visit.ip)
    return html(render_page("pages/confirm_email_change.html", token="", changed=True, email=account.email))


def submit_deactivation(account, form: dict, visit: Visit) -> Response:
    from chalicelib.accounts.remember import forget_cookie
    from chalicelib.accounts.service import WrongPassword

    try:
        visit.services.account_service.deactivate(account, form.get("deactivate_password", ""), visit.ip)
    except WrongPassword as wrong:
        return settings_page(account, visit, deactivate_errors={"deactivate_password": errors.message_text(wrong)},
                             status=403)
    visit.queue_cookie(web.expired_session_cookie())
    visit.queue_cookie(forget_cookie())
    return html(render_page("pages/deactivated.html"))


def reactivation_page(account, visit: Visit) -> Response:
    if account.active:
        return redirect("/app")
    return html(render_page("pages/reactivate.html", csrf_token=visit.csrf_token, signed_in=True))


def submit_reactivation(account, visit: Visit) -> Response:
    visit.services.account_service.reactivate(account, visit.ip)
    return redirect("/app")


def submit_export_request(account, visit: Visit) -> Response:
    visit.services.data_rights.request_export(account, visit.ip)
    return redirect("/settings?notice=export-requested#data")


def download_export(account, visit: Visit, export_id: str) -> Response:
    return redirect(visit.services.data_rights.download_url(account, export_id, visit.ip))


def submit_erasure(account, form: dict, visit: Visit) -> Response:
    from chalicelib.accounts.remember import forget_cookie
    from chalicelib.accounts.service import WrongPassword

    if form.get("erase_confirm") != "on":
        return settings_page(account, visit, status=422, erase_errors={
            "erase_confirm": i18n.gettext(N_("Tick the box to confirm that you want this."))})
    try:
        visit.services.data_rights.erase(account, form.get("erase_password", ""), visit.ip)
    except WrongPassword as wrong:
        return settings_page(account, visit, erase_errors={"erase_password": errors.message_text(wrong)}, status=403)
    visit.queue_cookie(web.expired_session_cookie())
    visit.queue_cookie(forget_cookie())
    return html(render_page("pages/erased.html"))


def submit_two_factor_start(account, visit: Visit) -> Response:
    visit.services.account_service.start_two_factor_setup(account)
    return redirect("/settings#two-factor")


def submit_two_factor_confirmation(account, form: dict, visit: Visit) -> Response:
    try:
        codes = visit.services.account_service.confirm_two_factor(account, form.get("code", ""), visit.ip)
    except errors.ValidationFailed as invalid:
        return settings_page(account, visit, two_factor_errors=messages_by_field(invalid), status=422)
    return settings_page(account, visit, recovery_codes=codes)  # shown once, never stored in plain text


def submit_two_factor_disable(account, form: dict, visit: Visit) -> Response:
    from chalicelib.accounts.service import WrongPassword

    try:
        visit.services.account_service.disable_two_factor(account, form.get("disable_2fa_password", ""), visit.ip)
    except WrongPassword as wrong:
        return settings_page(account, visit, two_factor_errors={"disable_2fa_password": errors.message_text(wrong)},
                             status=403)
    return redirect("/settings?notice=two-factor-off#two-factor")
