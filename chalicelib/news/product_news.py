"""Product news and offers (P4): MailExpert's own marketing mail to the account holders who opted in.

Staff write a subject and an HTML body in Dutch and English. Both go through the campaign
template editor's checks and sanitising (`chalicelib.campaigns.template_saving.prepare_template`:
Jinja syntax in the sandbox, CSS inlined, HTML cleaned with nh3, a text part derived) and are
rendered per account holder as a campaign is (`chalicelib.campaigns.campaign_rendering`), so
`{{ contact.first_name }}` is the holder's name and every mail carries the visible unsubscribe
footer. Each mail also carries RFC 8058's `List-Unsubscribe` and `List-Unsubscribe-Post` headers
with a signed account token (`UNSUBSCRIBE_PURPOSE`): one POST turns product news off at once.

`ProductNewsMail.render` renders for one account and answers None for an account that may not get
it (deactivated, or not opted in), read when the mail is made: an unsubscribe takes effect before
the next send.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from chalicelib import errors, i18n
from chalicelib.delivery.mail import OutgoingMail
from chalicelib.i18n import N_
from chalicelib.news.items import LANGUAGES
from chalicelib.signing import InvalidToken, Purpose, TokenSigner

UNSUBSCRIBE_PURPOSE = Purpose("product news unsubscribe", b"mailexpert/product-news-unsubscribe/v1")
UNSUBSCRIBE_PATH = "/news/unsubscribe/"
MAX_HTML_CHARS = 60_000  # per language: both, their text parts and the subjects fit one DynamoDB item
HTML_TOO_LONG = N_("Use at most %(limit)s characters.")
_SIGNATURE_LINE = re.compile(r"\n-- ?\n")
COMPILED_KEPT = 4  # product news compiled and kept per container: both languages of the newest two
_FIELDS = {"subject": "subject", "html": "html", "text": "html"}  # the template checks' fields -> ours


@dataclass(frozen=True)
class ProductNewsDraft:
    """Checked product news, not yet published: per language a `PreparedTemplate`."""

    prepared: dict  # "nl"/"en" -> chalicelib.campaigns.template_saving.PreparedTemplate


@dataclass(frozen=True)
class ProductNews:
    """Published product news: what the delivery mails to each opted-in active account."""

    news_id: str  # the id of its news entry
    subject: dict  # "nl"/"en" -> the subject (a template)
    html: dict  # "nl"/"en" -> the sanitised HTML (a template)
    text: dict  # "nl"/"en" -> the text part (a template)
    published_at: datetime
    published_by: str


def product_news_draft(form: dict) -> ProductNewsDraft:
    """Check and sanitise staff's form (subject_nl, html_nl, subject_en, html_en); ValidationFailed
    names the field of each problem."""
    from chalicelib.campaigns.template_saving import prepare_template

    problems, prepared = [], {}
    for language in LANGUAGES:
        html = form.get(f"html_{language}") or ""
        if len(html) > MAX_HTML_CHARS:
            problems.append(errors.FieldError(f"html_{language}", HTML_TOO_LONG, (("limit", MAX_HTML_CHARS),)))
        try:
            prepared[language] = prepare_template(html, None, form.get(f"subject_{language}") or "")
        except errors.ValidationFailed as invalid:
            problems += [errors.FieldError(f"{_FIELDS.get(p.field, 'html')}_{language}", p.message, p.params)
                         for p in invalid.field_errors]
    if problems:
        raise errors.ValidationFailed(field_errors=problems)
    return ProductNewsDraft(prepared=prepared)


def news_page_text(draft: ProductNewsDraft) -> tuple[dict, dict]:
    """(title, body) for the news page in each language: the subject and the text part, rendered
    for nobody in particular, without the unsubscribe footer."""
    from chalicelib.campaigns.campaign_rendering import compile_campaign

    title, body = {}, {}
    for language, prepared in draft.prepared.items():
        parts = compile_campaign(prepared, language=language).render(
            {"contact_id": "", "email": "", "first_name": "", "last_name": "", "language": language, "fields": {}},
            {"unsubscribe_url": "#"})
        title[language] = parts.subject
        pieces = _SIGNATURE_LINE.split(parts.text)  # the footer is the last piece (its line may be trimmed)
        body[language] = "\n-- \n".join(pieces[:-1] if len(pieces) > 1 else pieces).strip()
    return title, body


class ProductNewsMail:
    """Renders product news for one account holder, with its unsubscribe link and headers."""

    def __init__(self, signer, public_base_url: str):
        self._signer = signer  # a callable giving the TokenSigner: the key is read on first use
        self._base_url = public_base_url.rstrip("/")
        self._compiled = {}  # compiled once per news and language, rendered per account holder

    def unsubscribe_url(self, account_id: str) -> str:
        return self._base_url + UNSUBSCRIBE_PATH + self._signer().sign(account_id.encode("utf-8"))

    def account_of(self, token: str) -> str:
        """The account id a token was made for; InvalidToken when it was altered or forged."""
        payload = self._signer().verify(token)
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidToken() from None

    def render(self, news: ProductNews, account) -> OutgoingMail | None:
        """The mail for this account holder, or None when they may not get it now (P4)."""
        if not account.active or not account.product_news:
            return None
        return self.render_for(news, account)

    def render_for(self, news: ProductNews, account) -> OutgoingMail:
        """The mail as this account holder gets it, whatever their choice (staff's preview)."""
        language = account.language if account.language in LANGUAGES else i18n.DEFAULT_LANGUAGE
        url = self.unsubscribe_url(account.account_id)
        first_name, _, last_name = account.name.partition(" ")
        parts = self._compiled_for(news, language).render(
            {"contact_id": account.account_id, "email": account.email, "first_name": first_name,
             "last_name": last_name, "language": language, "fields": {}},
            {"unsubscribe_url": url, "preferences_url": self._base_url + "/settings#product-news"})
        return OutgoingMail(to=(account.email,), subject=parts.subject, text=parts.text, html=parts.html,
                            headers=(("List-Unsubscribe", f"<{url}>"),
                                     ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")),
                            tags={"template": "product_news", "account": account.account_id,
                                  "product_news": news.news_id})


    def _compiled_for(self, news: ProductNews, language: str):
        from chalicelib.campaigns.campaign_rendering import compile_campaign
        from chalicelib.campaigns.template_saving import PreparedTemplate

        content = (news.subject[language], news.html[language], news.text[language])
        key = (news.news_id, language, content)  # the content too: every preview is news "preview"
        compiled = self._compiled.get(key)  # the broadcast renders from several threads: no check-then-read
        if compiled is None:
            compiled = compile_campaign(PreparedTemplate(*content), language=language)
            if len(self._compiled) >= COMPILED_KEPT:
                self._compiled.clear()
            self._compiled[key] = compiled
        return compiled


def unsubscribe_signer(secret: bytes) -> TokenSigner:
    return TokenSigner(secret, UNSUBSCRIBE_PURPOSE)
