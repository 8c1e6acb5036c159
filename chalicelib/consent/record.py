"""One recorded cookie choice (P9): what the banner's proof of consent holds, and nothing more.

Every choice (the first one, each change, each withdrawal) is its own record: when it was made,
what was chosen (the cookie's value, e.g. ``1.analytics``), on which banner version, the IP address
shortened (`chalicelib.ip_truncation`) and the random consent id that links one browser's choices.
No account, no user agent, no full IP address.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class RecordKind(Enum):
    GIVEN = "given"  # the first choice this browser made (or the first after its cookie was lost)
    CHANGED = "changed"  # a new choice that takes no permission back (the same again, or more)
    WITHDRAWN = "withdrawn"  # a new choice without analytics or marketing the previous one had


@dataclass(frozen=True)
class ConsentRecord:
    consent_id: str
    recorded_at: datetime  # aware, UTC
    choice: str  # the cookie's value: "<banner version>.<analytics|marketing|essential>..."
    analytics: bool
    marketing: bool
    banner_version: int
    kind: RecordKind
    ip_prefix: str | None  # the truncated IP address; None when the request had no readable one
    expires_at: int  # epoch seconds: DynamoDB's TTL removes the record then
