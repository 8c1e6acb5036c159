"""The mails of the news: a service announcement (P16) for one account, in its language.

A service announcement is a service message: it carries no unsubscribe link (marketing opt-out
does not stop it), but a line saying that deactivating the account stops these messages, with the
link to Settings & Options. Rendering is pure; the delivery sends what it gets.
"""

from chalicelib import i18n
from chalicelib.delivery.mail import MailRequest, OutgoingMail
from chalicelib.delivery.render import render_mail

ANNOUNCEMENT_TEMPLATE = "service_announcement"


def _language(account) -> str:
    return account.language if account.language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def announcement_mail(announcement, account, public_base_url: str) -> MailRequest:
    """The announcement (`chalicelib.news.service.Announcement`) as a queued mail to the account holder."""
    language = _language(account)
    body = announcement.body.get(language) or ""
    return MailRequest(template=ANNOUNCEMENT_TEMPLATE, to=(account.email,), language=language,
                       context={"name": account.name, "title": announcement.title.get(language) or "",
                                "paragraphs": [p.strip() for p in body.split("\n\n") if p.strip()],
                                "news_url": public_base_url.rstrip("/") + "/news",
                                "settings_url": public_base_url.rstrip("/") + "/settings"},
                       tags={"account": account.account_id, "announcement": announcement.announcement_id})


def render_announcement(announcement, account, public_base_url: str) -> OutgoingMail:
    """The announcement rendered for the account holder, ready for the mail engine."""
    return render_mail(announcement_mail(announcement, account, public_base_url))
