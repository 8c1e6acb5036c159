"""Where SES events are kept, per SES message id (and per account, for mail to an account holder).

Each event is kept once: its key holds its identity (`SesEvent.identity`: the feedback id, or a
digest of its recipients), and it is written only if that key is new. So the write is also the
marker that tells a repeated SNS delivery of the same event from a new one (`record` answers which).
"""

import time
from dataclasses import asdict

from chalicelib.delivery.ses_events import SesEvent, SesEventType

MAIL_EVENT_RETENTION_S = 400 * 24 * 3600  # 13 months of delivery history, then TTL removes it


class DynamoMailEvents:
    def __init__(self, table_name: str, region: str, host: str | None):
        from chalicelib.delivery.models import MailEventModel
        from chalicelib.dynamo import bind

        bind(MailEventModel, table_name, region, host)
        self._model = MailEventModel

    def record(self, event: SesEvent) -> bool:
        """Keep the event; True when it is new, False when this event was kept before (a redelivery)."""
        from pynamodb.exceptions import PutError

        from chalicelib.dynamo import conditional_check_failed

        try:
            self._item(event).save(condition=self._model.message_id.does_not_exist())
        except PutError as error:
            if conditional_check_failed(error):
                return False
            raise
        return True

    def _item(self, event: SesEvent):
        return self._model(
            message_id=event.message_id,
            event_key=event_key(event),
            event_type=event.event_type.value,
            occurred_at=event.occurred_at,
            recipients=list(event.recipients),
            bounce_type=event.bounce_type,
            bounce_subtype=event.bounce_subtype,
            complaint_type=event.complaint_type,
            expires_at=int(time.time()) + MAIL_EVENT_RETENTION_S,
            account_id=event.account_id,
        )

    def erase_account(self, account_id: str) -> int:
        """Delete the events of every mail sent to an account holder (erasure)."""
        erased = 0
        for key in self._model.by_account.query(account_id):
            self._model(message_id=key.message_id, event_key=key.event_key).delete()
            erased += 1
        return erased

    def for_account(self, account_id: str) -> list[SesEvent]:
        return [_event(self._model.get(key.message_id, key.event_key))
                for key in self._model.by_account.query(account_id)]

    def for_message(self, message_id: str) -> list[SesEvent]:
        # the mail's partition also holds its origin (chalicelib.delivery.sent_mail), which is no event
        return [_event(item) for item in self._model.query(message_id) if item.event_type]


def event_key(event: SesEvent) -> str:
    """The sort key of an event in its mail's partition: in time order, then unique per event."""
    return f"{event.occurred_at}#{event.event_type.value}#{event.identity}"


def _event(item) -> SesEvent:
    return SesEvent(event_type=SesEventType(item.event_type), message_id=item.message_id, occurred_at=item.occurred_at,
                    recipients=tuple(item.recipients), bounce_type=item.bounce_type,
                    bounce_subtype=item.bounce_subtype, complaint_type=item.complaint_type)


def as_dict(event: SesEvent) -> dict:
    data = asdict(event)
    data["event_type"] = event.event_type.value
    for name in ("tags", "feedback_id", "headers", "origin"):  # what SES said, not where it came from
        data.pop(name, None)
    return data
