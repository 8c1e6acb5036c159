"""P1: self-service registration, validated, one account per address, verified by mail."""

from tests.integration.accounts_helpers import (REGISTRATION, confirm, deliver_mail, log_in, mails_to,
                                                post_form, register)


def account_item(aws_resources, account_email="anna@example.nl"):
    table = aws_resources.resource("dynamodb").Table("mailexpert-accounts")
    claim = table.get_item(Key={"pk": "EMAIL#" + account_email})["Item"]
    return table.get_item(Key={"pk": "ACCOUNT#" + claim["account_id"]})["Item"]


def test_registration_stores_validated_and_normalised_details(client, app_module, aws_resources, outbox):
    # WHEN Anna registers with everyday notations
    register(client, app_module, aws_resources, outbox)
    # THEN her details are stored in their standard forms
    item = account_item(aws_resources)
    assert item["phone"] == "+31201234567"
    assert item["postcode"] == "1015 CJ"
    assert item["country"] == "NL"
    assert item["vat_number"] == "NL123456789B01"
    assert item["website"] == "https://devriesbloemen.nl"
    assert item["password_hash"].startswith("$argon2id$")
    assert REGISTRATION["password"] not in str(item)
    assert "email_verified_at" not in item or item["email_verified_at"] is None


def test_verification_mail_confirms_the_address_once(client, app_module, aws_resources, outbox):
    # GIVEN a registration and its verification mail
    register(client, app_module, aws_resources, outbox)
    [mail] = mails_to(outbox, "anna@example.nl")
    assert "/verify-email?token=" in mail["text"] and "/verify-email?token=" in mail["html"]
    # WHEN the link's button is used
    response, token = confirm(client, outbox, "anna@example.nl")
    # THEN the address is confirmed
    assert response.status_code == 200
    assert account_item(aws_resources).get("email_verified_at")
    # AND the same link does not work a second time
    again = post_form(client, "/verify-email", {"token": token}, headers={"Accept-Language": "en"})
    assert again.status_code == 400
    assert "already been used" in again.body.decode()


def test_forged_verification_link_is_refused(client, aws_resources):
    response = post_form(client, "/verify-email", {"token": "made-up"}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "not valid" in response.body.decode()


def test_opening_the_link_does_not_use_it_up(client, app_module, aws_resources, outbox):
    # GIVEN a mail scanner that opens every link in a mail
    register(client, app_module, aws_resources, outbox)
    [mail] = mails_to(outbox, "anna@example.nl")
    path = mail["text"].split("http://127.0.0.1:8000", 1)[1].split()[0]
    assert client.get(path).status_code == 200
    # THEN the address is not confirmed until the person presses the button
    assert not account_item(aws_resources).get("email_verified_at")
    assert confirm(client, outbox, "anna@example.nl")[0].status_code == 200


def test_registering_a_taken_address_reveals_nothing_and_tells_the_owner(client, app_module, aws_resources, outbox):
    # GIVEN Anna has an account
    register(client, app_module, aws_resources, outbox)
    first = account_item(aws_resources)
    # WHEN someone registers again with her address in other capitals
    response = post_form(client, "/register", {**REGISTRATION, "email": "ANNA@example.nl", "name": "Mallory"})
    # THEN the answer is the same as for a new address
    assert response.status_code == 303 and response.headers["Location"] == "/register/check-inbox"
    deliver_mail(app_module, aws_resources)
    # AND her account is untouched, and she got a warning instead of a verification link
    assert account_item(aws_resources) == first
    warning = mails_to(outbox, "anna@example.nl")[0]
    assert "/verify-email" not in warning["text"]
    assert "/password/forgot" in warning["text"]


def test_every_invalid_field_is_named_in_the_form(client, aws_resources):
    fields = {**REGISTRATION, "email": "anna@", "password": "short", "phone": "12", "postcode": "AB 1234",
              "country": "XX", "coc_number": "123", "website": "not a site"}
    response = post_form(client, "/register", fields, headers={"Accept-Language": "en"})
    page = response.body.decode()
    assert response.status_code == 422
    for field in ("email", "password", "country", "coc_number", "website"):
        assert f'id="{field}-error"' in page, field
    assert "Use at least 8 characters." in page
    assert 'value="short"' not in page  # passwords are never echoed
    assert 'value="Anna de Vries"' in page


def test_phone_and_postcode_follow_the_country(client, aws_resources):
    response = post_form(client, "/register", {**REGISTRATION, "phone": "12", "postcode": "AB"},
                         headers={"Accept-Language": "en"})
    page = response.body.decode()
    assert 'id="phone-error"' in page and 'id="postcode-error"' in page
    belgian = post_form(client, "/register", {**REGISTRATION, "email": "jan@example.be", "country": "BE",
                                              "phone": "0470 12 34 56", "postcode": "1000"})
    assert belgian.status_code == 303


def test_unverified_account_can_log_in_and_is_told_to_confirm(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    cookie = log_in(client)
    page = client.get("/app", headers={"Cookie": cookie, "Accept-Language": "en"}).body.decode()
    assert "Confirm your e-mail address first" in page
