"""Every route the app registers answers with the security headers, whatever the answer is (P8):
pages, the API, redirects, static files, tracking links, errors (404, 405, 415, 422...), the
embeddable sign-up form, signed in and not.

The routes are read from the app itself (`app.routes`: every blueprint, the local stage's /dev/
tools too), so a route added tomorrow is checked without touching this file. Path parameters are
the signed-in account's own list and template where those are named (so the sign-up form and the
preview of customer HTML answer for real), and made-up ids elsewhere: a 404 is an answer like any
other and must carry the headers as well.
"""

import json
import re
from urllib.parse import urlencode

import pytest

from tests.integration.accounts_helpers import FORM, REGISTRATION, PASSWORD, cookie_value, post_form
from tests.integration.audience_helpers import account_with_list
from tests.integration.test_staff_pages import make_staff

ONE_YEAR_S = 365 * 24 * 3600
MADE_UP_ID = "0123456789abcdef0123456789abcdef"
PARAMETERS = {"proxy+": "no/such/page", "domain": "example.com", "action": "pause", "export": "accounts",
              "fmt": "csv", "key": "made_up_field", "token": "made-up-token", "name": "app.css"}
# Where a page may be shown inside another site's frame: the sign-up form customers embed.
EMBEDDABLE = {"/f/{list_id}"}
# Requests that end the signed-in session (or the account): made last.
SESSION_ENDING = {("POST", "/logout"), ("DELETE", "/api/v1/session"), ("DELETE", "/api/v1/me"),
                  ("POST", "/settings/erase"), ("POST", "/settings/deactivate"), ("POST", "/api/v1/me/deactivation")}
# Answers Chalice or the middleware give for no route at all: a method the address does not take,
# a body the API cannot read, a content type it does not accept.
ERRORS = [("PUT", "/", None, {}), ("DELETE", "/health", None, {}), ("POST", "/api/v1/lists", b"{not json",
                                                                  {"Content-Type": "application/json"}),
          ("POST", "/api/v1/lists", b"name=x", {"Content-Type": "text/plain"}),
          ("POST", "/api/v1/lists", b"{}", {"Content-Type": "application/json"}),
          ("GET", "/static/..%2F..%2Fapp.py", None, {}), ("GET", "/api/v1/no/such/thing", None, {})]


def _routes(app) -> list[tuple[str, str]]:
    """(method, path pattern) of every registered route: every GET first (before a POST deletes what
    it shows), those that end the session last."""
    routes = [(method, path) for path, methods in app.routes.items() for method in methods]
    return sorted(routes, key=lambda route: (route in SESSION_ENDING, route[0] != "GET", route[1], route[0]))


def _path(pattern: str, own: dict) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: own.get(m.group(1)) or PARAMETERS.get(m.group(1), MADE_UP_ID), pattern)


def _directives(policy: str) -> dict[str, str]:
    return {part.strip().split(" ", 1)[0]: (part.strip().split(" ", 1) + [""])[1]
            for part in policy.split(";") if part.strip()}


def _set_cookies(response) -> list[str]:
    found = response.headers.get("Set-Cookie") or response.headers.get("set-cookie") or []
    return found if isinstance(found, list) else [found]


