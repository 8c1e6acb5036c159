"""P4: staff publish product news; it is mailed only to active accounts that opted in, each mail
with a visible unsubscribe link and RFC 8058 headers; one POST to that link turns product news off
at once, recorded as a withdrawal and audited; a forged or altered link is refused."""

import json
import re

from tests.integration.accounts_helpers import post_form
from tests.integration.news_helpers import page, signed_in
from tests.integration.test_settings_options import audit_events, stored_account

PRODUCT_NEWS = {"subject_nl": "Nieuw: A/B-tests", "subject_en": "New: A/B tests",
                "html_nl": "<p>Hallo {{ contact.first_name }}, test nu twee onderwerpen.</p><script>alert(1)</script>",
                "html_en": "<p>Hello {{ contact.first_name }}, now test two subjects.</p>"}


def services():
    from chalicelib.composition import services as built

    return built()


def hooked():
    received = []
    services().news.product_news_published.subscribe(received.append)
    return received


def opt_in(client, cookie, csrf):
    assert post_form(client, "/settings/product-news", {"csrf_token": csrf, "product_news": "on"},
                     cookie=cookie).status_code == 303


def published(client, cookie, csrf):
    received = hooked()
    response = post_form(client, "/staff/product-news", {"csrf_token": csrf, **PRODUCT_NEWS}, cookie=cookie)
    assert response.status_code == 303, response.body
    assert len(received) == 1
    return received[0]


def anna():
    return services().accounts.by_email("anna@example.nl")


def unsubscribe_link(mail) -> str:
    [(_, value)] = [h for h in mail.headers if h[0] == "List-Unsubscribe"]
    return re.fullmatch(r"<https?://[^/]+(/news/unsubscribe/[^>]+)>", value).group(1)


def test_product_news_staff_pages_are_a_404_for_an_account_without_the_staff_flag(
        client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox)
    received = hooked()
    assert page(client, "/staff/product-news", cookie).status_code == 404
    for path in ("/staff/product-news/preview", "/staff/product-news"):
        assert post_form(client, path, {"csrf_token": csrf, **PRODUCT_NEWS}, cookie=cookie).status_code == 404
    assert received == []


def test_published_product_news_is_on_the_news_page_fires_the_hook_once_and_is_audited(
        client, app_module, aws_resources, outbox):
    # GIVEN staff WHEN they publish product news
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox, staff=True)
    news = published(client, cookie, csrf)
    # THEN it is on the news page, without the script staff pasted
    body = page(client, "/news", cookie).body.decode()
    assert "New: A/B tests" in body and "Product news" in body
    assert "<script>" not in news.html["nl"] and "alert(1)" not in news.html["nl"]
    # AND the delivery can find it again, and the action is audited
    assert services().news.product_news(news.news_id).subject == news.subject
    assert audit_events(aws_resources).count("staff.product_news_published") == 1


def test_product_news_mail_goes_only_to_an_opted_in_active_account_with_link_and_headers(
        client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox, staff=True)
    news = published(client, cookie, csrf)
    # GIVEN Anna has not opted in THEN she gets no product news
    assert services().news.product_news_mail(news, anna()) is None
    # WHEN she opts in THEN her mail is in her language, personal, with a visible link and RFC 8058 headers
    opt_in(client, cookie, csrf)
    mail = services().news.product_news_mail(news, anna())
    assert mail.to == ("anna@example.nl",) and mail.subject == "Nieuw: A/B-tests"
    assert "Hallo Anna" in mail.text
    link = unsubscribe_link(mail)
    assert link in mail.html and link in mail.text
    assert ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click") in mail.headers


