"""P9: the permanent cookie that remembers a login: opt-in, rotating, revocable, theft-detecting."""

import re
from datetime import datetime, timezone

from tests.integration.accounts_helpers import (PASSWORD, REGISTRATION, cookie_value, csrf_token_of, deliver_mail,
                                                mails_to, post_form, register)

REMEMBER = "__Host-remember"


def log_in_remembered(client, user_agent="Firefox on the shop laptop"):
    response = post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD,
                                            "remember_me": "on"}, headers={"User-Agent": user_agent})
    assert response.status_code == 303
    return response


def set_cookie_headers(response):
    headers = response.headers.get("Set-Cookie")
    return headers if isinstance(headers, list) else [headers]


def test_remember_me_is_opt_in(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    response = post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD})
    assert all(not h.startswith(REMEMBER) for h in set_cookie_headers(response))


def test_remember_me_cookie_is_a_split_token_for_30_days_never_the_password(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    response = log_in_remembered(client)
    [header] = [h for h in set_cookie_headers(response) if h.startswith(REMEMBER)]
    value = cookie_value(response, REMEMBER)
    selector, validator = value.split(".")
    assert PASSWORD not in header
    max_age = int(re.search(r"Max-Age=(\d+)", header).group(1))
    assert 30 * 86400 - 60 <= max_age <= 30 * 86400  # 30 days from the login (a busy machine takes seconds)
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
    # only the selector and a hash of the validator are stored
    items = aws_resources.client("dynamodb").scan(TableName="mailexpert-auth")["Items"]
    remembered = [i for i in items if i["pk"]["S"].startswith("REMEMBER#")]
    assert [i["pk"]["S"] for i in remembered] == ["REMEMBER#" + selector]
    assert validator not in str(remembered)


def test_browser_that_comes_back_is_signed_in_and_the_cookie_rotates(client, app_module, aws_resources, outbox):
    # GIVEN a remembered login, and the browser closed (the session cookie is gone)
    register(client, app_module, aws_resources, outbox)
    old = cookie_value(log_in_remembered(client), REMEMBER)
    # WHEN the browser comes back with only the remember-me cookie
    response = client.get("/app", headers={"Cookie": f"{REMEMBER}={old}"})
    # THEN it is signed in, with a new session and a new remember-me cookie
    assert response.status_code == 200
    new = cookie_value(response, REMEMBER)
    assert new and new != old
    assert new.split(".")[0] == old.split(".")[0]  # the same device, a new validator
    assert cookie_value(response, "__Host-session")
    # AND the new cookie works on its own next time
    assert client.get("/app", headers={"Cookie": f"{REMEMBER}={new}"}).status_code == 200


def test_reused_old_cookie_signs_out_every_device_and_tells_the_user(client, app_module, aws_resources, outbox):
    # GIVEN a remember-me cookie that was copied, and the real browser used it since (it rotated)
    register(client, app_module, aws_resources, outbox)
    stolen = cookie_value(log_in_remembered(client), REMEMBER)
    rotated = client.get("/app", headers={"Cookie": f"{REMEMBER}={stolen}"})
    session = "__Host-session=" + cookie_value(rotated, "__Host-session")
    fresh = cookie_value(rotated, REMEMBER)
    table = aws_resources.resource("dynamodb").Table("mailexpert-auth")
    table.update_item(Key={"pk": "REMEMBER#" + stolen.split(".")[0]}, UpdateExpression="SET last_used_at = :t",
                      ExpressionAttributeValues={":t": "2026-01-01T00:00:00.000000+0000"})  # a while ago
    # WHEN the thief presents the old cookie
    response = client.get("/app", headers={"Cookie": f"{REMEMBER}={stolen}"})
    # THEN they are not let in and are told why
    assert response.status_code == 303
    assert "notice=devices-signed-out" in response.headers["Location"]
    # AND every device of the account is signed out, the real one included
    assert client.get("/app", headers={"Cookie": session}).status_code == 303
    assert client.get("/app", headers={"Cookie": f"{REMEMBER}={fresh}"}).status_code == 303
    # AND the account holder gets a mail about it
    deliver_mail(app_module, aws_resources)
    assert any("old copy of the remember-me cookie" in (m["text"] or "") or "oude kopie" in (m["text"] or "")
               for m in mails_to(outbox, REGISTRATION["email"]))


def test_device_can_be_forgotten_from_settings(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    response = log_in_remembered(client, user_agent="Safari on Anna's iPhone")
    remembered = cookie_value(response, REMEMBER)
    session = "__Host-session=" + cookie_value(response, "__Host-session")
    page = client.get("/settings", headers={"Cookie": session}).body.decode()
    assert "Safari on Anna&#39;s iPhone" in page
    selector = remembered.split(".")[0]
    forgotten = post_form(client, "/settings/devices/forget", {"csrf_token": csrf_token_of(page), "device": selector},
                          cookie=session)
    assert forgotten.status_code == 303
    assert client.get("/app", headers={"Cookie": f"{REMEMBER}={remembered}"}).status_code == 303


def test_another_accounts_device_cannot_be_forgotten(client, app_module, aws_resources, outbox):
    # GIVEN Anna's remembered device, and Bob signed in
    register(client, app_module, aws_resources, outbox)
    annas = cookie_value(log_in_remembered(client), REMEMBER)
    register(client, app_module, aws_resources, outbox, email="bob@example.nl")
    bob = post_form(client, "/login", {"email": "bob@example.nl", "password": PASSWORD})
    bob_session = "__Host-session=" + cookie_value(bob, "__Host-session")
    page = client.get("/settings", headers={"Cookie": bob_session}).body.decode()
    # WHEN Bob asks to forget Anna's device by its selector
    response = post_form(client, "/settings/devices/forget",
                         {"csrf_token": csrf_token_of(page), "device": annas.split(".")[0]}, cookie=bob_session)
    # THEN it is not found for him and Anna's device still works
    assert response.status_code == 404
    assert client.get("/app", headers={"Cookie": f"{REMEMBER}={annas}"}).status_code == 200


def test_new_device_alert_is_mailed(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    log_in_remembered(client, user_agent="Edge on the office PC")
    deliver_mail(app_module, aws_resources)
    assert any("Edge on the office PC" in (m["text"] or "") for m in mails_to(outbox, REGISTRATION["email"]))


def test_expired_remember_me_cookie_is_refused_and_cleared(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    remembered = cookie_value(log_in_remembered(client), REMEMBER)
    table = aws_resources.resource("dynamodb").Table("mailexpert-auth")
    table.update_item(Key={"pk": "REMEMBER#" + remembered.split(".")[0]}, UpdateExpression="SET expires_at = :t",
                      ExpressionAttributeValues={":t": int(datetime.now(timezone.utc).timestamp()) - 1})
    response = client.get("/app", headers={"Cookie": f"{REMEMBER}={remembered}"})
    assert response.status_code == 303
    assert any(h.startswith(REMEMBER + "=;") and "Max-Age=0" in h for h in set_cookie_headers(response))


def test_parallel_requests_with_the_same_cookie_are_not_taken_for_theft(client, app_module, aws_resources, outbox):
    # GIVEN a page whose requests all carry the same remember-me cookie
    register(client, app_module, aws_resources, outbox)
    cookie = cookie_value(log_in_remembered(client), REMEMBER)
    first = client.get("/app", headers={"Cookie": f"{REMEMBER}={cookie}"})
    # WHEN a second request with the old cookie arrives just after the first rotated it
    second = client.get("/settings", headers={"Cookie": f"{REMEMBER}={cookie}"})
    # THEN both are signed in, and the rotated cookie still works afterwards
    assert first.status_code == 200 and second.status_code == 200
    rotated = cookie_value(first, REMEMBER)
    assert client.get("/app", headers={"Cookie": f"{REMEMBER}={rotated}"}).status_code == 200


def test_old_cookie_after_the_grace_period_is_theft(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    cookie = cookie_value(log_in_remembered(client), REMEMBER)
    client.get("/app", headers={"Cookie": f"{REMEMBER}={cookie}"})
    table = aws_resources.resource("dynamodb").Table("mailexpert-auth")
    key = {"pk": "REMEMBER#" + cookie.split(".")[0]}
    table.update_item(Key=key, UpdateExpression="SET last_used_at = :t",
                      ExpressionAttributeValues={":t": "2026-01-01T00:00:00.000000+0000"})
    response = client.get("/app", headers={"Cookie": f"{REMEMBER}={cookie}"})
    assert "notice=devices-signed-out" in response.headers["Location"]
    assert "Item" not in table.get_item(Key=key)


def test_logging_out_forgets_this_device(client, app_module, aws_resources, outbox):
    # GIVEN a remembered login on this device
    register(client, app_module, aws_resources, outbox)
    response = log_in_remembered(client)
    remembered = cookie_value(response, REMEMBER)
    both = f"__Host-session={cookie_value(response, '__Host-session')}; {REMEMBER}={remembered}"
    page = client.get("/settings", headers={"Cookie": both}).body.decode()
    # WHEN the user logs out
    logout = post_form(client, "/logout", {"csrf_token": csrf_token_of(page)}, cookie=both)
    # THEN the remember-me cookie is cleared and no longer signs in
    assert any(h.startswith(REMEMBER + "=;") for h in set_cookie_headers(logout))
    assert client.get("/app", headers={"Cookie": f"{REMEMBER}={remembered}"}).status_code == 303
