"""P4 and P16 at the moment a mail is made: product news only for an active account that opted in,
with its unsubscribe link and RFC 8058 headers; an announcement never for a deactivated account."""

from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from chalicelib.news.product_news import ProductNewsMail, news_page_text, product_news_draft, unsubscribe_signer
from chalicelib.news.service import NewsService
from chalicelib.signing import UNSUBSCRIBE, InvalidToken, TokenSigner

SECRET = b"test secret, never used in production"
BASE_URL = "https://app.mailexpert.example"
FORM = {"subject_nl": "Nieuw voor {{ contact.first_name }}", "subject_en": "New for {{ contact.first_name }}",
        "html_nl": "<p>Hallo {{ contact.first_name }}</p>", "html_en": "<p>Hello {{ contact.first_name }}</p>"}


@dataclass
class Holder:
    active: bool = True
    product_news: bool = True
    account_id: str = "acc-1"
    email: str = "anna@example.nl"
    name: str = "Anna de Vries"
    language: str = "en"


def product_news():
    from chalicelib.news.product_news import ProductNews

    draft = product_news_draft(FORM)
    return ProductNews(news_id="n1", published_at=datetime(2026, 12, 7, tzinfo=timezone.utc), published_by="staff",
                       subject={k: p.subject for k, p in draft.prepared.items()},
                       html={k: p.html for k, p in draft.prepared.items()},
                       text={k: p.text for k, p in draft.prepared.items()})


def mailer():
    return ProductNewsMail(lambda: unsubscribe_signer(SECRET), BASE_URL)


@pytest.mark.parametrize("holder", [Holder(product_news=False), Holder(active=False), Holder(active=False, product_news=False)])
def test_no_product_news_for_an_account_that_did_not_opt_in_or_is_deactivated(holder):
    assert mailer().render(product_news(), holder) is None


def test_product_news_for_an_opted_in_active_account_is_personal_with_link_and_headers():
    mail = mailer().render(product_news(), Holder())
    assert mail.subject == "New for Anna" and "Hello Anna" in mail.html
    [url] = [value.strip("<>") for name, value in mail.headers if name == "List-Unsubscribe"]
    assert url.startswith(BASE_URL + "/news/unsubscribe/")
    assert ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click") in mail.headers
    assert f'href="{url}"' in mail.html and url in mail.text
    assert mail.tags["account"] == "acc-1"


def test_the_token_names_its_account_and_no_altered_or_other_purpose_token_passes():
    token = mailer().unsubscribe_url("acc-1").rsplit("/", 1)[1]
    assert mailer().account_of(token) == "acc-1"
    payload, signature = token.split(".")
    other = TokenSigner(SECRET, UNSUBSCRIBE).sign(b"acc-1")
    for bad in (payload + "x." + signature, payload + "." + signature[::-1], other, "", "a.b.c"):
        with pytest.raises(InvalidToken):
            mailer().account_of(bad)


def test_the_news_page_text_has_no_unsubscribe_footer():
    title, body = news_page_text(product_news_draft(FORM))
    assert title == {"nl": "Nieuw voor", "en": "New for"}
    assert body["en"] == "Hello" and "nsubscribe" not in body["en"]


def test_no_announcement_mail_for_a_deactivated_account():
    news = NewsService(None, None, announcement_mail=lambda announcement, account: ("mail", account.account_id))
    assert news.announcement_mail(object(), Holder(active=False)) is None
    assert news.announcement_mail(object(), Holder()) == ("mail", "acc-1")


def test_product_news_is_compiled_once_for_every_holder_and_again_for_other_content(monkeypatch):
    from dataclasses import replace

    from chalicelib.campaigns import campaign_rendering

    compiled = []
    real_compile = campaign_rendering.compile_campaign
    monkeypatch.setattr(campaign_rendering, "compile_campaign",
                        lambda *args, **kwargs: compiled.append(1) or real_compile(*args, **kwargs))
    # GIVEN one news, mailed to three holders who read English
    news, mail = product_news(), mailer()
    sent = [mail.render(news, Holder(account_id=f"acc-{n}"))
            for n in range(3)]
    # THEN it was compiled once, and each holder still got their own unsubscribe link
    assert len(compiled) == 1
    assert len({dict(m.headers)["List-Unsubscribe"] for m in sent}) == 3
    # AND a preview of changed content under the same id is compiled anew, never served stale
    changed = replace(news, subject={**news.subject, "en": "Changed for {{ contact.first_name }}"})
    assert mail.render(changed, Holder()).subject == "Changed for Anna"
    assert len(compiled) == 2