def header_problems(response, pattern: str) -> list[str]:
    """What is wrong with one response's security headers (nothing: [])."""
    headers = {name.lower(): value for name, value in response.headers.items()}
    problems = []
    hsts = headers.get("strict-transport-security", "")
    max_age = re.search(r"max-age=(\d+)", hsts)
    if not max_age or int(max_age.group(1)) < ONE_YEAR_S or "includesubdomains" not in hsts.lower():
        problems.append(f"Strict-Transport-Security {hsts!r}")
    policy = headers.get("content-security-policy", "")
    directives = _directives(policy)
    if not policy or "'unsafe-inline'" in policy or "'unsafe-eval'" in policy or "default-src" not in directives:
        problems.append(f"Content-Security-Policy {policy!r}")
    ancestors = directives.get("frame-ancestors")
    if pattern in EMBEDDABLE:
        if ancestors not in ("'none'", "https:"):
            problems.append(f"frame-ancestors of the embeddable form {ancestors!r}")
    elif ancestors != "'none'" or headers.get("x-frame-options", "DENY") != "DENY":
        problems.append(f"frame-ancestors {ancestors!r}, X-Frame-Options {headers.get('x-frame-options')!r}")
    if headers.get("x-content-type-options") != "nosniff":
        problems.append(f"X-Content-Type-Options {headers.get('x-content-type-options')!r}")
    if headers.get("referrer-policy") not in ("strict-origin-when-cross-origin", "same-origin", "no-referrer",
                                              "strict-origin"):
        problems.append(f"Referrer-Policy {headers.get('referrer-policy')!r}")
    permissions = headers.get("permissions-policy", "")
    if not all(f"{feature}=()" in permissions for feature in ("camera", "microphone", "geolocation")):
        problems.append(f"Permissions-Policy {permissions!r}")
    for cookie in _set_cookies(response):
        attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
        name = cookie.split("=", 1)[0].strip()
        if "secure" not in attributes or not any(a.startswith("samesite=") for a in attributes):
            problems.append(f"cookie {name} without Secure or SameSite")
        if name.startswith("__Host-") and ("httponly" not in attributes or "path=/" not in attributes
                                           or any(a.startswith("domain=") for a in attributes)):
            problems.append(f"cookie {name} without HttpOnly or Path=/, or with a Domain")
    return problems


def _request(client, method: str, path: str, cookie: str | None, csrf: str | None):
    headers = {"Cookie": cookie} if cookie else {}
    if path.startswith("/api/"):
        if method in ("GET", "DELETE"):
            return client.request(method, path, headers={**headers, **({"X-CSRF-Token": csrf} if csrf else {})})
        return client.request(method, path, body=b"{}", headers={
            **headers, "Content-Type": "application/json", **({"X-CSRF-Token": csrf} if csrf else {})})
    if method == "GET":
        return client.get(path, headers=headers)
    return client.request(method, path, body=urlencode({"csrf_token": csrf or ""}).encode(), headers={**headers, **FORM})


# Customer HTML as mail templates are: styles inline and in a style element.
TEMPLATE_HTML = ('<html><head><style>p { color: #333; }</style></head><body style="margin:0">'
                 '<p style="font-size:16px">Hallo {{ contact.first_name }}</p></body></html>')


@pytest.fixture
def staff_member(client, app_module, aws_resources, outbox):
    """A signed-in staff member (so staff pages answer too) with a list and a template: (cookie, csrf
    token, the ids of its own things by path parameter)."""
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox,
                                              email=REGISTRATION["email"])
    make_staff()
    created = client.post("/api/v1/templates", headers={"Cookie": cookie, "X-CSRF-Token": csrf,
                                                        "Content-Type": "application/json"},
                          body=json.dumps({"name": "Nieuwsbrief", "subject": "Hallo", "html": TEMPLATE_HTML}).encode())
    assert created.status_code == 201, created.body
    return cookie, csrf, {"list_id": list_id, "template_id": json.loads(created.body)["template_id"]}


def test_every_route_has_the_security_headers_when_signed_in(client, app_module, staff_member):
    # GIVEN every route of the app, and a signed-in staff member with a list
    cookie, csrf, own = staff_member
    routes = _routes(app_module.app)
    assert len(routes) > 150 and ("GET", "/f/{list_id}") in routes and ("GET", "/{proxy+}") in routes
    failures, statuses = {}, set()
    # WHEN each is requested, with the session
    for method, pattern in routes:
        response = _request(client, method, _path(pattern, own), cookie, csrf)
        statuses.add(response.status_code)
        # THEN every answer carries the headers, and none is a server error
        problems = header_problems(response, pattern) + ([f"status {response.status_code}"]
                                                         if response.status_code >= 500 else [])
        if problems:
            failures[f"{method} {pattern} -> {response.status_code}"] = problems
    assert failures == {}
    assert {200, 303, 404, 422} <= statuses  # pages, redirects, made-up ids and refused forms were all seen


