"""The account features through /api/v1, the same services as the pages."""

import json

from tests.integration.accounts_helpers import PASSWORD, REGISTRATION, cookie_value, deliver_mail, mails_to
from tests.integration.conftest import json_body

JSON = {"Content-Type": "application/json"}


def api(client, method, path, body=None, cookie=None, csrf=None, language="en"):
    headers = {**JSON, "Accept-Language": language}
    if cookie:
        headers["Cookie"] = cookie
    if csrf:
        headers["X-CSRF-Token"] = csrf
    return client.request(method, path, headers=headers, body=json.dumps(body).encode() if body is not None else b"")


def register_and_log_in(client, app_module, aws_resources):
    assert api(client, "POST", "/api/v1/accounts", REGISTRATION).status_code == 202
    deliver_mail(app_module, aws_resources)
    response = api(client, "POST", "/api/v1/session", {"email": REGISTRATION["email"], "password": PASSWORD})
    assert response.status_code == 200
    return "__Host-session=" + cookie_value(response, "__Host-session"), json_body(response)


def test_register_log_in_and_read_my_account(client, app_module, aws_resources, outbox):
    cookie, session = register_and_log_in(client, app_module, aws_resources)
    assert session["account"]["email"] == "anna@example.nl"
    assert session["account"]["email_verified"] is False
    assert mails_to(outbox, "anna@example.nl")
    me = api(client, "GET", "/api/v1/me", cookie=cookie)
    assert me.status_code == 200
    assert json_body(me)["phone"] == "+31201234567"
    assert "password_hash" not in json_body(me)


def test_registration_answer_is_the_same_for_a_taken_address(client, app_module, aws_resources):
    first = api(client, "POST", "/api/v1/accounts", REGISTRATION)
    second = api(client, "POST", "/api/v1/accounts", {**REGISTRATION, "name": "Someone else"})
    assert (first.status_code, first.body) == (second.status_code, second.body)


def test_registration_errors_are_listed_per_field(client, aws_resources):
    response = api(client, "POST", "/api/v1/accounts", {**REGISTRATION, "phone": "12", "password": "short"})
    problem = json_body(response)
    assert response.status_code == 422
    assert {e["field"] for e in problem["errors"]} == {"phone", "password"}


def test_profile_change_needs_the_csrf_token(client, app_module, aws_resources):
    cookie, session = register_and_log_in(client, app_module, aws_resources)
    profile = {k: REGISTRATION[k] for k in ("name", "phone", "street", "postcode", "city", "country")}
    profile["city"] = "Haarlem"
    refused = api(client, "PUT", "/api/v1/me/profile", profile, cookie=cookie)
    assert refused.status_code == 403
    accepted = api(client, "PUT", "/api/v1/me/profile", profile, cookie=cookie, csrf=session["csrf_token"])
    assert accepted.status_code == 200
    assert json_body(accepted)["city"] == "Haarlem"
    assert json_body(accepted)["company_name"] is None  # a PUT replaces the whole profile


def test_signed_in_routes_refuse_without_a_session(client):
    response = api(client, "GET", "/api/v1/me")
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"


def test_logout_through_the_api(client, app_module, aws_resources):
    cookie, session = register_and_log_in(client, app_module, aws_resources)
    assert api(client, "DELETE", "/api/v1/session", cookie=cookie).status_code == 403
    assert api(client, "DELETE", "/api/v1/session", cookie=cookie, csrf=session["csrf_token"]).status_code == 204
    assert api(client, "GET", "/api/v1/me", cookie=cookie).status_code == 401


def test_wrong_password_is_a_401_problem(client, app_module, aws_resources):
    register_and_log_in(client, app_module, aws_resources)
    response = api(client, "POST", "/api/v1/session", {"email": REGISTRATION["email"], "password": "nope nope"})
    assert response.status_code == 401
    assert json_body(response)["detail"] == "That e-mail address and password do not match an account."