def test_one_click_post_turns_product_news_off_at_once_and_is_recorded_as_a_withdrawal(
        client, app_module, aws_resources, outbox):
    # GIVEN Anna opted in and got product news
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox, staff=True)
    news = published(client, cookie, csrf)
    opt_in(client, cookie, csrf)
    link = unsubscribe_link(services().news.product_news_mail(news, anna()))
    # WHEN her mail client posts the one-click unsubscribe (no session, no CSRF token)
    response = client.post(link, headers={"Content-Type": "application/x-www-form-urlencoded"},
                           body=b"List-Unsubscribe=One-Click")
    # THEN it succeeds, and product news is off at once: the next send makes no mail for her
    assert response.status_code == 200
    account = stored_account(aws_resources)
    assert account["product_news"] is False
    consent = json.loads(account["product_news_consent"])
    assert consent["opted_in"] is False and consent["source"] == "unsubscribe link"
    assert services().news.product_news_mail(news, anna()) is None
    # AND the withdrawal is in the audit log
    assert audit_events(aws_resources).count("consent.product_news_withdrawn") == 1
    # AND Settings & Options shows it off
    settings = page(client, "/settings", cookie).body.decode()
    assert not re.search(r'name="product_news"\s+checked', settings)
    # WHEN she opts in again there THEN new consent is recorded
    opt_in(client, cookie, csrf)
    assert audit_events(aws_resources).count("consent.product_news_given") == 2
    assert json.loads(stored_account(aws_resources)["product_news_consent"])["source"] == "settings"
    assert re.search(r'name="product_news"\s+checked', page(client, "/settings", cookie).body.decode())


def test_opening_the_unsubscribe_link_shows_a_button_and_changes_nothing(client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox, staff=True)
    news = published(client, cookie, csrf)
    opt_in(client, cookie, csrf)
    link = unsubscribe_link(services().news.product_news_mail(news, anna()))
    response = client.get(link, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert f'action="{link}"' in response.body.decode() and "Yes, unsubscribe me" in response.body.decode()
    assert stored_account(aws_resources)["product_news"] is True


def test_a_forged_or_altered_unsubscribe_token_is_refused_with_a_clear_page(client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox, staff=True)
    news = published(client, cookie, csrf)
    opt_in(client, cookie, csrf)
    link = unsubscribe_link(services().news.product_news_mail(news, anna()))
    payload, signature = link.rsplit("/", 1)[1].split(".")
    from chalicelib.signing import UNSUBSCRIBE, TokenSigner

    other_purpose = TokenSigner(services()._secret_key(), UNSUBSCRIBE).sign(anna().account_id.encode())
    for token in (payload + "." + signature[:-2] + ("AA" if not signature.endswith("AA") else "BB"),  # altered
                  "bm90LWFuLWFjY291bnQ." + signature,  # another payload, the same signature
                  other_purpose,  # a genuine token of another purpose (contacts' unsubscribe links)
                  "garbage"):
        for method in ("GET", "POST"):
            response = client.get(f"/news/unsubscribe/{token}", headers={"Accept-Language": "en"}) if method == "GET" \
                else client.post(f"/news/unsubscribe/{token}", headers={"Content-Type": "application/x-www-form-urlencoded",
                                                                         "Accept-Language": "en"}, body=b"")
            assert response.status_code == 400, (token, method)
            assert "This link is not valid" in response.body.decode()
    assert stored_account(aws_resources)["product_news"] is True
    assert audit_events(aws_resources).count("consent.product_news_withdrawn") == 0


def test_bad_product_news_gives_the_form_again_with_the_error_beside_the_field(client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox, staff=True)
    received = hooked()
    response = post_form(client, "/staff/product-news", {"csrf_token": csrf, **PRODUCT_NEWS, "subject_en": "",
                                                         "html_nl": "<p>{% if %}</p>"}, cookie=cookie,
                         headers={"Accept-Language": "en"})
    assert response.status_code == 422
    body = response.body.decode()
    assert 'id="subject_en-error"' in body and 'id="html_nl-error"' in body
    assert received == []


def test_preview_shows_both_languages_with_the_unsubscribe_link(client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox, staff=True)
    received = hooked()
    response = post_form(client, "/staff/product-news/preview", {"csrf_token": csrf, **PRODUCT_NEWS}, cookie=cookie,
                         headers={"Accept-Language": "en"})
    assert response.status_code == 200
    body = response.body.decode()
    assert "Nieuw: A/B-tests" in body and "New: A/B tests" in body
    assert "/news/unsubscribe/" in body
    assert received == []
