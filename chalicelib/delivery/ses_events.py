"""SES delivery events as they arrive through SNS, parsed into one small typed record.

Accepts both of SES's documented JSON formats: configuration-set event publishing
(`eventType`) and identity notifications (`notificationType`).
"""

import json
from dataclasses import dataclass
from enum import Enum

from chalicelib import errors
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

    @property
    def account_id(self) -> str | None:
        """The account a mail was about, from the `account` tag MailExpert puts on account mail."""
        values = (self.tags or {}).get("account") or []
        return values[0] if values else None

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
    return SesEvent(
        event_type=event_type,
        message_id=mail["messageId"],
        occurred_at=detail.get("timestamp") or mail.get("timestamp") or "",
        recipients=tuple(recipients),
        bounce_type=detail.get("bounceType"),
        bounce_subtype=detail.get("bounceSubType"),
        complaint_type=detail.get("complaintFeedbackType"),
        tags={k: v for k, v in (mail.get("tags") or {}).items()},
    )
