"""What the news page shows: entries in Dutch and English, of three kinds, and maintenance banners.

An entry's id sorts by its publication time (`20261207T110000123456Z-<suffix>`), so the newest
entries come first from one Query and "seen up to" is a single id per account.
"""

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum

from chalicelib.i18n import N_

LANGUAGES = ("nl", "en")


class NewsKind(str, Enum):
    PRODUCT = "product"  # product news and offers (P4): mailed only to accounts that opted in
    POLICY = "policy"  # privacy policy changes (P17): published by the policy versions
    SERVICE = "service"  # service announcements, such as maintenance (P16)


KIND_NAMES = {NewsKind.PRODUCT: N_("Product news"), NewsKind.POLICY: N_("Privacy policy"),
              NewsKind.SERVICE: N_("Service announcement")}

_KEY = re.compile(r"[^A-Za-z0-9_.-]+")


def id_moment(moment: datetime) -> str:
    """The time part of entry ids: every entry published after `moment` has a greater id."""
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def entry_id_for(published_at: datetime, key: str | None = None) -> str:
    """A new entry's id: its UTC publication time to the microsecond, then the caller's key (the
    same key and time give the same id, so publishing twice keeps one entry) or a random suffix."""
    moment = id_moment(published_at)
    suffix = _KEY.sub("-", key)[:80] if key else secrets.token_hex(6)
    return f"{moment}-{suffix}"


@dataclass(frozen=True)
class NewsItem:
    """One entry of the news page. `title` and `body` map "nl" and "en" to plain text; `link` is
    where to read more (a path such as /privacy, or an https address). `active_only` entries are
    not shown to deactivated accounts (service announcements). `key` makes publishing idempotent:
    the same key and time publish one entry, however often the caller repeats it."""

    kind: NewsKind
    title: dict
    body: dict
    published_at: datetime
    link: str | None = None
    active_only: bool = False
    key: str | None = None
    entry_id: str | None = None  # set once published

    def text(self, part: str, language: str) -> str:
        """The title or body in this language, else in the other one."""
        values = getattr(self, part)
        return values.get(language) or next((values[other] for other in LANGUAGES if values.get(other)), "")


@dataclass(frozen=True)
class MaintenanceBanner:
    """A banner above every app page from `start` until `end` (a maintenance window)."""

    banner_id: str
    start: datetime
    end: datetime
    text: dict = field(default_factory=dict)  # "nl"/"en" -> the line shown
    link: str | None = "/news"

    def shown_at(self, moment: datetime) -> bool:
        return self.start <= moment < self.end
