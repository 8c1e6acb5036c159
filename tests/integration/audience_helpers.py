"""Shared steps for the audience tests."""

import re

from tests.integration.accounts_helpers import (confirm, csrf_token_of, deliver_mail, log_in, mails_to, post_form,
                                                register)


def account_with_list(client, app_module, aws_resources, outbox, email="anna@example.nl", list_name="Nieuwsbrief"):
    """A signed-in account holder with one list; returns (cookie, csrf token, list id)."""
    register(client, app_module, aws_resources, outbox, email=email)
    confirm(client, outbox, email)  # only a confirmed sender may collect sign-ups
    cookie = log_in(client, email=email)
    csrf = csrf_token_of(client.get("/lists", headers={"Cookie": cookie}).body.decode())
    response = post_form(client, "/lists", {"csrf_token": csrf, "name": list_name}, cookie=cookie)
    assert response.status_code == 303, response.body
    return cookie, csrf, response.headers["Location"].rsplit("/", 1)[1]


def confirmation_token(outbox, address):
    mail = [m for m in mails_to(outbox, address) if "/f/confirm?token=" in (m["text"] or "")][0]
    return re.search(r"/f/confirm\?token=([A-Za-z0-9_\-]+)", mail["text"]).group(1)


def sign_up(client, app_module, aws_resources, list_id, email, headers=None, **extra):
    response = post_form(client, f"/f/{list_id}", {"email": email, "first_name": "Piet", **extra},
                         headers={"User-Agent": "Firefox/140", **(headers or {})})
    deliver_mail(app_module, aws_resources)
    return response


def members(aws_resources, list_id, status="subscribed"):
    table = aws_resources.resource("dynamodb").Table("mailexpert-audience")
    items = table.scan()["Items"]
    return [i for i in items if i.get("gsi1pk") == f"LIST#{list_id}" and i["status"] == status]
