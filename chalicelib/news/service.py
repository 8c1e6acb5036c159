"""The news page's logic: publishing entries, the unread count, the page with its unread marks,
and staff's service announcements (P16) with their optional maintenance banner.

Who gets an announcement by mail is not decided here: publishing one fires `announcement_published`
with the `Announcement`, and the composition root subscribes the delivery (the broadcast engine:
every active account, exactly once, regardless of marketing preferences).
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from chalicelib import errors
from chalicelib.accounts.audit import AuditEvent
from chalicelib.hooks import Hook
from chalicelib.i18n import N_
from chalicelib.news.items import LANGUAGES, MaintenanceBanner, NewsItem, NewsKind, entry_id_for, id_moment

PAGE_SIZE = 50  # entries on the news page
RESUME_DAYS = 7  # how long the daily job keeps resuming an announcement's or product news' delivery
HEAD_REUSE_S = 5.0  # the banners reuse the HEAD the unread count just read, within one page render
TITLE_MAX = 150
BODY_MAX = 5000
STAFF_TIME_ZONE = ZoneInfo("Europe/Amsterdam")  # staff enter maintenance windows in Amsterdam time
INVALID_UNSUBSCRIBE_LINK = N_("This link is not valid. Copy the whole link from the mail.")


def now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Announcement:
    """A published service announcement: what the delivery mails to every active account."""

    announcement_id: str  # the id of its news entry
    title: dict  # "nl"/"en" -> plain text
    body: dict  # "nl"/"en" -> plain text, paragraphs separated by blank lines
    published_at: datetime
    published_by: str  # the staff account's id
    banner_start: datetime | None = None
    banner_end: datetime | None = None


@dataclass(frozen=True)
class AnnouncementDraft:
    """A checked announcement form, not yet published."""

    title: dict
    body: dict
    banner_start: datetime | None = None
    banner_end: datetime | None = None


@dataclass(frozen=True)
class NewsEntry:
    """An entry as one account sees it on the news page."""

    item: NewsItem
    unread: bool


def _seen_floor(account) -> str:
    """Entries published before the account existed are not news to it: they count as read."""
    return id_moment(account.created_at)


def _field_error(name: str, message: str, **params) -> errors.FieldError:
    return errors.FieldError(name, message, tuple(params.items()))


def _parse_local_time(value: str) -> datetime:
    """A datetime-local value ("2026-12-24T22:00") in Amsterdam time, as UTC."""
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=STAFF_TIME_ZONE)
    return moment.astimezone(timezone.utc)


def announcement_draft(form: dict, at: datetime) -> AnnouncementDraft:
    """Check staff's announcement form: a title and a message in both languages, and either no
    banner or a window that ends after it starts and after `at`. ValidationFailed names each field."""
    problems, title, body = [], {}, {}
    for language in LANGUAGES:
        for name, limit, into in (("title", TITLE_MAX, title), ("body", BODY_MAX, body)):
            value = (form.get(f"{name}_{language}") or "").strip()
            if not value:
                problems.append(_field_error(f"{name}_{language}", N_("Fill in this field.")))
            elif len(value) > limit:
                problems.append(_field_error(f"{name}_{language}", N_("Use at most %(limit)s characters."),
                                             limit=limit))
            into[language] = value.replace("\r\n", "\n")
    window = {}
    for name in ("banner_start", "banner_end"):
        value = (form.get(name) or "").strip()
        if value:
            try:
                window[name] = _parse_local_time(value)
            except ValueError:
                problems.append(_field_error(name, N_("Enter a date and time, such as 2026-12-24 22:00.")))
    raw_start, raw_end = (form.get("banner_start") or "").strip(), (form.get("banner_end") or "").strip()
    if raw_start and not raw_end:
        problems.append(_field_error("banner_end", N_("A banner needs an end as well as a start.")))
    elif raw_end and not raw_start:
        problems.append(_field_error("banner_start", N_("A banner needs a start as well as an end.")))
    start, end = window.get("banner_start"), window.get("banner_end")
    if start and end:
        if end <= start:
            problems.append(_field_error("banner_end", N_("The end must come after the start.")))
        elif end <= at:
            problems.append(_field_error("banner_end", N_("The end must be in the future.")))
    if problems:
        raise errors.ValidationFailed(field_errors=problems)
    return AnnouncementDraft(title=title, body=body, banner_start=start if start and end else None,
                             banner_end=end if start and end else None)


class NewsService:
    """The news page's entries and read marks, and staff's announcements."""

    def __init__(self, repository, audit_log, *, accounts=None, product_news_mail=None, withdraw_product_news=None,
                 announcement_mail=None, clock=now, monotonic=time.monotonic):
        """`accounts` finds an account by id; `product_news_mail` is a `ProductNewsMail`;
        `withdraw_product_news(account, ip)` records an account's withdrawal of its consent;
        `announcement_mail(announcement, account)` renders an announcement for one account."""
        self._news = repository
        self._audit = audit_log
        self._accounts = accounts
        self._product_news_mail = product_news_mail
        self._withdraw_product_news = withdraw_product_news
        self._announcement_mail = announcement_mail
        self._clock = clock
        self._monotonic = monotonic
        self._head = None  # (when read, index, banners): the HEAD the last unread count read
        # Fired with the `Announcement` once it is on the news page; the delivery subscribes to it.
        self.announcement_published = Hook()
        # Fired with the `ProductNews` once it is on the news page; the delivery subscribes to it.
        self.product_news_published = Hook()

    # --- the news page -------------------------------------------------------------------------

    def publish(self, item: NewsItem) -> NewsItem:
        """Put an entry on every account's news page (for `active_only` ones, only active accounts'),
        unread for each. With `item.key`, publishing the same item again keeps one entry."""
        published = NewsItem(**{**item.__dict__, "entry_id": item.entry_id or entry_id_for(item.published_at, item.key)})
        self._news.add(published)
        self._head = None
        return published

    def entry(self, entry_id: str) -> NewsItem | None:
        return self._news.entry(entry_id)

    def unread_count(self, account) -> int:
        """How many entries the account has not seen: one BatchGetItem, whatever the number of entries."""
        index, banners, seen = self._news.page_state(account.account_id)
        self._head = (self._monotonic(), index, banners)
        floor = max(seen or "", _seen_floor(account))
        return sum(1 for entry_id, active_only in index if entry_id > floor and (account.active or not active_only))

    def news_page(self, account) -> list[NewsEntry]:
        """The newest entries for this account, each marked unread until now; opening the page marks
        what it shows as read (the account's read mark moves up to the newest shown)."""
        index, banners, seen = self._news.page_state(account.account_id)
        self._head = (self._monotonic(), index, banners)
        floor = max(seen or "", _seen_floor(account))
        shown = [item for item in self._news.entries(PAGE_SIZE) if account.active or not item.active_only]
        entries = [NewsEntry(item, item.entry_id > floor) for item in shown]
        if any(entry.unread for entry in entries):
            self._news.mark_seen(account.account_id, max(item.entry_id for item in shown))
        return entries

    # --- banners -------------------------------------------------------------------------------

    def banners_for(self, account) -> list[MaintenanceBanner]:
        """The maintenance banners to show now (for active accounts: announcements are theirs)."""
        if not account.active:
            return []
        if self._head is not None and self._monotonic() - self._head[0] <= HEAD_REUSE_S:
            banners = self._head[2]
        else:
            banners = self._news.head()[1]
        moment = self._clock()
        return [banner for banner in banners if banner.shown_at(moment)]

    # --- service announcements (P16) ------------------------------------------------------------

    def publish_announcement(self, staff, draft: AnnouncementDraft, ip: str | None) -> Announcement:
        """Publish a service announcement: on the news page of active accounts, with its banner if
        it has a window, audited; then `announcement_published` hands it to the delivery."""
        moment = self._clock()
        item = self.publish(NewsItem(kind=NewsKind.SERVICE, title=draft.title, body=draft.body, published_at=moment,
                                     link="/news", active_only=True))
        announcement = Announcement(announcement_id=item.entry_id, title=draft.title, body=draft.body,
                                    published_at=moment, published_by=staff.account_id,
                                    banner_start=draft.banner_start, banner_end=draft.banner_end)
        if draft.banner_start is not None:
            self._news.remove_banners([b for b in self._news.head()[1] if b.end <= moment])
            self._news.add_banner(MaintenanceBanner(banner_id=item.entry_id, start=draft.banner_start,
                                                    end=draft.banner_end, text=draft.title))
        self._audit.record(staff.account_id, AuditEvent.ANNOUNCEMENT_PUBLISHED, ip, announcement=item.entry_id,
                           title=draft.title["en"], banner_start=_iso(draft.banner_start),
                           banner_end=_iso(draft.banner_end))
        self.announcement_published(announcement)
        return announcement

    def recently_published(self, kind: NewsKind, days: int = RESUME_DAYS) -> list[str]:
        """The ids of the entries of this kind published in the last `days` days, newest first: the
        messages whose delivery the daily job resumes if it stopped."""
        since = self._clock() - timedelta(days=days)
        return [item.entry_id for item in self._news.entries(PAGE_SIZE)
                if item.kind is kind and item.published_at >= since]

    def announcement(self, announcement_id: str) -> Announcement | None:
        """A published announcement again, by its id (for a delivery job that resumes)."""
        item = self._news.entry(announcement_id)
        if item is None or item.kind is not NewsKind.SERVICE:
            return None
        return Announcement(announcement_id=item.entry_id, title=item.title, body=item.body,
                            published_at=item.published_at, published_by="")

    def announcement_mail(self, announcement: Announcement, account):
        """The announcement's mail (`OutgoingMail`) for one account: None for a deactivated one (P16)."""
        return self._announcement_mail(announcement, account) if account.active else None

    # --- product news (P4) ---------------------------------------------------------------------

    def publish_product_news(self, staff, draft, ip: str | None):
        """Publish product news: kept for the delivery, on the news page, audited; then
        `product_news_published` hands it to the delivery (to opted-in active accounts only)."""
        from chalicelib.news.product_news import ProductNews, news_page_text

        moment = self._clock()
        title, body = news_page_text(draft)
        entry_id = entry_id_for(moment)
        news = ProductNews(news_id=entry_id, published_at=moment, published_by=staff.account_id,
                           subject={language: p.subject for language, p in draft.prepared.items()},
                           html={language: p.html for language, p in draft.prepared.items()},
                           text={language: p.text for language, p in draft.prepared.items()})
        self._news.add_product_news(news)
        self.publish(NewsItem(kind=NewsKind.PRODUCT, title=title, body=body, published_at=moment, entry_id=entry_id))
        self._audit.record(staff.account_id, AuditEvent.PRODUCT_NEWS_PUBLISHED, ip, product_news=entry_id,
                           subject=news.subject["en"])
        self.product_news_published(news)
        return news

    def product_news(self, news_id: str):
        """Published product news again, by its id (for a delivery job that resumes)."""
        return self._news.product_news(news_id)

    def product_news_mail(self, news, account):
        """The product news mail (`OutgoingMail`) for one account, with its unsubscribe link and
        RFC 8058 headers; None unless the account is active and opted in, as it is now."""
        return self._product_news_mail.render(news, account)

    def preview_product_news(self, staff, draft) -> list:
        """(language, OutgoingMail) for each language: the mail as an account holder gets it."""
        from dataclasses import replace

        from chalicelib.news.product_news import ProductNews

        news = ProductNews(news_id="preview", published_at=self._clock(), published_by=staff.account_id,
                           subject={language: p.subject for language, p in draft.prepared.items()},
                           html={language: p.html for language, p in draft.prepared.items()},
                           text={language: p.text for language, p in draft.prepared.items()})
        return [(language, self._product_news_mail.render_for(news, replace(staff, language=language)))
                for language in LANGUAGES]

    def unsubscribe_account(self, token: str):
        """Whose product news a link stops: the account, or None when it no longer exists.
        LinkRefused (400) when the token was altered or forged."""
        from chalicelib.accounts.auth_store import LinkProblem, LinkRefused
        from chalicelib.signing import InvalidToken

        try:
            account_id = self._product_news_mail.account_of(token)
        except InvalidToken:
            raise LinkRefused(LinkProblem.UNKNOWN, INVALID_UNSUBSCRIBE_LINK) from None
        return self._accounts(account_id)

    def unsubscribe_product_news(self, token: str, ip: str | None) -> None:
        """Turn the link's account's product news off at once, recorded as a withdrawal of consent
        (audited) as Settings & Options records it; nothing to do when it is off already."""
        account = self.unsubscribe_account(token)
        if account is not None and account.product_news:
            self._withdraw_product_news(account, ip)

    def forget_reader(self, account_id: str) -> None:
        """Erasure: the account's read mark."""
        self._news.forget_reader(account_id)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
