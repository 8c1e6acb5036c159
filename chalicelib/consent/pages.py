"""The cookie banner's form and the cookie settings page, `/cookies` (P9).

The banner (`snippets/consent_banner.html`, in the base layout of every page while no valid choice
exists) and `/cookies` post the same form to `POST /consent`: `choice` is `essential`, `all` or
`custom` (then the `analytics` and `marketing` boxes say what), `next` the page to return to. It
works without JavaScript: the answer sets the cookies and sends the browser back (303, only ever to a
path on this site). `static/consent.js` posts it with fetch instead and asks for JSON, so the banner
just goes away.

Two cookies, both essential (they only remember the choice): `mx_consent`, the choice itself, which
the page's scripts read (so not HttpOnly), and `__Host-consent-id`, the random id under which each
choice is recorded (`chalicelib.consent.service`), which no script needs.
"""

import json

from chalice.app import Response

from chalicelib import errors
from chalicelib.consent.service import valid_consent_id
from chalicelib.errors import FieldError
from chalicelib.forms import messages_by_field
from chalicelib.http import html
from chalicelib.i18n import N_
from chalicelib.web import consent_cookie, render_page
from chalicelib.web.consent_banner import safe_return_path
from chalicelib.web.consent_cookie import ConsentChoice

ID_COOKIE = "__Host-consent-id"
CHOICES = ("essential", "all", "custom")
TICKED = ("on", "1")  # what a ticked checkbox sends (browsers: "on")
SAVED_PATH = "/cookies?saved=1"
NOT_A_CHOICE = N_("Choose one of the buttons: essential cookies only, accept all, or save your own choice.")
NOT_A_TICK = N_("This box can only be ticked or not.")


def parse_choice(form: dict) -> ConsentChoice:
    """The choice a posted form makes; ValidationFailed (422) naming the field for anything else."""
    problems = []
    choice = form.get("choice")
    if choice not in CHOICES:
        problems.append(FieldError("choice", NOT_A_CHOICE))
    for box in ("analytics", "marketing"):
        if form.get(box) not in (None, "", *TICKED):
            problems.append(FieldError(box, NOT_A_TICK))
    if problems:
        raise errors.ValidationFailed(field_errors=problems)
    if choice == "all":
        return ConsentChoice(analytics=True, marketing=True)
    if choice == "essential":
        return ConsentChoice()
    return ConsentChoice(analytics=form.get("analytics") in TICKED, marketing=form.get("marketing") in TICKED)


def choice_cookies(choice: ConsentChoice, consent_id: str) -> list[str]:
    """Set-Cookie values: the choice (readable by scripts) and the consent id (HttpOnly)."""
    lifetime = f"Path=/; Max-Age={consent_cookie.MAX_AGE_SECONDS}; Secure; SameSite=Lax"
    return [f"{consent_cookie.COOKIE}={choice.value}; {lifetime}", f"{ID_COOKIE}={consent_id}; {lifetime}; HttpOnly"]


def submit_choice(form: dict, visit) -> Response:
    """Record the posted choice, set its cookies, and go back (or answer JSON to the banner's script)."""
    wants_json = "application/json" in (visit.request.headers.get("accept") or "")
    try:
        choice = parse_choice(form)
    except errors.ValidationFailed as invalid:
        return cookies_page(visit, field_errors=messages_by_field(invalid), status=422)
    record = visit.services.consent.record_choice(
        choice, consent_id=visit.cookie(ID_COOKIE), previous=consent_cookie.parse(visit.cookie(consent_cookie.COOKIE)),
        ip=visit.ip)
    for cookie in choice_cookies(choice, record.consent_id):
        visit.queue_cookie(cookie)
    if wants_json:
        return Response(body=json.dumps({"consent": choice.value, "analytics": choice.analytics,
                                         "marketing": choice.marketing}),
                        status_code=200, headers={"Content-Type": "application/json", "Cache-Control": "no-store"})
    return Response(body="", status_code=303, headers={"Location": safe_return_path(form.get("next"))})


def cookies_page(visit, *, saved: bool = False, field_errors=None, status: int = 200) -> Response:
    """Every cookie MailExpert sets, what analytics and marketing mean, and the choice to make or change."""
    from chalicelib.accounts import remember, web
    from chalicelib.consent.service import RECORD_RETENTION
    from chalicelib.http import LANGUAGE_COOKIE_MAX_AGE_S
    from chalicelib.i18n import LANGUAGE_COOKIE

    consent_id = visit.cookie(ID_COOKIE)
    return html(render_page(
        "pages/cookies.html", choice=consent_cookie.parse(visit.cookie(consent_cookie.COOKIE)),
        consent_id=consent_id if valid_consent_id(consent_id) else None, saved=saved, errors=field_errors or {},
        session_cookie=web.SESSION_COOKIE, remember_cookie=remember.COOKIE, remember_days=remember.REMEMBER_FOR.days,
        held_login_cookie=web.HELD_LOGIN_COOKIE, held_login_minutes=web.HELD_LOGIN_MAX_AGE_S // 60,
        language_cookie=LANGUAGE_COOKIE, language_days=LANGUAGE_COOKIE_MAX_AGE_S // 86400,
        consent_cookie=consent_cookie.COOKIE, consent_id_cookie=ID_COOKIE,
        consent_days=consent_cookie.MAX_AGE_SECONDS // 86400, record_days=RECORD_RETENTION.days),
        status=status)
