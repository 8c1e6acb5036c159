"""P9: the session cookie ends with the browser, lives server-side, rotates at login, ends at logout."""

from datetime import datetime, timedelta, timezone

from tests.integration.accounts_helpers import (PASSWORD, REGISTRATION, cookie_value, csrf_token_of, log_in,
                                                post_form, register)


def test_session_cookie_has_exactly_the_promised_attributes(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    response = post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD})
    header = response.headers["Set-Cookie"]
    name_value, *attributes = [part.strip() for part in header.split(";")]
    assert name_value.startswith("__Host-session=")
    assert len(name_value.split("=", 1)[1]) >= 43  # 256 random bits, nothing else
    assert sorted(attributes) == sorted(["Path=/", "Secure", "HttpOnly", "SameSite=Lax"])  # no Expires, no Max-Age


def test_only_a_hash_of_the_session_id_is_stored(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    session_id = log_in(client).split("=", 1)[1]
    stored = aws_resources.client("dynamodb").scan(TableName="mailexpert-auth")["Items"]
    assert stored and all(session_id not in str(item) for item in stored)


def test_pages_of_the_application_need_a_session(client):
    response = client.get("/settings")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login?next=%2Fsettings"


def test_login_sends_the_user_back_where_they_were_going_but_never_elsewhere(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    fields = {"email": REGISTRATION["email"], "password": PASSWORD}
    assert post_form(client, "/login", {**fields, "next": "/settings"}).headers["Location"] == "/settings"
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert post_form(client, "/login", {**fields, "next": evil}).headers["Location"] == "/app"


def test_wrong_password_and_unknown_address_get_the_same_answer(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    wrong = post_form(client, "/login", {"email": REGISTRATION["email"], "password": "not it at all"},
                      headers={"Accept-Language": "en"})
    unknown = post_form(client, "/login", {"email": "nobody@example.nl", "password": "not it at all"},
                        headers={"Accept-Language": "en"})
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match an account" in wrong.body.decode()
    assert wrong.body.decode().replace(REGISTRATION["email"], "X") == unknown.body.decode().replace("nobody@example.nl", "X")
    assert "Set-Cookie" not in wrong.headers


def test_login_rotates_the_session_id(client, app_module, aws_resources, outbox):
    # GIVEN a browser with a session
    register(client, app_module, aws_resources, outbox)
    first = log_in(client)
    # WHEN it logs in again
    response = post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD}, cookie=first)
    second = "__Host-session=" + cookie_value(response, "__Host-session")
    # THEN it gets a new id and the old one no longer works
    assert second != first
    assert client.get("/app", headers={"Cookie": first}).status_code == 303
    assert client.get("/app", headers={"Cookie": second}).status_code == 200


def test_logout_ends_the_session_server_side(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    cookie = log_in(client)
    token = csrf_token_of(client.get("/app", headers={"Cookie": cookie}).body.decode())
    response = post_form(client, "/logout", {"csrf_token": token}, cookie=cookie)
    assert response.status_code == 303
    assert "__Host-session=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0" in response.headers["Set-Cookie"]
    # a copy of the old cookie is worthless now
    assert client.get("/app", headers={"Cookie": cookie}).status_code == 303


def test_logout_without_the_csrf_token_is_refused(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    cookie = log_in(client)
    assert post_form(client, "/logout", {}, cookie=cookie).status_code == 403
    assert client.get("/app", headers={"Cookie": cookie}).status_code == 200


def test_idle_session_expires(client, app_module, aws_resources, outbox):
    # GIVEN a session last seen 31 minutes ago
    register(client, app_module, aws_resources, outbox)
    cookie = log_in(client)
    table = aws_resources.resource("dynamodb").Table("mailexpert-auth")
    [item] = [i for i in table.scan()["Items"] if i["pk"].startswith("SESSION#")]
    idle = (datetime.now(timezone.utc) - timedelta(minutes=31)).isoformat(timespec="microseconds")
    table.update_item(Key={"pk": item["pk"]}, UpdateExpression="SET last_seen_at = :t",
                      ExpressionAttributeValues={":t": idle.replace("+00:00", "+0000")})
    # THEN it no longer signs anyone in, and it is removed
    assert client.get("/app", headers={"Cookie": cookie}).status_code == 303
    assert not [i for i in table.scan()["Items"] if i["pk"].startswith("SESSION#")]


def test_session_older_than_the_absolute_timeout_expires(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    cookie = log_in(client)
    table = aws_resources.resource("dynamodb").Table("mailexpert-auth")
    [item] = [i for i in table.scan()["Items"] if i["pk"].startswith("SESSION#")]
    old = (datetime.now(timezone.utc) - timedelta(hours=13)).isoformat(timespec="microseconds")
    table.update_item(Key={"pk": item["pk"]}, UpdateExpression="SET created_at = :t",
                      ExpressionAttributeValues={":t": old.replace("+00:00", "+0000")})
    assert client.get("/app", headers={"Cookie": cookie}).status_code == 303


def test_post_from_another_site_is_refused(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    response = post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD},
                         headers={"Origin": "https://evil.example", "Host": "127.0.0.1:8000"})
    assert response.status_code == 403
    cross = post_form(client, "/contact", {"name": "x"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
