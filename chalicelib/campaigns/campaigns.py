"""Campaigns and templates as the domain sees them."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from chalicelib.i18n import N_


class CampaignState(str, Enum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    PAUSED = "paused"
    CANCELLED = "cancelled"


# Which state may follow which: pause, resume and cancel are the only ways to interfere with a send.
TRANSITIONS = {
    CampaignState.DRAFT: {CampaignState.SCHEDULED, CampaignState.CANCELLED},
    CampaignState.SCHEDULED: {CampaignState.SENDING, CampaignState.PAUSED, CampaignState.CANCELLED,
                              CampaignState.DRAFT},
    CampaignState.SENDING: {CampaignState.SENT, CampaignState.PAUSED, CampaignState.CANCELLED},
    CampaignState.PAUSED: {CampaignState.SENDING, CampaignState.SCHEDULED, CampaignState.CANCELLED},
    CampaignState.SENT: set(),
    CampaignState.CANCELLED: set(),
}

STATE_NAMES = {
    CampaignState.DRAFT: N_("Draft"), CampaignState.SCHEDULED: N_("Scheduled"), CampaignState.SENDING: N_("Sending"),
    CampaignState.SENT: N_("Sent"), CampaignState.PAUSED: N_("Paused"), CampaignState.CANCELLED: N_("Cancelled"),
}

# Why the scheduler paused a campaign instead of starting it (Campaign.held_because).
DOMAIN_NOT_VERIFIED = "domain-not-verified"
RECIPIENT_LIMIT = "recipient-limit"
HOLD_REASONS = {
    DOMAIN_NOT_VERIFIED: N_("It was not started: SES no longer has the domain of its from address verified. Check "
                              "the domain under Sending domains (or send from the shared address), then resume."),
    RECIPIENT_LIMIT: N_("It was not sent: its recipients would go over the monthly recipients of your plan (see "
                        "Usage). Nothing of it was queued. Upgrade your plan under Settings & Options, or wait "
                        "for next month, then resume."),
}


def stored_bytes(template: "Template") -> int:
    """What a template counts towards the account's storage (P3): its name, subject and both parts."""
    return sum(len((part or "").encode("utf-8")) for part in (template.name, template.subject, template.html,
                                                              template.text))


@dataclass
class Template:
    template_id: str
    account_id: str
    name: str
    subject: str
    html: str
    text: str
    text_derived: bool
    links: tuple
    created_at: datetime
    updated_at: datetime


@dataclass
class Fanout:
    """How far the fan-out got: pages enqueued, the cursor of the next page, recipients so far."""

    page: int = 0
    cursor: str | None = None
    recipients: int = 0
    done: bool = False

    def to_dict(self) -> dict:
        return {"page": self.page, "cursor": self.cursor, "recipients": self.recipients, "done": self.done}

    @classmethod
    def from_dict(cls, data: dict | None) -> "Fanout":
        data = data or {}
        return cls(int(data.get("page", 0)), data.get("cursor"), int(data.get("recipients", 0)),
                   bool(data.get("done", False)))


@dataclass(frozen=True)
class RecipientIndex:
    """How far the index of who received a sent campaign got (received.py): its buckets are keyed by
    the first `prefix_length` hex digits of a contact id, written in `passes` passes."""

    prefix_length: int
    passes: int
    done_passes: int

    @property
    def complete(self) -> bool:
        return self.done_passes >= self.passes


@dataclass
class Campaign:
    campaign_id: str
    account_id: str
    name: str
    subject: str
    from_name: str
    reply_to: str | None
    template_id: str | None
    list_id: str | None
    segment_id: str | None
    state: CampaignState
    created_at: datetime
    updated_at: datetime
    send_at: datetime | None = None
    time_zone: str = "Europe/Amsterdam"
    tracking: bool = True
    content: dict | None = None  # the template as it was when the campaign was scheduled
    fanout: Fanout = field(default_factory=Fanout)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    recipient_index: RecipientIndex | None = None  # set once sent, by the index job
    from_email: str | None = None  # on one of the account's sending domains; None: MailExpert's shared address
    held_because: str | None = None  # why the scheduler paused it instead of starting it (a HOLD_REASONS key)
