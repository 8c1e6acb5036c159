"""Recording cookie choices so they can be proven (P9), and reading them back.

Each choice the banner or the cookie settings page sends is stored as a new record
(`chalicelib.consent.record`) under the browser's consent id: a random id the consent-id cookie
keeps, so a later change or withdrawal lands beside the first choice. An id from a cookie is used
only if it has the shape this service gives ids; otherwise a new one is made. The IP address is
shortened here, before the record exists: the full address never reaches the repository.

Records are kept for `RECORD_RETENTION` (DynamoDB's TTL deletes them after): as long as a choice
can be in force (the cookie's six months) plus the longest time data collected under it is kept
(raw page views: 13 months), rounded up to two years.
"""

import re
import secrets
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.consent.record import ConsentRecord, RecordKind
from chalicelib.ip_truncation import truncate_ip

RECORD_RETENTION = timedelta(days=730)
_CONSENT_ID = re.compile(r"[A-Za-z0-9_-]{22}")  # 16 random bytes, URL-safe base64


class Choice(Protocol):
    """A cookie choice (`chalicelib.web.consent_cookie.ConsentChoice` in the app)."""

    analytics: bool
    marketing: bool
    version: int

    @property
    def value(self) -> str: ...


def new_consent_id() -> str:
    return secrets.token_urlsafe(16)


def valid_consent_id(value: str | None) -> bool:
    return bool(value) and _CONSENT_ID.fullmatch(value) is not None


def _kind(previous: Choice | None, choice: Choice) -> RecordKind:
    if previous is None:
        return RecordKind.GIVEN
    if (previous.analytics and not choice.analytics) or (previous.marketing and not choice.marketing):
        return RecordKind.WITHDRAWN
    return RecordKind.CHANGED


class ConsentService:
    def __init__(self, records, clock, new_id=new_consent_id):
        """`records`: a consent record repository; `clock()`: an aware UTC datetime."""
        self._records = records
        self._clock = clock
        self._new_id = new_id

    def record_choice(self, choice: Choice, *, consent_id: str | None, previous: Choice | None,
                      ip: str | None) -> ConsentRecord:
        """Store one choice; returns the record (its consent id is the one to keep in the cookie).
        `consent_id` and `previous` are what the browser's cookies said (None: nothing usable)."""
        now: datetime = self._clock()
        record = ConsentRecord(
            consent_id=consent_id if valid_consent_id(consent_id) else self._new_id(),
            recorded_at=now, choice=choice.value, analytics=choice.analytics, marketing=choice.marketing,
            banner_version=choice.version, kind=_kind(previous, choice), ip_prefix=truncate_ip(ip),
            expires_at=int((now + RECORD_RETENTION).timestamp()))
        self._records.add(record)
        return record

    def history(self, consent_id: str | None) -> list[ConsentRecord]:
        """Every kept record of one consent id, oldest first: the proof of what was chosen when."""
        return self._records.of(consent_id) if valid_consent_id(consent_id) else []
