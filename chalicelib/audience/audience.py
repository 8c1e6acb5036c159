"""The audience as the domain sees it: lists, contacts, memberships with consent, suppressions."""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from chalicelib.i18n import N_


class MemberStatus(str, Enum):
    UNCONFIRMED = "unconfirmed"  # signed up, confirmation mail sent, not yet confirmed
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"


class SuppressionReason(str, Enum):
    UNSUBSCRIBED = "unsubscribed"  # left every list of this sender
    HARD_BOUNCE = "hard-bounce"
    SOFT_BOUNCES = "repeated-soft-bounce"  # transient bounces, 3 within 30 days (delivery.reputation)
    COMPLAINT = "complaint"
    MANUAL = "manual"
    ERASED = "erased"  # the person was erased; only a hash of the address is kept


# Only "unsubscribed from everything" can be undone, and only by the person's own confirmed sign-up.
# Every other reason stays for good, and is never replaced by this weaker one.
PERSON_MAY_LIFT = (SuppressionReason.UNSUBSCRIBED,)

SUPPRESSION_REASON_NAMES = {
    SuppressionReason.UNSUBSCRIBED: N_("Unsubscribed from everything"),
    SuppressionReason.HARD_BOUNCE: N_("Address does not exist (hard bounce)"),
    SuppressionReason.SOFT_BOUNCES: N_("Mail kept bouncing (repeated soft bounces)"),
    SuppressionReason.COMPLAINT: N_("Marked as spam"),
    SuppressionReason.MANUAL: N_("Added by you"),
    SuppressionReason.ERASED: N_("Erased contact"),
}


class ContactOrder(str, Enum):
    """How the account's contacts are listed (/contacts, GET /api/v1/contacts?order=)."""
    NEWEST = "newest"  # newest added first (the default, once the by-added index is backfilled)
    OLDEST = "oldest"
    AZ = "az"  # by address
    ZA = "za"


BY_DATE_ADDED = (ContactOrder.NEWEST, ContactOrder.OLDEST)


class ConsentSource(str, Enum):
    FORM = "form"
    IMPORT = "import"
    API = "api"
    MANUAL = "manual"


def contact_id_for(account_id: str, email_key: str) -> str:
    """A contact's id follows from its address: one contact per address per account, found and
    written without a lookup (an import writes one item per new contact). Ids of different
    accounts differ for the same address."""
    return hashlib.sha256(f"{account_id}\x00{email_key}".encode("utf-8")).hexdigest()[:32]


def address_hash(email_key: str) -> str:
    """How a suppressed address is found, and all that is kept of it once its contact is erased."""
    return hashlib.sha256(email_key.encode("utf-8")).hexdigest()


@dataclass
class AudienceList:
    list_id: str
    account_id: str
    name: str
    description: str | None
    created_at: datetime


@dataclass
class Contact:
    contact_id: str
    account_id: str
    email: str
    email_key: str
    first_name: str | None = None
    last_name: str | None = None
    language: str | None = None
    fields: dict = field(default_factory=dict)
    tags: list = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class Membership:
    account_id: str
    list_id: str
    contact_id: str
    status: MemberStatus
    consent: dict | None  # proof of consent (GDPR Art. 7): source, time, IP, user agent, text, confirmation
    updated_at: datetime


@dataclass
class Suppression:
    email_hash: str
    email: str | None
    reason: SuppressionReason
    source: str
    at: datetime
