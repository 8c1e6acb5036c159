"""Optional TOTP two-factor authentication with recovery codes, asked before any session is issued."""

import json
import re

import pyotp

from tests.integration.accounts_helpers import (PASSWORD, REGISTRATION, cookie_value, csrf_token_of, log_in, post_form,
                                                register)


def enable_two_factor(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    cookie = log_in(client)
    csrf = csrf_token_of(client.get("/settings", headers={"Cookie": cookie}).body.decode())
    assert post_form(client, "/settings/2fa/start", {"csrf_token": csrf}, cookie=cookie).status_code == 303
    page = client.get("/settings", headers={"Cookie": cookie}).body.decode()
    assert 'src="data:image/svg+xml' in page  # the QR code is an image: no inline script or style
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", page).group(1)
    confirmed = post_form(client, "/settings/2fa/confirm", {"csrf_token": csrf, "code": pyotp.TOTP(secret).now()},
                          cookie=cookie)
    assert confirmed.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", confirmed.body.decode())
    assert len(codes) == 10
    return secret, codes


def test_login_asks_for_the_code_before_any_session_exists(client, app_module, aws_resources, outbox):
    secret, _ = enable_two_factor(client, app_module, aws_resources, outbox)
    # WHEN the password is right
    response = post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD, "remember_me": "on"})
    # THEN no session or remember-me cookie yet: only a held login, and the code page
    assert response.headers["Location"].startswith("/login/second-factor")
    assert cookie_value(response, "__Host-session") is None and cookie_value(response, "__Host-remember") is None
    held = "__Host-held-login=" + cookie_value(response, "__Host-held-login")
    # AND a wrong code is refused
    wrong = post_form(client, "/login/second-factor", {"code": "000000"}, cookie=held)
    assert wrong.status_code == 401 and cookie_value(wrong, "__Host-session") is None
    # AND the right code signs in, remember-me included
    right = post_form(client, "/login/second-factor", {"code": pyotp.TOTP(secret).now()}, cookie=held)
    assert right.status_code == 303
    assert cookie_value(right, "__Host-session") and cookie_value(right, "__Host-remember")


def test_recovery_code_works_once(client, app_module, aws_resources, outbox):
    _, codes = enable_two_factor(client, app_module, aws_resources, outbox)
    for expected in (303, 401):
        response = post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD})
        held = "__Host-held-login=" + cookie_value(response, "__Host-held-login")
        assert post_form(client, "/login/second-factor", {"code": codes[0].upper()}, cookie=held).status_code == expected


def test_only_hashes_of_the_recovery_codes_are_stored(client, app_module, aws_resources, outbox):
    _, codes = enable_two_factor(client, app_module, aws_resources, outbox)
    dump = json.dumps(aws_resources.client("dynamodb").scan(TableName="mailexpert-accounts")["Items"])
    assert not [c for c in codes if c in dump]


def test_api_login_needs_the_second_factor(client, app_module, aws_resources, outbox):
    secret, _ = enable_two_factor(client, app_module, aws_resources, outbox)
    body = {"email": REGISTRATION["email"], "password": PASSWORD}
    headers = {"Content-Type": "application/json"}
    without = client.post("/api/v1/session", headers=headers, body=json.dumps(body).encode())
    assert without.status_code == 401
    assert json.loads(without.body)["type"].endswith("/second-factor-required")
    with_code = client.post("/api/v1/session", headers=headers,
                            body=json.dumps({**body, "second_factor": pyotp.TOTP(secret).now()}).encode())
    assert with_code.status_code == 200


def test_wrong_setup_code_does_not_switch_it_on(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    cookie = log_in(client)
    csrf = csrf_token_of(client.get("/settings", headers={"Cookie": cookie}).body.decode())
    post_form(client, "/settings/2fa/start", {"csrf_token": csrf}, cookie=cookie)
    response = post_form(client, "/settings/2fa/confirm", {"csrf_token": csrf, "code": "123"}, cookie=cookie)
    assert response.status_code == 422 and 'id="code-error"' in response.body.decode()
    assert post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD}).headers[
        "Location"] == "/app"


def test_switching_it_off_needs_the_password(client, app_module, aws_resources, outbox):
    secret, _ = enable_two_factor(client, app_module, aws_resources, outbox)
    response = post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD})
    held = "__Host-held-login=" + cookie_value(response, "__Host-held-login")
    signed = post_form(client, "/login/second-factor", {"code": pyotp.TOTP(secret).now()}, cookie=held)
    cookie = "__Host-session=" + cookie_value(signed, "__Host-session")
    csrf = csrf_token_of(client.get("/settings", headers={"Cookie": cookie}).body.decode())
    assert post_form(client, "/settings/2fa/disable", {"csrf_token": csrf, "disable_2fa_password": "no"},
                     cookie=cookie).status_code == 403
    assert post_form(client, "/settings/2fa/disable", {"csrf_token": csrf, "disable_2fa_password": PASSWORD},
                     cookie=cookie).status_code == 303
    assert post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD}).headers[
        "Location"] == "/app"