def test_every_route_has_the_security_headers_when_not_signed_in(client, app_module, aws_resources):
    # GIVEN every route of the app, and a visitor without a session
    failures = {}
    for method, pattern in _routes(app_module.app):
        # WHEN each is requested (to log in first, 401, a public page...)
        response = _request(client, method, _path(pattern, {}), None, None)
        # THEN every answer carries the headers
        problems = header_problems(response, pattern) + ([f"status {response.status_code}"]
                                                         if response.status_code >= 500 else [])
        if problems:
            failures[f"{method} {pattern} -> {response.status_code}"] = problems
    assert failures == {}


@pytest.mark.parametrize("method, path, body, headers", ERRORS)
def test_errors_chalice_and_the_api_answer_themselves_have_the_security_headers(client, app_module, aws_resources,
                                                                               method, path, body, headers):
    # WHEN a request is refused before any route's code runs (405, 400, 415, 422, 404)
    response = client.request(method, path, body=body or b"", headers=headers)
    # THEN the refusal carries the headers too
    assert 400 <= response.status_code < 500, response.status_code
    assert header_problems(response, path) == []


def test_session_cookies_are_secure_http_only_and_same_site_when_signing_in_and_out(client, app_module,
                                                                                   aws_resources, outbox):
    # GIVEN an account
    from tests.integration.accounts_helpers import register

    register(client, app_module, aws_resources, outbox)
    # WHEN its holder signs in, remembered on this device, and out again
    signed_in = post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD,
                                              "remember_me": "on"})
    session = "__Host-session=" + cookie_value(signed_in, "__Host-session")
    page = client.get("/app", headers={"Cookie": session}).body.decode()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    signed_out = post_form(client, "/logout", {"csrf_token": csrf}, cookie=session)
    api = client.post("/api/v1/session", headers={"Content-Type": "application/json"},
                      body=json.dumps({"email": REGISTRATION["email"], "password": PASSWORD}).encode())
    # THEN each cookie set (the session, the remembered device, their removal) is Secure, HttpOnly and SameSite
    for response in (signed_in, signed_out, api):
        names = {cookie.split("=", 1)[0] for cookie in _set_cookies(response)}
        assert "__Host-session" in names, (response.status_code, names)
        assert header_problems(response, "/login") == []
    assert "__Host-remember" in {cookie.split("=", 1)[0] for cookie in _set_cookies(signed_in)}
    session_cookie = next(c for c in _set_cookies(signed_in) if c.startswith("__Host-session="))
    assert "max-age" not in session_cookie.lower() and "expires" not in session_cookie.lower()  # ends with the browser


def test_only_the_sign_up_form_may_be_framed_by_other_sites(client, app_module, aws_resources, outbox):
    # GIVEN an account holder's list
    cookie, _, list_id = account_with_list(client, app_module, aws_resources, outbox)
    # WHEN its sign-up form is shown, and sent (empty: the form again with the errors)
    for response in (client.get(f"/f/{list_id}"), post_form(client, f"/f/{list_id}", {"email": ""})):
        # THEN any HTTPS site may show it in a frame, and nothing else is loosened
        policy = _directives(response.headers["Content-Security-Policy"])
        assert response.status_code in (200, 422) and policy["frame-ancestors"] == "https:"
        assert "X-Frame-Options" not in response.headers
        assert policy["script-src"] == "'self'" and policy["form-action"] == "'self'"
    # AND the confirmation page, the list's own page and a made-up form are framed by no one
    for path, headers in ((f"/f/confirm?token={MADE_UP_ID}", {}), (f"/lists/{list_id}", {"Cookie": cookie}),
                          (f"/f/{MADE_UP_ID}", {})):
        response = client.get(path, headers=headers)
        assert _directives(response.headers["Content-Security-Policy"])["frame-ancestors"] == "'none'", path
        assert response.headers["X-Frame-Options"] == "DENY", path
