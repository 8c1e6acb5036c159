import json

import pytest

from chalicelib import errors
from chalicelib.delivery.ses_events import SesEventType, parse_ses_event
from devstack.devtools.mailbox_simulator import simulated_events


def sent(to):
    return {"message_id": "msg-1", "sent_at": "2026-11-25T10:00:00.000+00:00", "from": "MailExpert <noreply@mailexpert.nl>",
            "to": list(to), "cc": [], "bcc": [], "subject": "Hallo", "headers": {"List-Unsubscribe": "<https://x>"},
            "tags": {"template": "test_mail"}, "configuration_set": "mailexpert"}


def types(events):
    return [e["eventType"] for e in events]


def test_simulator_bounce_address_bounces_permanently():
    # GIVEN a mail to SES's bounce simulator address
    events = simulated_events(sent(["bounce@simulator.amazonses.com"]))
    # WHEN its events are parsed as the SNS handler parses them
    parsed = [parse_ses_event(json.dumps(e)) for e in events]
    # THEN SES reports it sent, then bounced permanently, for that recipient
    assert types(events) == ["Send", "Bounce"]
    bounce = parsed[1]
    assert bounce.event_type is SesEventType.BOUNCE
    assert (bounce.bounce_type, bounce.bounce_subtype) == ("Permanent", "General")
    assert bounce.recipients == ("bounce@simulator.amazonses.com",)
    assert bounce.message_id == "msg-1"
    assert bounce.is_permanent_failure


def test_simulator_complaint_address_is_delivered_then_complains():
    events = simulated_events(sent(["complaint@simulator.amazonses.com"]))
    assert types(events) == ["Send", "Delivery", "Complaint"]
    complaint = parse_ses_event(json.dumps(events[2]))
    assert complaint.complaint_type == "abuse"
    assert complaint.is_permanent_failure


def test_simulator_suppression_list_address_bounces_as_suppressed():
    events = simulated_events(sent(["suppressionlist@simulator.amazonses.com"]))
    bounce = parse_ses_event(json.dumps(events[-1]))
    assert (bounce.bounce_type, bounce.bounce_subtype) == ("Permanent", "Suppressed")


@pytest.mark.parametrize("address", ["success@simulator.amazonses.com", "ooto@simulator.amazonses.com",
                                     "someone@example.org"])
def test_other_addresses_are_delivered(address):
    events = simulated_events(sent([address]))
    assert types(events) == ["Send", "Delivery"]
    assert parse_ses_event(json.dumps(events[1])).recipients == (address,)


def test_mixed_recipients_get_one_event_per_outcome():
    events = simulated_events(sent(["success@simulator.amazonses.com", "bounce@simulator.amazonses.com"]))
    assert types(events) == ["Send", "Delivery", "Bounce"]


def test_events_carry_the_configuration_set_and_tags_as_ses_does():
    mail = simulated_events(sent(["success@simulator.amazonses.com"]))[0]["mail"]
    assert mail["tags"]["ses:configuration-set"] == ["mailexpert"]
    assert mail["tags"]["template"] == ["test_mail"]
    assert {"name": "List-Unsubscribe", "value": "<https://x>"} in mail["headers"]


def test_identity_notification_format_is_understood_too():
    notification = {"notificationType": "Bounce", "mail": {"messageId": "m", "timestamp": "t", "destination": ["a@b.c"]},
                    "bounce": {"bounceType": "Transient", "bounceSubType": "MailboxFull", "timestamp": "t2",
                               "bouncedRecipients": [{"emailAddress": "a@b.c"}]}}
    event = parse_ses_event(json.dumps(notification))
    assert (event.event_type, event.bounce_type, event.occurred_at) == (SesEventType.BOUNCE, "Transient", "t2")
    assert not event.is_permanent_failure


@pytest.mark.parametrize("message", ["not json", "{}", json.dumps({"eventType": "Nonsense", "mail": {}}),
                                     json.dumps({"eventType": "Bounce"})])
def test_anything_else_is_refused_as_malformed(message):
    with pytest.raises(errors.MalformedRequest):
        parse_ses_event(message)
