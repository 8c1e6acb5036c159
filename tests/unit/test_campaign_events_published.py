"""Campaign mail publishes only the SES events that need acting on; account mail publishes all."""

import json
import os

from devstack.devtools.mailbox_simulator import MailboxSimulator, published_event_types
from tests.conftest import PROJECT_DIR


def _template():
    with open(os.path.join(PROJECT_DIR, "infra", "template.json"), encoding="utf-8") as file:
        return json.load(file)


def test_campaign_configuration_set_publishes_problems_only():
    published = published_event_types(_template())
    assert published["mailexpert-campaigns"] == {"reject", "bounce", "complaint", "deliveryDelay", "renderingFailure"}
    assert {"send", "delivery", "bounce", "complaint"} <= published["mailexpert"]


class _Topic:
    def __init__(self):
        self.published = []

    def publish(self, TopicArn, Message):
        self.published.append(json.loads(Message)["eventType"])


def _mail(to, configuration_set):
    return {"message_id": "m-1", "sent_at": "2026-11-25T12:00:00.000+00:00", "from": "a@mailexpert.nl", "to": [to],
            "cc": [], "bcc": [], "subject": "s", "headers": {}, "tags": {}, "configuration_set": configuration_set}


def test_local_simulator_publishes_what_each_configuration_set_would():
    topic = _Topic()
    simulator = MailboxSimulator(topic, "mailexpert-ses-events", published_event_types(_template()))
    simulator._topic_arn = "arn:aws:sns:eu-west-1:123456789012:mailexpert-ses-events"
    simulator(_mail("success@simulator.amazonses.com", "mailexpert-campaigns"))
    simulator(_mail("bounce@simulator.amazonses.com", "mailexpert-campaigns"))
    assert topic.published == ["Bounce"]
    simulator(_mail("success@simulator.amazonses.com", "mailexpert"))
    assert topic.published[1:] == ["Send", "Delivery"]
