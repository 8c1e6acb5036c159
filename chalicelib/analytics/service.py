"""First-party page analytics (P2, P14): the beacon's page views, only with the visitor's consent.

`AnalyticsService.record_page_view` takes one report of the beacon with the visitor's cookie choice
(P9, checked again here: the script's silence is not relied on). Without analytics consent nothing
is kept. With it, one raw event is kept for RAW_EVENT_RETENTION_S (13 months, DynamoDB's TTL
removes it) holding the time, the path, time on page, referrer host, browser and OS family, screen
resolution and the truncated IP address (never the full one, never the user agent); and the day's
counters (per path, referrer host, browser, OS, screen resolution, and sign-ups) grow, which are
kept for good. Only when the choice includes marketing is the view of a signed-in visitor linked to
the account (P14: conversion analysis), and only then is the account even looked up.

Writes are cheap and bounded:
- batched: accepted views wait in a buffer of this container (one per Lambda container) until it
  holds `buffer_events` (24) or its oldest is `buffer_age_s` old. Then one BatchWriteItem carries
  the batch's raw events and one more item: the batch's counts (views per path, referrer, browser,
  OS, screen, sign-ups), so a view costs one write unit for its raw event and a small share of the
  batch's counts item, about 1.1 write units in all (bench/beacon_bench.py measures it), and one
  DynamoDB call serves 24 views. A day's counts items are settled into one total for the day (kept,
  no TTL) by the first batch of the next day in each container and by the dashboard; later ones
  are added to it. A container that Lambda retires loses what its buffer held (at most 23 views,
  or those of `buffer_age_s`): the price of batching, acceptable for statistics.
- rate-limited per truncated address: at most `per_address_per_minute` views (30) from one /24 or
  /48 per container and minute, and at most `per_container_per_minute` (600) in all; the rest are
  refused with 429 before anything is parsed further or stored. With the WAF's rule on `/t/` (100
  requests per 5 minutes per address) in front, a flood from one address stores at most 20 views
  a minute, and no flood makes one container write more than 600 raw events and 25 counts items
  (at most 15 KB each, with every path and referrer at its longest) a minute: at most 1,000 write
  units a minute per container, about $0.0007 (see README "Analytics").
"""

import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Callable
from zoneinfo import ZoneInfo

from chalicelib.ip_truncation import truncate_ip
from chalicelib.analytics.reports import PageViewReport
from chalicelib.analytics.user_agents import families
from chalicelib.observability import logger

AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # the days of the dashboard are Dutch days
RAW_EVENT_RETENTION_S = 396 * 24 * 3600  # 13 months (of 30.44 days), then DynamoDB's TTL removes the event
BUFFER_EVENTS = 24  # with the batch's counts item: one BatchWriteItem (25 items)
BUFFER_AGE_S = 10.0
PER_ADDRESS_PER_MINUTE = 30
PER_CONTAINER_PER_MINUTE = 600
DASHBOARD_DAYS = 30
TOP_ROWS = 10
# The page the app shows right after a successful sign-up: a view of it is a sign-up conversion.
SIGN_UP_PATH = "/register/check-inbox"
UNKNOWN_ADDRESS = "unknown"  # requests without a source address share one rate limit


class Outcome(Enum):
    STORED = "stored"  # accepted (in this container's buffer, written with its batch)
    NO_CONSENT = "no-consent"  # nothing kept: the visitor did not allow analytics
    RATE_LIMITED = "rate-limited"  # nothing kept: too many views from this address this minute


class Dimension(str, Enum):
    """The daily counters beside the total: each counts views per value."""

    PATH = "path"
    REFERRER = "referrer"
    BROWSER = "browser"
    OS = "os"
    SCREEN = "screen"


TOTAL = "views"  # the counter of all views of a day
LINKED = "linked"  # views linked to a signed-in account (marketing consent)
SIGN_UPS = "conversion#sign_up"


@dataclass(frozen=True)
class PageView:
    """One raw event, as stored."""

    at: datetime  # UTC
    day: str  # the Amsterdam date, ISO
    path: str
    dwell_ms: int
    referrer_host: str
    browser: str
    os: str
    screen: str
    ip: str | None  # truncated (/24, /48)
    account_id: str | None  # only with marketing consent, for a signed-in visitor
    expires_at: int  # epoch seconds: DynamoDB's TTL

    def counters(self) -> list[str]:
        """The day's counters this view adds one to (sort keys under its day)."""
        keys = [TOTAL, f"{Dimension.PATH.value}#{self.path}", f"{Dimension.BROWSER.value}#{self.browser}",
                f"{Dimension.OS.value}#{self.os}", f"{Dimension.SCREEN.value}#{self.screen}"]
        if self.referrer_host:
            keys.append(f"{Dimension.REFERRER.value}#{self.referrer_host}")
        if self.account_id:
            keys.append(LINKED)
        if self.path == SIGN_UP_PATH:
            keys.append(SIGN_UPS)
        return keys


