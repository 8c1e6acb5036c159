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


def _documented(name):
    import os

    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "ses_notifications", f"{name}.json")
    with open(path, encoding="utf-8") as file:
        return file.read()


def test_documented_bounce_notification_is_parsed_with_its_feedback_id_and_no_origin():
    # GIVEN AWS's documented bounce notification (identity notifications carry no tags)
    # WHEN it is parsed
    event = parse_ses_event(_documented("bounce_with_dsn"))
    # THEN it is a permanent bounce of jane, known by its feedback id, of nobody yet
    assert (event.event_type, event.bounce_type, event.bounce_subtype) == (SesEventType.BOUNCE, "Permanent", "General")
    assert event.recipients == ("jane@example.com",)
    assert event.message_id == "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000"
    assert event.feedback_id == "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa068a-000000"
    assert event.identity == event.feedback_id
    assert event.origin is None and event.account_id is None
    # AND the original headers are kept, as SES gave them
    assert ("Message-ID", "custom-message-ID") in event.headers


def test_documented_complaint_notification_is_parsed_with_its_feedback_id():
    event = parse_ses_event(_documented("complaint_with_feedback_report"))
    assert (event.event_type, event.complaint_type, event.recipients) == \
        (SesEventType.COMPLAINT, "abuse", ("richard@example.com",))
    assert event.feedback_id == "000001378603177f-18c07c78-fa81-4a58-9dd1-fedc3cb8f49a-000000"
    assert event.is_permanent_failure


def test_tags_of_a_configuration_set_event_give_its_origin():
    notification = {"eventType": "Bounce", "mail": {"messageId": "m", "destination": ["a@b.c"], "tags": {
        "account": ["acct1"], "campaign": ["camp1"], "contact": ["k1"], "list": ["list1"],
        "ses:configuration-set": ["mailexpert"]}},
        "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": "a@b.c"}], "timestamp": "t"}}
    event = parse_ses_event(json.dumps(notification))
    assert (event.account_id, event.campaign_id, event.origin.list_id, event.origin.contact_id, event.for_list) == \
        ("acct1", "camp1", "list1", "k1", True)


def test_event_without_feedback_id_is_known_by_its_recipients():
    def delivery(recipients):
        return parse_ses_event(json.dumps({"eventType": "Delivery", "mail": {"messageId": "m"},
                                           "delivery": {"timestamp": "t", "recipients": recipients}}))

    # the same recipients in another order are the same event; other recipients another one
    assert delivery(["a@b.c", "d@e.f"]).identity == delivery(["d@e.f", "a@b.c"]).identity
    assert delivery(["a@b.c"]).identity != delivery(["d@e.f"]).identity


@pytest.mark.parametrize("value, expected", [
    ("<https://app.mailexpert.nl/u/abc.def?c=camp1>", ("abc.def", "camp1")),
    ("<mailto:u@x.nl>, <https://app.mailexpert.nl/u/abc.def>", ("abc.def", None)),
    ("<https://elsewhere.example/unsubscribe/abc>", None),
    ("<https://app.mailexpert.nl/u/abc.def/preferences>", None),
])
def test_unsubscribe_reference_is_read_from_the_list_unsubscribe_header(value, expected):
    from chalicelib.delivery.ses_events import unsubscribe_reference

    reference = unsubscribe_reference([("Subject", "Hallo"), ("list-unsubscribe", value)])
    assert (reference and (reference.token, reference.campaign_id)) == expected
