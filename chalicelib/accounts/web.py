"""Sessions on the web: the cookie, who is signed in, and CSRF protection.

The session cookie is `__Host-` prefixed, Secure, HttpOnly, SameSite=Lax and has no Expires or
Max-Age, so it ends when the browser closes (P9); it carries only the random session id.
State-changing requests from a signed-in browser carry the session's CSRF token (a form field,
or the X-CSRF-Token header for the API); the HTTP middleware also refuses cross-site posts.
"""

from chalicelib import errors, services
from chalicelib.i18n import N_
from chalicelib.tokens_compare import same_secret

SESSION_COOKIE = "__Host-session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_CALLER = "_mailexpert_caller"


def session_cookie(session_id: str) -> str:
    return f"{SESSION_COOKIE}={session_id}; Path=/; Secure; HttpOnly; SameSite=Lax"


def expired_session_cookie() -> str:
    return f"{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"


def signed_in(request):
    """(account, session) of the request's session cookie, or None; looked up once per request."""
    if not hasattr(request, _CALLER):
        from chalicelib.http import cookies

        setattr(request, _CALLER, services.account_service().signed_in(cookies(request).get(SESSION_COOKIE)))
    return getattr(request, _CALLER)


def require_signed_in(request):
    caller = signed_in(request)
    if caller is None:
        raise errors.NotAuthenticated()
    return caller


def check_csrf(request, session, form: dict | None = None) -> None:
    sent = (form or {}).get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not same_secret(sent, session.csrf_token):
        raise errors.Forbidden(N_("This form has expired. Reload the page and try again."))
