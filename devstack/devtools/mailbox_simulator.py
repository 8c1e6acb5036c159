"""SES's mailbox simulator, locally: what SES would report for each mail, published to SNS.

In AWS, the configuration set publishes delivery events to the SES events topic. Locally, after
each SendEmail, this publishes the same events in SES's documented event-publishing JSON, so
that bounce and complaint handling runs exactly as in production. Addresses at
simulator.amazonses.com behave as SES documents; every other address is 'delivered' (to the
local outbox, never to a real mailbox).
"""

import json
import uuid
from datetime import datetime, timezone

SIMULATOR_DOMAIN = "simulator.amazonses.com"
SENDING_ACCOUNT_ID = "123456789012"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _mail_object(entry: dict) -> dict:
    destination = entry["to"] + entry["cc"] + entry["bcc"]
    headers = [{"name": "From", "value": entry["from"]},
               {"name": "To", "value": ", ".join(entry["to"])},
               {"name": "Subject", "value": entry.get("subject") or ""}]
    headers += [{"name": k, "value": v} for k, v in (entry.get("headers") or {}).items()]
    tags = {name: [value] for name, value in entry["tags"].items()}
    if entry.get("configuration_set"):
        tags["ses:configuration-set"] = [entry["configuration_set"]]
    return {
        "timestamp": entry["sent_at"].replace("+00:00", "Z"),
        "source": entry["from"],
        "sendingAccountId": SENDING_ACCOUNT_ID,
        "messageId": entry["message_id"],
        "destination": destination,
        "headersTruncated": False,
        "headers": headers,
        "commonHeaders": {"from": [entry["from"]], "to": entry["to"], "messageId": entry["message_id"],
                          "subject": entry.get("subject") or ""},
        "tags": tags,
    }


def _outcome(address: str) -> str:
    local, _, domain = address.rpartition("<")[2].rstrip(">").partition("@")
    if domain.lower() != SIMULATOR_DOMAIN:
        return "success"
    return local.lower().split("+")[0]


def simulated_events(entry: dict) -> list[dict]:
    """The SES events for one sent mail, in the order SES would publish them."""
    mail = _mail_object(entry)
    events = [{"eventType": "Send", "mail": mail, "send": {}}]
    delivered, bounced, suppressed, complained = [], [], [], []
    for address in mail["destination"]:
        outcome = _outcome(address)
        if outcome == "bounce":
            bounced.append(address)
        elif outcome == "suppressionlist":
            suppressed.append(address)
        else:
            delivered.append(address)
            if outcome == "complaint":
                complained.append(address)
    if delivered:
        events.append({"eventType": "Delivery", "mail": mail, "delivery": {
            "timestamp": _now(), "processingTimeMillis": 512, "recipients": delivered,
            "smtpResponse": "250 2.6.0 Message received", "reportingMTA": "a8-70.smtp-out.amazonses.com"}})
    for addresses, subtype, status, diagnostic in (
            (bounced, "General", "5.1.1", "smtp; 550 5.1.1 user unknown"),
            (suppressed, "Suppressed", "5.1.1", "Amazon SES has suppressed sending to this address because "
                                               "it has a recent history of bouncing as an invalid address.")):
        if addresses:
            events.append({"eventType": "Bounce", "mail": mail, "bounce": {
                "bounceType": "Permanent", "bounceSubType": subtype,
                "bouncedRecipients": [{"emailAddress": a, "action": "failed", "status": status,
                                       "diagnosticCode": diagnostic} for a in addresses],
                "timestamp": _now(), "feedbackId": str(uuid.uuid4()),
                "reportingMTA": "dsn; a8-70.smtp-out.amazonses.com"}})
    if complained:
        events.append({"eventType": "Complaint", "mail": mail, "complaint": {
            "complainedRecipients": [{"emailAddress": a} for a in complained],
            "timestamp": _now(), "feedbackId": str(uuid.uuid4()),
            "userAgent": "Amazon SES Mailbox Simulator", "complaintFeedbackType": "abuse",
            "arrivalDate": _now()}})
    return events


# SES event types as a configuration set's event destination names them (MatchingEventTypes)
_DESTINATION_TYPE = {"Send": "send", "Delivery": "delivery", "Bounce": "bounce", "Complaint": "complaint",
                     "DeliveryDelay": "deliveryDelay", "Reject": "reject"}


def published_event_types(template: dict) -> dict[str, set[str]]:
    """Which events each configuration set of the template publishes (to the SES events topic)."""
    resources = template.get("Resources", {})
    names = {key: r["Properties"]["Name"] for key, r in resources.items()
             if r.get("Type") == "AWS::SES::ConfigurationSet"}
    published = {}
    for resource in resources.values():
        if resource.get("Type") == "AWS::SES::ConfigurationSetEventDestination":
            properties = resource["Properties"]
            name = names.get(properties["ConfigurationSetName"].get("Ref"))
            published[name] = set(properties["EventDestination"]["MatchingEventTypes"])
    return published


class MailboxSimulator:
    """Publishes the simulated events of each captured mail to the SES events topic."""

    def __init__(self, sns_client, topic_name: str, published: dict[str, set[str]] | None = None):
        self._sns = sns_client  # a client, or a function giving one (clients are made lazily)
        self._topic_name = topic_name
        self._topic_arn = None
        self._published = published  # configuration set -> event types its destination publishes

    def _client(self):
        return self._sns() if callable(self._sns) and not hasattr(self._sns, "publish") else self._sns

    def topic_arn(self) -> str:
        if self._topic_arn is None:
            paginator = self._client().get_paginator("list_topics")
            arns = [t["TopicArn"] for page in paginator.paginate() for t in page["Topics"]]
            matches = [arn for arn in arns if arn.rsplit(":", 1)[-1] == self._topic_name]
            if not matches:
                raise RuntimeError(f"SNS topic {self._topic_name} does not exist: is the local stack up?")
            self._topic_arn = matches[0]
        return self._topic_arn

    def __call__(self, entry: dict) -> None:
        wanted = (self._published or {}).get(entry.get("configuration_set"))
        for event in simulated_events(entry):
            if wanted is None or _DESTINATION_TYPE.get(event["eventType"]) in wanted:
                self._client().publish(TopicArn=self.topic_arn(), Message=json.dumps(event))
