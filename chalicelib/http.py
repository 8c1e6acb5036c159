"""What every HTTP request goes through: language, log context, errors, security headers.

Registered in `app.py` as Chalice 'http' middleware. Pages get a strict Content-Security-Policy
(no inline scripts or styles anywhere), every other response one that allows nothing, every
response gets HSTS and friends (tests/integration/test_security_headers_on_every_route.py), and any error
(ours, Chalice's own, or an unexpected one) leaves as problem details or a friendly page. Query
and path parameters holding a control character are refused here, for every route.
"""

import json
from urllib.parse import urlencode, urlsplit

from chalice.app import Response

from chalicelib import errors, i18n, validation
from chalicelib.i18n import N_
from chalicelib.observability import Stopwatch, bind_invocation, flush_metrics, logger, tracer

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# The one page other sites may show in a frame: a list's sign-up form (/f/<list_id>), which
# customers embed in their websites. Framing it cannot sign anyone up unseen: sign-ups are confirmed
# by mail (double opt-in). Served over HTTPS sites only; X-Frame-Options is left off for it.
EMBEDDABLE_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors https:")
# What every other answer (JSON, redirects, files, images) may do if a browser opens it as a page:
# nothing (OWASP's REST Security Cheat Sheet).
NON_PAGE_CONTENT_SECURITY_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
LANGUAGE_COOKIE_MAX_AGE_S = 365 * 24 * 3600
HTML = "text/html; charset=utf-8"


def html(body: str, status: int = 200, headers=None) -> Response:
    return Response(body=body, status_code=status, headers={"Content-Type": HTML, **(headers or {})})


_PENDING_COOKIES = "_mailexpert_pending_cookies"


def queue_cookie(request, cookie: str) -> None:
    """A cookie to set on whatever response this request gets (even an error or a redirect)."""
    pending = getattr(request, _PENDING_COOKIES, None)
    if pending is None:
        pending = []
        setattr(request, _PENDING_COOKIES, pending)
    pending.append(cookie)


def add_cookie(response: Response, cookie: str) -> None:
    """Add a Set-Cookie header, keeping any the view set (Chalice sends lists as separate headers)."""
    existing = response.headers.get("Set-Cookie")
    if existing is None:
        response.headers["Set-Cookie"] = cookie
    else:
        response.headers["Set-Cookie"] = (existing if isinstance(existing, list) else [existing]) + [cookie]


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def client_ip(request) -> str | None:
    return (request.context.get("identity") or {}).get("sourceIp")


def cookies(request) -> dict[str, str]:
    from http.cookies import CookieError, SimpleCookie

    jar = SimpleCookie()
    try:
        jar.load(request.headers.get("cookie", ""))
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def http_middleware(request, get_response):
    stopwatch = Stopwatch()
    path = request.context.get("path") or request.path
    bind_invocation(route=request.path, request_id=request.context.get("requestId"))
    tracer()  # where tracing is on, the first call patches botocore so AWS calls show in X-Ray
    query = request.query_params or {}
    requested_language = query.get("lang")
    language = i18n.negotiate_language(requested_language, cookies(request).get(i18n.LANGUAGE_COOKIE),
                                       request.headers.get("accept-language"))
    i18n.set_language(language)
    from chalicelib.web import consent_banner

    consent_banner.bind(cookies(request), path, query, request.headers)  # the cookie banner of pages (P9)
    try:
        refuse_cross_site(request)
        refuse_unstorable_parameters(request)
        response = get_response(request)
        response = _restyle_chalice_error(response, path)
    except errors.DomainError as error:
        response = error_response(error, path)
    except Exception:  # the last line of defence: log it, show no internals
        logger.exception("unhandled error")
        response = error_response(errors.InternalError(), path)
    for cookie in getattr(request, _PENDING_COOKIES, ()):
        add_cookie(response, cookie)
    if requested_language in i18n.LANGUAGES:
        add_cookie(response, f"{i18n.LANGUAGE_COOKIE}={requested_language}; Path=/; "
                             f"Max-Age={LANGUAGE_COOKIE_MAX_AGE_S}; Secure; SameSite=Lax")
    embeddable = response.headers.get("Content-Security-Policy") == EMBEDDABLE_CONTENT_SECURITY_POLICY
    response.headers.update({k: v for k, v in SECURITY_HEADERS.items()
                             if k not in response.headers and not (embeddable and k == "X-Frame-Options")})
    response.headers.setdefault("Content-Language", language)
    if response.headers.get("Content-Type", "").startswith("text/html"):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Cache-Control", "no-store")
    else:
        response.headers.setdefault("Content-Security-Policy", NON_PAGE_CONTENT_SECURITY_POLICY)
    logger.info("request handled", method=request.method, status=response.status_code,
                latency_ms=stopwatch.elapsed_ms, ip=client_ip(request))
    flush_metrics()
    return response


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


