"""SesEventIngest with in-memory stores: whose mail an event is about, and counting each event once
(at most once), while suppression happens on every delivery (at least once)."""

import json

import pytest

from chalicelib.delivery.mail import MailOrigin
from chalicelib.delivery.service import SesEventIngest
from chalicelib.delivery.ses_events import SesEventType

MESSAGE_ID = "0102019a-message"
ORIGIN = MailOrigin("acct1", "camp1", "k1", list_mail=True)


class InMemoryEvents:
    def __init__(self):
        self.kept = {}

    def record(self, event) -> bool:
        key = (event.message_id, event.occurred_at, event.event_type, event.identity)
        new = key not in self.kept
        self.kept.setdefault(key, event)
        return new


class InMemorySentMail:
    def __init__(self, origins=None):
        self.origins = dict(origins or {})

    def origin(self, message_id):
        return self.origins.get(message_id)


class Recorder:
    def __init__(self, fail_times: int = 0):
        self.events = []
        self.fail_times = fail_times

    def __call__(self, event):
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionError("counter write failed")
        self.events.append(event)


def bounce(feedback_id="fb-1", tags=None, headers=None) -> str:
    mail = {"messageId": MESSAGE_ID, "destination": ["a@b.c"]}
    if tags is not None:
        mail["tags"] = tags
    if headers is not None:
        mail["headers"] = headers
    return json.dumps({"notificationType": "Bounce", "mail": mail, "bounce": {
        "bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": "a@b.c"}], "timestamp": "t",
        "feedbackId": feedback_id}})


def ingest(origins=None, counter=None, suppress=None, header_origins=None):
    handler = SesEventIngest(InMemoryEvents(), InMemorySentMail(origins), origin_from_headers=header_origins)
    if suppress:
        handler.permanent_failure.subscribe(suppress)
    if counter:
        handler.new_event.subscribe(counter)
    return handler


def test_untagged_bounce_gets_the_origin_the_sender_recorded():
    counter, suppressed = Recorder(), Recorder()
    event = ingest({MESSAGE_ID: ORIGIN}, counter, suppressed).record(bounce())
    assert event.origin == ORIGIN and event.event_type is SesEventType.BOUNCE
    assert [e.campaign_id for e in counter.events] == ["camp1"]
    assert [e.account_id for e in suppressed.events] == ["acct1"]


def test_recorded_origin_wins_over_disagreeing_tags():
    counter = Recorder()
    ingest({MESSAGE_ID: ORIGIN}, counter).record(bounce(tags={"account": ["other"], "campaign": ["theirs"]}))
    assert counter.events[0].origin == ORIGIN


def test_unknown_mail_without_tags_or_headers_is_attributed_to_nobody():
    counter, suppressed = Recorder(), Recorder()
    event = ingest({}, counter, suppressed).record(bounce())
    assert event.origin is None and counter.events == [] and suppressed.events == []


def test_headers_are_asked_only_when_neither_record_nor_tags_know_the_mail():
    asked = []

    def from_headers(headers):
        asked.append(headers)
        return ORIGIN

    headers = [{"name": "List-Unsubscribe", "value": "<https://x/u/t.s>"}]
    ingest({MESSAGE_ID: ORIGIN}, header_origins=from_headers).record(bounce(headers=headers))
    assert asked == []
    event = ingest({}, header_origins=from_headers).record(bounce(headers=headers))
    assert event.origin == ORIGIN and len(asked) == 1


def test_redelivery_counts_nothing_but_suppresses_again():
    counter, suppressed = Recorder(), Recorder()
    handler = ingest({MESSAGE_ID: ORIGIN}, counter, suppressed)
    handler.record(bounce())
    handler.record(bounce())
    assert len(counter.events) == 1
    assert len(suppressed.events) == 2  # idempotent: the same suppression, kept once


def test_another_feedback_id_of_the_same_mail_counts_again():
    counter = Recorder()
    handler = ingest({MESSAGE_ID: ORIGIN}, counter)
    handler.record(bounce("fb-1"))
    handler.record(bounce("fb-2"))
    assert len(counter.events) == 2


def test_counting_that_fails_after_the_record_is_lost_not_doubled():
    # GIVEN a counter whose first write fails
    counter, suppressed = Recorder(fail_times=1), Recorder()
    handler = ingest({MESSAGE_ID: ORIGIN}, counter, suppressed)
    # WHEN the event arrives, fails, and SNS/Lambda delivers it again
    with pytest.raises(ConnectionError):
        handler.record(bounce())
    handler.record(bounce())
    # THEN it was counted at most once (here: not at all), and the address was suppressed regardless
    assert counter.events == []
    assert len(suppressed.events) == 2
