"""Sessions on the web: the cookies, who is signed in, and CSRF protection.

The session cookie is `__Host-` prefixed, Secure, HttpOnly, SameSite=Lax and has no Expires or
Max-Age, so it ends when the browser closes (P9); it carries only the random session id. A
browser that comes back with a remember-me cookie and no session gets a new session and a
rotated remember-me cookie (`chalicelib.accounts.remember`).
State-changing requests from a signed-in browser carry the session's CSRF token (a form field,
or the X-CSRF-Token header for the API); the HTTP middleware also refuses cross-site posts.
"""

from typing import NamedTuple

from chalicelib import errors
from chalicelib.accounts import remember
from chalicelib.http import client_ip
from chalicelib.i18n import N_
from chalicelib.tokens_compare import same_secret

SESSION_COOKIE = "__Host-session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
THEFT_NOTICE = "devices-signed-out"
_CALLER = "_mailexpert_caller"
_THEFT = "_mailexpert_remember_theft"


def session_cookie(session_id: str) -> str:
    return f"{SESSION_COOKIE}={session_id}; Path=/; Secure; HttpOnly; SameSite=Lax"


def expired_session_cookie() -> str:
    return f"{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"


HELD_LOGIN_COOKIE = "__Host-held-login"
HELD_LOGIN_MAX_AGE_S = 300


def held_login_cookie(token: str) -> str:
    return f"{HELD_LOGIN_COOKIE}={token}; Path=/; Max-Age={HELD_LOGIN_MAX_AGE_S}; Secure; HttpOnly; SameSite=Strict"


def expired_held_login_cookie() -> str:
    return f"{HELD_LOGIN_COOKIE}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict"


def device_of(request) -> str:
    return (request.headers.get("user-agent") or "unknown device")[:120]


def set_sign_in_cookies(request, sign_in) -> None:
    from chalicelib.http import queue_cookie

    queue_cookie(request, session_cookie(sign_in.session.session_id))
    if sign_in.remember:
        queue_cookie(request, remember.remember_cookie(*sign_in.remember))


def signed_in(request, service):
    """(account, session) of the request, or None; looked up once per request in the account service."""
    if not hasattr(request, _CALLER):
        setattr(request, _CALLER, _resolve(request, service))
    return getattr(request, _CALLER)


def _resolve(request, service):
    from chalicelib.http import client_ip, cookies, queue_cookie

    jar = cookies(request)
    caller = service.signed_in(jar.get(SESSION_COOKIE))
    if caller is not None or remember.COOKIE not in jar:
        return caller
    try:
        sign_in = service.sign_in_remembered(jar.get(remember.COOKIE), client_ip(request))
    except remember.TheftSuspected:
        setattr(request, _THEFT, True)
        sign_in = None
    if sign_in is None:
        queue_cookie(request, remember.forget_cookie())
        return None
    set_sign_in_cookies(request, sign_in)
    return sign_in.account, sign_in.session


def require_signed_in(request, service):
    caller = signed_in(request, service)
    if caller is None:
        if getattr(request, _THEFT, False):
            raise errors.NotAuthenticated(N_("For your safety we signed you out on every device. Please log in "
                                             "again and change your password."), notice=THEFT_NOTICE)
        raise errors.NotAuthenticated()
    return caller


def check_csrf(request, session, form: dict | None = None) -> None:
    sent = (form or {}).get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not same_secret(sent, session.csrf_token):
        raise errors.Forbidden(N_("This form has expired. Reload the page and try again."))


class ApiCaller(NamedTuple):
    """Who makes a signed-in API request."""

    account: object
    session: object
    ip: str | None  # the client's address, for the audit log


def api_caller(services):
    """For `ApiRoutes`: the `ApiCaller` of a signed-in API request, whose changes carry the
    session's CSRF token in a header. `services` gives the composition root's services."""
    def caller(request, changes_state: bool) -> ApiCaller:
        account, session = require_signed_in(request, services().account_service)
        if changes_state:
            check_csrf(request, session)
        return ApiCaller(account, session, client_ip(request))

    return caller