class WindowLimit:
    """Fixed one-minute windows of counts per key, in this container; forgotten each new minute, so
    a flood of addresses cannot grow it beyond one minute's keys."""

    def __init__(self, per_key: int, total: int):
        self._per_key, self._total = per_key, total
        self._window = None
        self._counts: Counter = Counter()
        self._all = 0

    def admit(self, key: str, now_s: float) -> bool:
        window = int(now_s // 60)
        if window != self._window:
            self._window, self._counts, self._all = window, Counter(), 0
        if self._all >= self._total or self._counts[key] >= self._per_key:
            return False
        self._counts[key] += 1
        self._all += 1
        return True


@dataclass(frozen=True)
class DayFigures:
    day: date
    views: int
    sign_ups: int


@dataclass(frozen=True)
class Dashboard:
    """What the staff dashboard shows for the last `len(days)` Amsterdam days, today included."""

    days: list[DayFigures]
    top: dict[Dimension, list[tuple[str, int]]]  # per dimension the TOP_ROWS values with most views
    views: int
    sign_ups: int
    register_views: int  # views of the sign-up form: the funnel's start
    linked_views: int

    @property
    def sign_up_rate(self) -> float | None:
        """Sign-ups per view of the sign-up form (None before anyone saw the form)."""
        return self.sign_ups / self.register_views if self.register_views else None


REGISTER_PATH = "/register"


class AnalyticsService:
    def __init__(self, store, *, clock: Callable[[], float] = time.time, buffer_events: int = BUFFER_EVENTS,
                 buffer_age_s: float = BUFFER_AGE_S, per_address_per_minute: int = PER_ADDRESS_PER_MINUTE,
                 per_container_per_minute: int = PER_CONTAINER_PER_MINUTE):
        self._store = store
        self._clock = clock
        self._buffer_events, self._buffer_age_s = buffer_events, buffer_age_s
        self._limit = WindowLimit(per_address_per_minute, per_container_per_minute)
        self._buffer: list[PageView] = []
        self._oldest_s = 0.0
        self._settled_before: date | None = None  # the day whose day before this container settled
        self._lock = threading.Lock()

    def record_page_view(self, report: PageViewReport, *, analytics: bool, marketing: bool, ip: str | None,
                         user_agent: str | None, signed_in_account_id: Callable[[], str | None]) -> Outcome:
        """Keep one page view, if the visitor's choice allows it. `signed_in_account_id` is called only
        when the choice includes marketing: without it, the account is neither looked up nor linked."""
        if not analytics:
            return Outcome.NO_CONSENT
        now_s = self._clock()
        address = truncate_ip(ip)
        with self._lock:
            admitted = self._limit.admit(address or UNKNOWN_ADDRESS, now_s)
        if not admitted:
            return Outcome.RATE_LIMITED
        browser, system = families(user_agent)
        at = datetime.fromtimestamp(now_s, timezone.utc)
        view = PageView(at=at, day=at.astimezone(AMSTERDAM).date().isoformat(), path=report.path,
                        dwell_ms=report.dwell_ms, referrer_host=report.referrer_host, browser=browser, os=system,
                        screen=report.screen, ip=address,
                        account_id=signed_in_account_id() if marketing else None,
                        expires_at=int(now_s) + RAW_EVENT_RETENTION_S)
        with self._lock:
            if not self._buffer:
                self._oldest_s = now_s
            self._buffer.append(view)
            due = len(self._buffer) >= self._buffer_events or now_s - self._oldest_s >= self._buffer_age_s
        if due:
            self.flush()
        return Outcome.STORED

    def flush(self) -> int:
        """Write what the buffer holds: its raw events and, per day, the counts they add. Returns the
        number of views written. The first batch of a new day in this container settles the day before."""
        with self._lock:
            views, self._buffer = self._buffer, []
        if not views:
            return 0
        counts: dict[str, Counter] = {}
        for view in views:
            counts.setdefault(view.day, Counter()).update(view.counters())
        self._store.write(views, {day: dict(found) for day, found in counts.items()}, views[-1].expires_at)
        today = self._today()
        if self._settled_before != today:
            self._settled_before = today
            try:
                self._store.counters((today - timedelta(days=1)).isoformat(), settle=True)
            except Exception as error:  # the dashboard settles it later; the visitor's page goes on
                logger.warning("analytics day not settled", reason=type(error).__name__)
        return len(views)

    def _today(self) -> date:
        return datetime.fromtimestamp(self._clock(), timezone.utc).astimezone(AMSTERDAM).date()

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def dashboard(self, days: int = DASHBOARD_DAYS) -> Dashboard:
        """The last `days` Amsterdam days' figures, from the daily counters (today's so far)."""
        self.flush()  # what this container still holds counts too
        today = self._today()
        period = [today - timedelta(days=days - 1 - n) for n in range(days)]
        totals: dict[Dimension, Counter] = {dimension: Counter() for dimension in Dimension}
        figures, all_counts = [], Counter()
        for day in period:
            counters = self._store.counters(day.isoformat(), settle=day < today)
            all_counts.update({key: n for key, n in counters.items() if "#" not in key or key.startswith("conversion#")})
            figures.append(DayFigures(day, counters.get(TOTAL, 0), counters.get(SIGN_UPS, 0)))
            for key, n in counters.items():
                kind, _, value = key.partition("#")
                if value and kind in Dimension._value2member_map_:
                    totals[Dimension(kind)][value] += n
        return Dashboard(days=figures, top={d: totals[d].most_common(TOP_ROWS) for d in Dimension},
                         views=all_counts[TOTAL], sign_ups=all_counts[SIGN_UPS],
                         register_views=totals[Dimension.PATH][REGISTER_PATH], linked_views=all_counts[LINKED])


class AccountPageViews:
    """The page views linked to an account (only ever with marketing consent), in the account's data
    export and erasure (P13): a `Section` of `chalicelib.accounts.data_rights`, wired in the composition root."""

    FILE = "page_views.json"

    def __init__(self, service: "AnalyticsService", store):
        self._service, self._store = service, store

    def export(self, account) -> dict:
        return {self.FILE: self._store.linked_views(account.account_id)}

    def erase(self, account) -> None:
        self._service.flush()  # a view of this account still in this container's buffer goes too
        self._store.forget_account(account.account_id)


def new_event_key(at: datetime) -> str:
    """A raw event's or counts item's sort key: its time, then random bits so two in one microsecond both stay."""
    return f"{at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{secrets.token_hex(4)}"
