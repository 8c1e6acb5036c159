"""Sign-up forms with double opt-in, and the consent record GDPR Art. 7 asks for."""

import json

from tests.integration.accounts_helpers import csrf_token_of, deliver_mail, mails_to, post_form
from tests.integration.audience_helpers import account_with_list, confirmation_token, members, sign_up


def test_sign_up_is_subscribed_only_after_confirming_with_a_full_consent_record(client, app_module, aws_resources, outbox):
    # GIVEN Anna's list and its public form
    _, _, list_id = account_with_list(client, app_module, aws_resources, outbox)
    form = client.get(f"/f/{list_id}", headers={"Accept-Language": "nl"}).body.decode()
    assert 'name="website"' in form  # the honeypot
    # WHEN Piet signs up
    response = sign_up(client, app_module, aws_resources, list_id, "piet@example.org")
    assert response.status_code == 200 and 'role="status"' in response.body.decode()
    # THEN he is not subscribed yet, and got a confirmation mail
    assert members(aws_resources, list_id) == [] and len(members(aws_resources, list_id, "unconfirmed")) == 1
    token = confirmation_token(outbox, "piet@example.org")
    # WHEN he confirms (opening the link alone does nothing)
    assert client.get(f"/f/confirm?token={token}").status_code == 200
    assert members(aws_resources, list_id) == []
    assert post_form(client, "/f/confirm", {"token": token}, headers={"User-Agent": "Safari/18"}).status_code == 200
    # THEN he is subscribed, with the proof of his consent
    [member] = members(aws_resources, list_id)
    consent = json.loads(member["consent"])
    assert consent["source"] == "form" and consent["ip"] == "127.0.0.1" and consent["user_agent"] == "Firefox/140"
    assert "De Vries Bloemen" in consent["form_text"] and len(consent["form_version"]) == 16
    assert consent["form_text"] in client.get(f"/f/{list_id}").body.decode()  # exactly the words shown
    assert consent["at"] and consent["confirmed_at"] and consent["confirmed_user_agent"] == "Safari/18"


def test_bots_filling_the_hidden_field_are_ignored(client, app_module, aws_resources, outbox):
    _, _, list_id = account_with_list(client, app_module, aws_resources, outbox)
    response = sign_up(client, app_module, aws_resources, list_id, "bot@example.org", website="http://spam.example")
    assert response.status_code == 200  # the same answer, so the bot learns nothing
    assert mails_to(outbox, "bot@example.org") == []
    assert members(aws_resources, list_id, "unconfirmed") == []


def test_sign_ups_are_rate_limited_per_ip(client, app_module, aws_resources, outbox):
    _, _, list_id = account_with_list(client, app_module, aws_resources, outbox)
    for n in range(10):
        assert sign_up(client, app_module, aws_resources, list_id, f"p{n}@example.org").status_code == 200
    assert sign_up(client, app_module, aws_resources, list_id, "p10@example.org").status_code == 429


def test_invalid_address_on_the_form_is_explained(client, app_module, aws_resources, outbox):
    _, _, list_id = account_with_list(client, app_module, aws_resources, outbox)
    response = post_form(client, f"/f/{list_id}", {"email": "piet@"}, headers={"Accept-Language": "en"})
    assert response.status_code == 422 and 'id="email-error"' in response.body.decode()


def test_deactivated_account_stops_accepting_sign_ups(client, app_module, aws_resources, outbox):
    cookie, _, list_id = account_with_list(client, app_module, aws_resources, outbox)
    csrf = csrf_token_of(client.get("/settings", headers={"Cookie": cookie}).body.decode())
    post_form(client, "/settings/deactivate", {"csrf_token": csrf, "deactivate_password": "correct horse battery staple"},
              cookie=cookie)
    assert client.get(f"/f/{list_id}").status_code == 410
    assert post_form(client, f"/f/{list_id}", {"email": "piet@example.org"}).status_code == 410


def test_unknown_form_is_404(client, aws_resources):
    assert client.get("/f/0123456789abcdef").status_code == 404


def test_manual_add_with_a_lawful_basis_subscribes_at_once(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    response = post_form(client, f"/lists/{list_id}/contacts", {
        "csrf_token": csrf, "email": "klant@example.org", "lawful_basis": "Signed up at our shop counter, 2026-11-20"},
        cookie=cookie)
    assert response.headers["Location"].endswith("notice=contact-added")
    [member] = members(aws_resources, list_id)
    assert json.loads(member["consent"])["lawful_basis"] == "Signed up at our shop counter, 2026-11-20"


def test_manual_add_without_confirmation_needs_a_lawful_basis(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    response = post_form(client, f"/lists/{list_id}/contacts", {"csrf_token": csrf, "email": "klant@example.org"},
                         cookie=cookie)
    assert response.status_code == 422 and 'id="lawful_basis-error"' in response.body.decode()


def test_form_embedded_on_the_customers_website_may_post_from_there(client, app_module, aws_resources, outbox):
    _, _, list_id = account_with_list(client, app_module, aws_resources, outbox)
    response = post_form(client, f"/f/{list_id}", {"email": "piet@example.org"},
                         headers={"Origin": "https://www.bakkerij-jansen.nl", "Sec-Fetch-Site": "cross-site",
                                  "Host": "127.0.0.1:8000"})
    assert response.status_code == 200


def test_unconfirmed_sender_cannot_collect_sign_ups(client, app_module, aws_resources, outbox):
    # GIVEN an account whose own address is not confirmed yet, with a list
    from tests.integration.accounts_helpers import log_in, register

    register(client, app_module, aws_resources, outbox, email="nieuw@example.nl")
    cookie = log_in(client, email="nieuw@example.nl")
    csrf = csrf_token_of(client.get("/lists", headers={"Cookie": cookie}).body.decode())
    list_id = post_form(client, "/lists", {"csrf_token": csrf, "name": "Test"}, cookie=cookie).headers[
        "Location"].rsplit("/", 1)[1]
    # THEN its form sends no mails in its name, and neither does adding a contact with confirmation
    assert post_form(client, f"/f/{list_id}", {"email": "piet@example.org"}).status_code == 410
    added = post_form(client, f"/lists/{list_id}/contacts", {"csrf_token": csrf, "email": "piet@example.org",
                                                             "confirm": "on"}, cookie=cookie)
    assert added.status_code == 403
    deliver_mail(app_module, aws_resources)
    assert mails_to(outbox, "piet@example.org") == []
