"""The news pages: the account's news page, and staff's service announcements (write, preview in
both languages as the account holder will get it, publish)."""

from dataclasses import replace

from chalice.app import Response

from chalicelib import errors, i18n
from chalicelib.accounts.page_routes import Visit, redirect, render_app_page
from chalicelib.forms import messages_by_field
from chalicelib.i18n import N_
from chalicelib.news.items import KIND_NAMES, LANGUAGES

NOTICES = {
    "published": N_("The announcement is published: it is on the news page, and it goes by mail to every "
                    "active account."),
}
ANNOUNCEMENT_FIELDS = ("title_nl", "body_nl", "title_en", "body_en", "banner_start", "banner_end")


def _notice(visit: Visit) -> str | None:
    key = visit.query.get("notice")
    return i18n.gettext(NOTICES[key]) if key in NOTICES else None


def _local(moment) -> str:
    from chalicelib.formatting import format_datetime

    return format_datetime(moment)  # in Amsterdam time, as the language writes it


def news_page(account, visit: Visit) -> Response:
    entries = visit.services.news.news_page(account)
    return render_app_page("pages/news.html", account, visit, "/news", unread_news=0, entries=entries,
                           kind_names=KIND_NAMES, local_time=_local)


# --- service announcements (staff) -------------------------------------------------------------

def announcement_page(account, visit: Visit, values=None, field_errors=None, previews=None, status=200) -> Response:
    return render_app_page("pages/staff/announcement.html", account, visit, "/staff", status=status,
                           values=values or {}, errors=field_errors or {}, previews=previews or [],
                           notice=_notice(visit))


def _draft(visit: Visit, form: dict):
    from chalicelib.news.service import announcement_draft, now

    return announcement_draft({k: form.get(k, "") for k in ANNOUNCEMENT_FIELDS}, now())


def submit_preview(account, form: dict, visit: Visit) -> Response:
    """The mail as an account holder will get it, in Dutch and in English, with the form to publish."""
    from chalicelib.config import settings
    from chalicelib.news.mail import render_announcement
    from chalicelib.news.service import Announcement, now

    values = {k: form.get(k, "") for k in ANNOUNCEMENT_FIELDS}
    try:
        draft = _draft(visit, form)
    except errors.ValidationFailed as invalid:
        return announcement_page(account, visit, values, messages_by_field(invalid), status=422)
    sample = Announcement(announcement_id="preview", title=draft.title, body=draft.body, published_at=now(),
                          published_by=account.account_id)
    previews = [(language, render_announcement(sample, replace(account, language=language), settings().public_base_url))
                for language in LANGUAGES]
    return announcement_page(account, visit, values, previews=previews)


def submit_announcement(account, form: dict, visit: Visit) -> Response:
    values = {k: form.get(k, "") for k in ANNOUNCEMENT_FIELDS}
    try:
        draft = _draft(visit, form)
    except errors.ValidationFailed as invalid:
        return announcement_page(account, visit, values, messages_by_field(invalid), status=422)
    visit.services.news.publish_announcement(account, draft, visit.ip)
    return redirect("/staff/announcements?notice=published")


# --- product news (staff) -------------------------------------------------------------------------

PRODUCT_NEWS_FIELDS = ("subject_nl", "html_nl", "subject_en", "html_en")
PRODUCT_NEWS_NOTICES = {
    "published": N_("The product news is published: it is on the news page, and it goes by mail to the active "
                    "accounts that opted in."),
}


def product_news_page(account, visit: Visit, values=None, field_errors=None, previews=None, status=200) -> Response:
    key = visit.query.get("notice")
    notice = i18n.gettext(PRODUCT_NEWS_NOTICES[key]) if key in PRODUCT_NEWS_NOTICES else None
    return render_app_page("pages/staff/product_news.html", account, visit, "/staff", status=status,
                           values=values or {}, errors=field_errors or {}, previews=previews or [], notice=notice)


def submit_product_news_preview(account, form: dict, visit: Visit) -> Response:
    from chalicelib.news.product_news import product_news_draft

    values = {k: form.get(k, "") for k in PRODUCT_NEWS_FIELDS}
    try:
        draft = product_news_draft(values)
    except errors.ValidationFailed as invalid:
        return product_news_page(account, visit, values, messages_by_field(invalid), status=422)
    return product_news_page(account, visit, values, previews=visit.services.news.preview_product_news(account, draft))


def submit_product_news(account, form: dict, visit: Visit) -> Response:
    from chalicelib.news.product_news import product_news_draft

    values = {k: form.get(k, "") for k in PRODUCT_NEWS_FIELDS}
    try:
        draft = product_news_draft(values)
    except errors.ValidationFailed as invalid:
        return product_news_page(account, visit, values, messages_by_field(invalid), status=422)
    visit.services.news.publish_product_news(account, draft, visit.ip)
    return redirect("/staff/product-news?notice=published")


# --- unsubscribing from product news (public: the signed link is the key) --------------------------

def unsubscribe_page(visit: Visit, token: str) -> Response:
    """A button, never an unsubscribe on GET: link scanners open every link in a mail."""
    from chalicelib.http import html
    from chalicelib.web import render_page

    account = visit.services.news.unsubscribe_account(token)
    done = account is None or not account.product_news
    return html(render_page("pages/product_news_unsubscribe.html", token=token, done=done))


def submit_unsubscribe(visit: Visit, token: str) -> Response:
    """RFC 8058 one-click: a POST turns product news off at once, whatever its body."""
    from chalicelib.http import html
    from chalicelib.web import render_page

    visit.services.news.unsubscribe_product_news(token, visit.ip)
    return html(render_page("pages/product_news_unsubscribe.html", token=token, done=True))
