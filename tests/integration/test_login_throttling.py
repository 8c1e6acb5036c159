"""Login protection: failed attempts are limited per account and per IP, with a clear wait time."""

from tests.integration.accounts_helpers import PASSWORD, REGISTRATION, post_form, register


def test_account_is_throttled_after_five_failures_even_with_the_right_password(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    for _ in range(5):
        assert post_form(client, "/login", {"email": REGISTRATION["email"], "password": "guess guess"}).status_code == 401
    response = post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD},
                         headers={"Accept-Language": "en"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many failed attempts. Try again in" in response.body.decode()


def test_unknown_addresses_are_throttled_the_same_way(client, aws_resources):
    for _ in range(5):
        assert post_form(client, "/login", {"email": "nobody@example.nl", "password": "guess guess"}).status_code == 401
    assert post_form(client, "/login", {"email": "nobody@example.nl", "password": "guess guess"}).status_code == 429


def test_throttle_counters_hold_no_addresses(client, aws_resources):
    post_form(client, "/login", {"email": "nobody@example.nl", "password": "guess guess"})
    items = aws_resources.client("dynamodb").scan(TableName="mailexpert-auth")["Items"]
    assert items and "nobody" not in str(items)


def test_api_login_throttling_is_a_429_problem(client, app_module, aws_resources, outbox):
    import json

    register(client, app_module, aws_resources, outbox)
    body = json.dumps({"email": REGISTRATION["email"], "password": "guess guess"}).encode()
    for _ in range(5):
        client.post("/api/v1/session", headers={"Content-Type": "application/json"}, body=body)
    response = client.post("/api/v1/session", headers={"Content-Type": "application/json"}, body=body)
    assert response.status_code == 429
    assert json.loads(response.body)["retry_after_s"] > 0
    assert int(response.headers["Retry-After"]) > 0
