"""Shared steps for the account tests: register, read the mail, confirm, log in."""

import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from tests.integration.test_mail_round_trip import FakeContext, receive_all, sqs_event

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
PASSWORD = "correct horse battery staple"
REGISTRATION = {"name": "Anna de Vries", "email": "anna@example.nl", "password": PASSWORD,
                "phone": "020 123 4567", "street": "Keizersgracht 1", "postcode": "1015cj", "city": "Amsterdam",
                "country": "NL", "company_name": "De Vries Bloemen", "coc_number": "12345678",
                "vat_number": "NL123456789B01", "website": "devriesbloemen.nl"}


def post_form(client, path, fields, cookie=None, headers=None):
    return client.post(path, headers={**FORM, **({"Cookie": cookie} if cookie else {}), **(headers or {})},
                       body=urlencode(fields).encode())


def deliver_mail(app_module, aws_resources):
    """Run the mail sender on what is queued, as the event pump would."""
    _, messages = receive_all(aws_resources.client("sqs"), "mailexpert-mail")
    if messages:
        assert app_module.on_mail_message(sqs_event(messages), FakeContext()) == {"batchItemFailures": []}
    return len(messages)


def mails_to(outbox, address):
    return [m for m in outbox.mails() if address in m["to"]]


def link_in(mail, path):
    return re.search(r"(" + re.escape(path) + r"\?token=[A-Za-z0-9_\-]+)", mail["text"]).group(1)


def cookie_value(response, name):
    headers = response.headers.get("Set-Cookie") or response.headers.get("set-cookie") or ""
    jar = SimpleCookie()
    for header in headers if isinstance(headers, list) else [headers]:
        jar.load(header)
    return jar[name].value if name in jar else None


def register(client, app_module, aws_resources, outbox, **changes):
    fields = {**REGISTRATION, **changes}
    response = post_form(client, "/register", fields)
    assert response.status_code == 303, response.body
    deliver_mail(app_module, aws_resources)
    return fields


def confirm(client, outbox, address):
    [mail] = [m for m in mails_to(outbox, address) if "/verify-email?token=" in (m["text"] or "")][-1:]
    token = link_in(mail, "/verify-email").split("token=")[1]
    return post_form(client, "/verify-email", {"token": token}), token


def log_in(client, email=REGISTRATION["email"], password=PASSWORD):
    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 303, response.body
    return "__Host-session=" + cookie_value(response, "__Host-session")


def csrf_token_of(page_body: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_body).group(1)