# Posts that other sites may make: sign-up forms embedded in customers' websites, and
# one-click unsubscribes. Neither uses a session; the list id or the signed token is the key.
CROSS_SITE_PATHS = ("/f/", "/u/")


def refuse_cross_site(request) -> None:
    """Browsers say where a request comes from; state changes from other sites are refused
    (OWASP's origin check, beside SameSite cookies and CSRF tokens)."""
    path = request.context.get("path") or request.path
    if request.method in SAFE_METHODS or path.startswith(CROSS_SITE_PATHS):
        return
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise errors.Forbidden(N_("Requests from other websites are not accepted here."))
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise errors.Forbidden(N_("Requests from other websites are not accepted here."))


def refuse_unstorable_parameters(request) -> None:
    """Query and path parameters may be stored (an image's ?name=): like every body, they hold no
    control characters (chalicelib.validation); the parameter is named in the refusal."""
    query = request.query_params or {}
    values = {name: "".join(query.getlist(name)) if hasattr(query, "getlist") else query[name] for name in query}
    validation.refuse_unstorable(request.uri_params or {})
    validation.refuse_unstorable(values)


def error_response(error: errors.DomainError, path: str) -> Response:
    if error.status >= 500:
        logger.error("request failed", status=error.status, error_code=error.code)
    else:
        logger.info("request refused", status=error.status, error_code=error.code)
    if isinstance(error, errors.AccountDeactivated) and not is_api_path(path):
        return Response(body="", status_code=303, headers={"Location": "/reactivate"})
    if isinstance(error, errors.NotAuthenticated) and not is_api_path(path):
        query = {"next": path, **({"notice": error.params["notice"]} if "notice" in error.params else {})}
        return Response(body="", status_code=303, headers={"Location": "/login?" + urlencode(query)})
    if is_api_path(path):
        body = errors.problem_details(error, path, i18n.gettext)
        return Response(body=json.dumps(body), status_code=error.status,
                        headers={"Content-Type": errors.PROBLEM_CONTENT_TYPE, **error.headers})
    from chalicelib.web import render_page

    # Subscribers' pages (sign-up forms, unsubscribe links) fail in their own layout: no log-in header
    page = render_page("pages/error.html", problem=errors.problem_details(error, path, i18n.gettext),
                       subscriber_page=path.startswith(CROSS_SITE_PATHS), sender="")
    return html(page, status=error.status, headers=error.headers)


def _restyle_chalice_error(response: Response, path: str) -> Response:
    """Chalice answers some failures itself ({"Code", "Message"}): give them our shape too."""
    body = response.body
    if response.status_code < 400 or not (isinstance(body, dict) and {"Code", "Message"} <= body.keys()):
        return response
    error_class = errors.error_for_status(response.status_code)
    message = "The request body is not valid JSON." if body["Message"] == "Error Parsing JSON" else None
    restyled = error_response(error_class(message), path)
    restyled.headers.update({k: v for k, v in response.headers.items() if k.lower() == "allow"})
    return restyled


def event_middleware(event, get_response):
    """Log context for non-HTTP events (SQS, SNS, schedules): handler name and invocation id."""
    context = getattr(event, "context", None)
    request_id = getattr(context, "aws_request_id", None)
    bind_invocation(route=getattr(context, "function_name", None) or type(event).__name__,
                    request_id=request_id)
    tracer()
    try:
        return get_response(event)
    finally:
        flush_metrics()
