"""Shared steps for the cookie consent tests: posting a choice, reading cookies and records."""

from chalice.local import LambdaEventConverter

from tests.integration.accounts_helpers import post_form

ESSENTIAL_COOKIES = {"__Host-session", "__Host-remember", "__Host-held-login", "lang", "mx_consent",
                     "__Host-consent-id"}


def set_cookies(response) -> list[str]:
    found = response.headers.get("Set-Cookie") or response.headers.get("set-cookie") or []
    return found if isinstance(found, list) else [found]


def cookie_header(response, name: str) -> str | None:
    """The whole Set-Cookie header of one cookie (value and attributes)."""
    return next((cookie for cookie in set_cookies(response) if cookie.split("=", 1)[0] == name), None)


def attributes(cookie: str) -> dict[str, str]:
    """A Set-Cookie header's attributes, names lower-cased (a flag: "")."""
    found = {}
    for part in cookie.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        found[name.lower()] = value
    return found


def choose(client, fields: dict, cookie: str | None = None, headers=None):
    return post_form(client, "/consent", fields, cookie=cookie, headers=headers)


def from_ip(monkeypatch, address: str) -> None:
    """Requests of chalice's test client come from `address` (as API Gateway's sourceIp)."""
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", address)


def records_of(aws_resources, consent_id: str) -> list[dict]:
    """The consent records of one consent id, as DynamoDB holds them."""
    table = aws_resources.resource("dynamodb").Table("mailexpert-notices")
    answer = table.query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"CONSENT#{consent_id}"},
                         ConsistentRead=True)
    return sorted(answer["Items"], key=lambda item: item["sk"])


def cookie_value_of(response, name: str) -> str | None:
    header = cookie_header(response, name)
    return header.split(";", 1)[0].split("=", 1)[1] if header else None
