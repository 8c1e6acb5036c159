"""P4, P13, P16: product news consent, service package, e-mail change, deactivation and reactivation."""

import json

from tests.integration.accounts_helpers import (PASSWORD, REGISTRATION, csrf_token_of, deliver_mail, link_in, log_in,
                                                mails_to, post_form, register)


def signed_in(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    cookie = log_in(client)
    return cookie, csrf_token_of(client.get("/settings", headers={"Cookie": cookie}).body.decode())


def stored_account(aws_resources, email=REGISTRATION["email"]):
    table = aws_resources.resource("dynamodb").Table("mailexpert-accounts")
    claim = table.get_item(Key={"pk": "EMAIL#" + email})["Item"]
    return table.get_item(Key={"pk": "ACCOUNT#" + claim["account_id"]})["Item"]


def audit_events(aws_resources):
    return [e["event"] for e in aws_resources.resource("dynamodb").Table("mailexpert-audit-log").scan()["Items"]]


def test_product_news_is_off_by_default_and_consent_is_recorded_with_its_words(client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox)
    assert stored_account(aws_resources)["product_news"] is False
    # WHEN Anna ticks the box on the Dutch settings page
    response = post_form(client, "/settings/product-news", {"csrf_token": csrf, "product_news": "on"}, cookie=cookie,
                         headers={"Accept-Language": "nl"})
    assert response.status_code == 303
    # THEN her consent is kept with its time and the exact Dutch text she saw
    account = stored_account(aws_resources)
    consent = json.loads(account["product_news_consent"])
    assert account["product_news"] is True
    assert consent["opted_in"] is True and consent["language"] == "nl" and consent["at"]
    page = client.get("/settings", headers={"Cookie": cookie, "Accept-Language": "nl"}).body.decode()
    assert consent["text"] in page.replace("&#39;", "'")
    # AND withdrawing is recorded too
    post_form(client, "/settings/product-news", {"csrf_token": csrf}, cookie=cookie)
    assert stored_account(aws_resources)["product_news"] is False
    assert {"consent.product_news_given", "consent.product_news_withdrawn"} <= set(audit_events(aws_resources))


def test_service_package_can_be_chosen(client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox)
    assert post_form(client, "/settings/plan", {"csrf_token": csrf, "plan": "professional"}, cookie=cookie).status_code == 303
    assert stored_account(aws_resources)["plan"] == "professional"
    refused = post_form(client, "/settings/plan", {"csrf_token": csrf, "plan": "platinum"}, cookie=cookie)
    assert refused.status_code == 422
    assert stored_account(aws_resources)["plan"] == "professional"


def test_email_change_takes_effect_only_when_the_new_address_confirms(client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox)
    response = post_form(client, "/settings/email", {"csrf_token": csrf, "new_email": "anna@bloemen.nl",
                                                     "email_password": PASSWORD}, cookie=cookie)
    assert response.status_code == 303
    deliver_mail(app_module, aws_resources)
    # the account keeps its old address until the link is used
    assert stored_account(aws_resources)["email"] == REGISTRATION["email"]
    [confirmation] = mails_to(outbox, "anna@bloemen.nl")
    warning = [m for m in mails_to(outbox, REGISTRATION["email"]) if "anna@bloemen.nl" in (m["text"] or "")]
    assert warning, "the old address is warned"
    token = link_in(confirmation, "/settings/email/confirm").split("token=")[1]
    assert post_form(client, "/settings/email/confirm", {"token": token}).status_code == 200
    # THEN the new address logs in, the old one no longer does
    assert stored_account(aws_resources, "anna@bloemen.nl")["email"] == "anna@bloemen.nl"
    assert post_form(client, "/login", {"email": "anna@bloemen.nl", "password": PASSWORD}).status_code == 303
    assert post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD}).status_code == 401
    # AND the old address can be used for a new account again
    assert "Item" not in aws_resources.resource("dynamodb").Table("mailexpert-accounts").get_item(
        Key={"pk": "EMAIL#" + REGISTRATION["email"]})


def test_email_change_needs_the_password(client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox)
    response = post_form(client, "/settings/email", {"csrf_token": csrf, "new_email": "anna@bloemen.nl",
                                                     "email_password": "wrong"}, cookie=cookie)
    assert response.status_code == 403
    deliver_mail(app_module, aws_resources)
    assert mails_to(outbox, "anna@bloemen.nl") == []


def test_email_change_to_a_taken_address_sends_nothing_and_says_nothing(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox, email="bob@example.nl")
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox)
    response = post_form(client, "/settings/email", {"csrf_token": csrf, "new_email": "bob@example.nl",
                                                     "email_password": PASSWORD}, cookie=cookie)
    assert response.status_code == 303
    before = len(mails_to(outbox, "bob@example.nl"))
    deliver_mail(app_module, aws_resources)
    assert len(mails_to(outbox, "bob@example.nl")) == before


def test_deactivation_signs_out_and_login_offers_reactivation(client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox)
    # WHEN Anna deactivates her account
    response = post_form(client, "/settings/deactivate", {"csrf_token": csrf, "deactivate_password": PASSWORD},
                         cookie=cookie)
    assert response.status_code == 200
    assert stored_account(aws_resources)["status"] == "deactivated"
    assert client.get("/app", headers={"Cookie": cookie}).status_code == 303
    # THEN logging in leads to the reactivation page, and the application stays closed until she reactivates
    again = log_in(client)
    assert client.get("/app", headers={"Cookie": again}).headers["Location"] == "/reactivate"
    page = client.get("/reactivate", headers={"Cookie": again}).body.decode()
    assert post_form(client, "/reactivate", {"csrf_token": csrf_token_of(page)}, cookie=again).status_code == 303
    assert client.get("/app", headers={"Cookie": again}).status_code == 200
    assert {"account.deactivated", "account.reactivated"} <= set(audit_events(aws_resources))


def test_deactivated_account_may_not_send(client, app_module, aws_resources, outbox):
    from chalicelib.composition import services

    cookie, csrf = signed_in(client, app_module, aws_resources, outbox)
    post_form(client, "/settings/deactivate", {"csrf_token": csrf, "deactivate_password": PASSWORD}, cookie=cookie)
    account = services().accounts.by_email(REGISTRATION["email"])
    assert not account.may_send


def test_deactivation_needs_the_password(client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox)
    response = post_form(client, "/settings/deactivate", {"csrf_token": csrf, "deactivate_password": "nope"},
                         cookie=cookie)
    assert response.status_code == 403
    assert stored_account(aws_resources)["status"] == "active"
