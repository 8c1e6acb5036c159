"""The pages a sender's subscribers see (the hosted sign-up form and its thank-you, the confirmation
and its thank-you, unsubscribe and its result, preferences) are the sender's: they name the sender
(the account's company) on top and show none of MailExpert's header, navigation or log-in; a small
footer says they were sent with MailExpert and links the privacy policy. The register page links
the privacy policy beside its form."""

from tests.integration.accounts_helpers import REGISTRATION, confirm, csrf_token_of, log_in, post_form, register
from tests.integration.audience_helpers import account_with_list, confirmation_token, sign_up

SENDER = REGISTRATION["company_name"]  # "De Vries Bloemen"
SUBSCRIBER = "piet@example.org"
DUTCH = {"Accept-Language": "nl"}


def _is_the_senders_page(response) -> None:
    body = response.body.decode()
    assert response.status_code == 200, body
    assert f'<p class="sender-name">{SENDER}</p>' in body
    assert f"· {SENDER}</title>" in body
    for mailexpert_chrome in ('class="site-header"', 'class="brand"', 'href="/login"', 'href="/register"',
                              'class="side-nav"', 'href="/app"', 'action="/logout"'):
        assert mailexpert_chrome not in body, mailexpert_chrome
    footer = body.split('<footer class="sender-footer">', 1)[1]
    assert "MailExpert" in footer and 'href="/privacy"' in footer


def test_every_subscriber_page_names_the_sender_not_mailexpert(client, app_module, aws_resources, outbox):
    from chalicelib.composition import services

    # GIVEN De Vries Bloemen's list
    _, _, list_id = account_with_list(client, app_module, aws_resources, outbox)
    # WHEN a visitor opens the sign-up form, signs up, opens the confirmation link and confirms
    form = client.get(f"/f/{list_id}", headers=DUTCH)
    sent = sign_up(client, app_module, aws_resources, list_id, SUBSCRIBER, headers=DUTCH)
    token = confirmation_token(outbox, SUBSCRIBER)
    confirmation = client.get(f"/f/confirm?token={token}", headers=DUTCH)
    confirmed = post_form(client, "/f/confirm", {"token": token}, headers=DUTCH)
    # AND later opens the unsubscribe link of a mail, the preferences, and unsubscribes
    account_id = services().audience.list_owner(list_id)
    contact = services().audience.contact_by_email(account_id, SUBSCRIBER)
    link = services().audience_service.unsubscribe_token(account_id, contact.contact_id, list_id)
    unsubscribe = client.get(f"/u/{link}", headers=DUTCH)
    preferences = client.get(f"/u/{link}/preferences", headers=DUTCH)
    unsubscribed = post_form(client, f"/u/{link}", {"List-Unsubscribe": "One-Click"}, headers=DUTCH)
    # THEN each page is De Vries Bloemen's, with MailExpert only in the footer
    for page in (form, sent, confirmation, confirmed, unsubscribe, preferences, unsubscribed):
        _is_the_senders_page(page)
    # AND the confirmation page says what the button subscribes to, without using the link
    assert "Druk op de knop om je aan te melden voor Nieuwsbrief." in confirmation.body.decode()
    assert "Bedankt! Je bent aangemeld voor Nieuwsbrief." in confirmed.body.decode()
    assert "Verstuurd met MailExpert" in unsubscribe.body.decode()
    assert "Je bent afgemeld" in unsubscribed.body.decode()


def test_sender_without_a_company_is_named_by_its_holder(client, app_module, aws_resources, outbox):
    # GIVEN an account registered without a company name, with a list
    register(client, app_module, aws_resources, outbox, email="solo@example.nl", company_name="")
    confirm(client, outbox, "solo@example.nl")
    cookie = log_in(client, email="solo@example.nl")
    csrf = csrf_token_of(client.get("/lists", headers={"Cookie": cookie}).body.decode())
    list_id = post_form(client, "/lists", {"csrf_token": csrf, "name": "Nieuws"}, cookie=cookie).headers[
        "Location"].rsplit("/", 1)[1]
    # WHEN its sign-up form is opened
    page = client.get(f"/f/{list_id}", headers=DUTCH).body.decode()
    # THEN the page is named for the account holder, as its consent text is
    assert f'<p class="sender-name">{REGISTRATION["name"]}</p>' in page
    assert f"Ja, ik wil de mailings van {REGISTRATION['name']} ontvangen." in page


def test_a_used_or_unknown_confirmation_link_names_no_sender(client, app_module, aws_resources, outbox):
    # GIVEN a confirmation link that was used already, and one that never existed
    _, _, list_id = account_with_list(client, app_module, aws_resources, outbox)
    sign_up(client, app_module, aws_resources, list_id, SUBSCRIBER)
    token = confirmation_token(outbox, SUBSCRIBER)
    assert post_form(client, "/f/confirm", {"token": token}).status_code == 200
    # WHEN they are opened
    used = client.get(f"/f/confirm?token={token}", headers=DUTCH)
    unknown = client.get("/f/confirm?token=bestaat-niet", headers=DUTCH)
    # THEN the page still shows the button (pressing it explains the problem), names nobody, and
    # shows no MailExpert header either
    for response in (used, unknown):
        body = response.body.decode()
        assert response.status_code == 200 and 'action="/f/confirm"' in body
        assert 'class="sender-name"' not in body and 'class="site-header"' not in body
        assert "Nieuwsbrief" not in body


def test_register_page_links_the_privacy_policy_beside_its_form(client, app_module):
    # WHEN the register page is opened in Dutch
    page = client.get("/register", headers=DUTCH).body.decode()
    # THEN the form links the privacy policy just before its button
    form = page.split('<form class="form" method="post" action="/register"', 1)[1].split("</form>", 1)[0]
    assert '<a href="/privacy">Lees het privacybeleid</a>' in form
    assert form.index('href="/privacy"') < form.index('<button type="submit"')


def test_a_broken_subscriber_link_fails_without_mailexpert_s_log_in_header(client, app_module):
    # WHEN a subscriber opens a mangled unsubscribe link and a sign-up form that does not exist
    broken = client.get("/u/niet-geldig", headers=DUTCH)
    missing = client.get("/f/" + "0" * 32, headers=DUTCH)
    # THEN each explains the problem in the subscribers' layout: no log-in, no MailExpert navigation
    for response in (broken, missing):
        body = response.body.decode()
        assert response.status_code in (400, 404) and 'class="error-page"' in body
        assert 'class="site-header"' not in body and 'href="/login"' not in body
        assert '<footer class="sender-footer">' in body
    assert "Deze link kan niet worden gebruikt" in broken.body.decode()
