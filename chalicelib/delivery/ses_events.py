"""SES delivery events as they arrive through SNS, parsed into one small typed record.

Accepts both of SES's documented JSON formats: configuration-set event publishing
(`eventType`, with the mail's tags) and identity notifications (`notificationType`, without tags;
with the original headers only when the identity is set to include them). Which mail of whose an
event is about is settled afterwards (`chalicelib.delivery.service.SesEventIngest`); parsing only
reads what the event says.
"""

import hashlib
import json
from dataclasses import dataclass
from enum import Enum
from urllib.parse import parse_qs, urlsplit

from chalicelib import errors
from chalicelib.delivery.mail import MailOrigin
from chalicelib.i18n import N_


class SesEventType(str, Enum):
    SEND = "Send"
    DELIVERY = "Delivery"
    BOUNCE = "Bounce"
    COMPLAINT = "Complaint"
    REJECT = "Reject"
    DELIVERY_DELAY = "DeliveryDelay"
    OPEN = "Open"
    CLICK = "Click"
    RENDERING_FAILURE = "Rendering Failure"
    SUBSCRIPTION = "Subscription"


@dataclass(frozen=True)
class SesEvent:
    event_type: SesEventType
    message_id: str
    occurred_at: str  # ISO 8601, as SES gives it
    recipients: tuple[str, ...]
    bounce_type: str | None = None  # Permanent, Transient, Undetermined
    bounce_subtype: str | None = None
    complaint_type: str | None = None
    tags: dict | None = None
    feedback_id: str | None = None  # SES's own id of a bounce or complaint: the same on each delivery
    headers: tuple[tuple[str, str], ...] = ()  # the mail's original headers, when SES includes them
    origin: MailOrigin | None = None  # whose mail: from the tags unless given, settled by SesEventIngest

    def __post_init__(self):
        if self.origin is None and self.tags:
            object.__setattr__(self, "origin", MailOrigin.from_tags(self.tags))

    @property
    def account_id(self) -> str | None:
        return self.origin.account_id if self.origin else None

    @property
    def campaign_id(self) -> str | None:
        return self.origin.campaign_id if self.origin else None

    @property
    def for_list(self) -> bool:
        """Mail to a list's member (campaign mail, a subscription confirmation), not to the account holder."""
        return self.origin is not None and self.origin.for_list

    @property
    def identity(self) -> str:
        """What makes this event this one, the same on every delivery of it (SNS delivers at least
        once, and SES may report one bounce both as an event and as a notification): the feedback
        id, or for an event without one a digest of its recipients (the message id, type and time
        are beside it in the key)."""
        if self.feedback_id:
            return self.feedback_id
        return hashlib.sha256("\n".join(sorted(self.recipients)).encode()).hexdigest()[:32]

    @property
    def is_permanent_failure(self) -> bool:
        return (self.event_type is SesEventType.BOUNCE and self.bounce_type == "Permanent") or \
            self.event_type is SesEventType.COMPLAINT


_DETAIL_KEYS = {
    SesEventType.SEND: "send", SesEventType.DELIVERY: "delivery", SesEventType.BOUNCE: "bounce",
    SesEventType.COMPLAINT: "complaint", SesEventType.REJECT: "reject",
    SesEventType.DELIVERY_DELAY: "deliveryDelay", SesEventType.OPEN: "open", SesEventType.CLICK: "click",
    SesEventType.RENDERING_FAILURE: "failure", SesEventType.SUBSCRIPTION: "subscription",
}


def parse_ses_event(message: str) -> SesEvent:
    try:
        data = json.loads(message)
        event_type = SesEventType(data.get("eventType") or data["notificationType"])
        mail = data["mail"]
        detail = data.get(_DETAIL_KEYS[event_type]) or {}
    except (ValueError, KeyError, TypeError) as bad:
        raise errors.MalformedRequest(N_("This is not an SES event notification.")) from bad

    if event_type is SesEventType.BOUNCE:
        recipients = [r["emailAddress"] for r in detail.get("bouncedRecipients", [])]
    elif event_type is SesEventType.COMPLAINT:
        recipients = [r["emailAddress"] for r in detail.get("complainedRecipients", [])]
    elif event_type is SesEventType.DELIVERY:
        recipients = list(detail.get("recipients", []))
    else:
        recipients = list(mail.get("destination", []))
    tags = {k: v for k, v in (mail.get("tags") or {}).items()}
    return SesEvent(
        event_type=event_type,
        message_id=mail["messageId"],
        occurred_at=detail.get("timestamp") or mail.get("timestamp") or "",
        recipients=tuple(recipients),
        bounce_type=detail.get("bounceType"),
        bounce_subtype=detail.get("bounceSubType"),
        complaint_type=detail.get("complaintFeedbackType"),
        tags=tags,
        feedback_id=detail.get("feedbackId"),
        headers=tuple((h["name"], h["value"]) for h in mail.get("headers") or ()
                      if isinstance(h, dict) and isinstance(h.get("name"), str) and isinstance(h.get("value"), str)),
    )


@dataclass(frozen=True)
class UnsubscribeReference:
    """What a campaign mail's List-Unsubscribe header names: the signed token of account, contact
    and list, and the campaign (unsigned: only taken when it is one of the token's account)."""

    token: str
    campaign_id: str | None


def unsubscribe_reference(headers) -> UnsubscribeReference | None:
    """The reference in a `List-Unsubscribe: <https://.../u/<token>?c=<campaign>>` header, or None."""
    for name, value in headers:
        if name.lower() != "list-unsubscribe":
            continue
        for part in value.split(","):
            url = urlsplit(part.strip().strip("<>"))
            if url.scheme in ("http", "https") and url.path.startswith("/u/") and "/" not in url.path[3:]:
                campaign = (parse_qs(url.query).get("c") or [None])[0]
                return UnsubscribeReference(url.path[3:], campaign)
    return None
