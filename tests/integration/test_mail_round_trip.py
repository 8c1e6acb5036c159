"""A transactional mail through the queue, the sender and SES; SES's events back through SNS."""

import json

from devstack.devtools.mailbox_simulator import simulated_events
from tests.integration.conftest import json_body


def receive_all(sqs, queue_name):
    url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    return url, sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])


def sqs_event(messages):
    return {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                         "attributes": m.get("Attributes", {}), "messageAttributes": {}, "eventSource": "aws:sqs",
                         "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:mailexpert-mail",
                         "awsRegion": "eu-west-1"} for m in messages]}


def sns_event(message: str):
    return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": "arn:x",
                         "Sns": {"Type": "Notification", "MessageId": "n-1", "Subject": None, "Message": message,
                                 "TopicArn": "arn:aws:sns:eu-west-1:123456789012:mailexpert-ses-events",
                                 "Timestamp": "2026-11-25T10:00:00.000Z", "MessageAttributes": {}}}]}


class FakeContext:
    function_name = "test"
    aws_request_id = "req-1"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:test"

    def get_remaining_time_in_millis(self):
        return 30000


def test_test_mail_goes_through_the_queue_to_ses_and_the_outbox(client, app_module, aws_resources, outbox):
    # GIVEN a test mail requested through the dev route, in English
    response = client.post("/dev/test-mail", headers={"Content-Type": "application/json"},
                           body=json.dumps({"to": "success@simulator.amazonses.com", "language": "en",
                                            "note": "hello"}).encode())
    assert response.status_code == 202
    # WHEN the mail sender handler gets the queued message, as Lambda would hand it over
    sqs = aws_resources.client("sqs")
    _, messages = receive_all(sqs, "mailexpert-mail")
    assert len(messages) == 1
    result = app_module.on_mail_message(sqs_event(messages), FakeContext())
    # THEN nothing failed and the outbox holds the mail exactly as handed to SES
    assert result == {"batchItemFailures": []}
    [mail] = outbox.mails()
    assert mail["to"] == ["success@simulator.amazonses.com"]
    assert mail["subject"] == "Test mail from MailExpert"
    assert "hello" in mail["text"] and "hello" in mail["html"]
    assert mail["configuration_set"] == "mailexpert"
    assert mail["request"]["FromEmailAddress"] == "MailExpert <noreply@mailexpert.nl>"


def test_bounce_reported_by_ses_is_recorded_against_the_mail(client, app_module, outbox):
    # GIVEN a mail that SES accepted for the bounce simulator address
    from chalicelib.composition import services
    from chalicelib.delivery.mail import OutgoingMail

    message_id = services().mail_sender.send_one(OutgoingMail(to=("bounce@simulator.amazonses.com",), subject="s",
                                                          text="t", html="<p>h</p>"))
    [mail] = outbox.mails()
    assert mail["message_id"] == message_id
    # WHEN SES's events for it arrive at the SNS handler
    for event in simulated_events(mail):
        app_module.on_ses_event(sns_event(json.dumps(event)), FakeContext())
    # THEN the outbox shows the mail sent and bounced permanently
    [listed] = json_body(client.get("/dev/outbox.json"))
    assert sorted(e["event_type"] for e in listed["events"]) == ["Bounce", "Send"]
    bounce = next(e for e in listed["events"] if e["event_type"] == "Bounce")
    assert bounce["bounce_type"] == "Permanent"
    assert bounce["recipients"] == ["bounce@simulator.amazonses.com"]


def test_redelivered_ses_event_is_recorded_once(app_module, outbox):
    from chalicelib.composition import services
    from chalicelib.delivery.mail import OutgoingMail

    services().mail_sender.send_one(OutgoingMail(to=("complaint@simulator.amazonses.com",), subject="s", text="t", html="h"))
    [mail] = outbox.mails()
    complaint = simulated_events(mail)[-1]
    # WHEN SNS delivers the same complaint twice (it delivers at least once)
    for _ in range(2):
        app_module.on_ses_event(sns_event(json.dumps(complaint)), FakeContext())
    # THEN it is stored once
    events = services().mail_events.for_message(mail["message_id"])
    assert [e.event_type.value for e in events] == ["Complaint"]


def test_malformed_queued_message_is_reported_as_failed_alone(client, app_module, aws_resources):
    # GIVEN one good and one garbage message on the mail queue
    client.post("/dev/test-mail", headers={"Content-Type": "application/json"},
                body=json.dumps({"to": "success@simulator.amazonses.com"}).encode())
    sqs = aws_resources.client("sqs")
    url = sqs.get_queue_url(QueueName="mailexpert-mail")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="garbage")
    _, messages = receive_all(sqs, "mailexpert-mail")
    assert len(messages) == 2
    # WHEN the handler gets both
    result = app_module.on_mail_message(sqs_event(messages), FakeContext())
    # THEN only the garbage one goes back
    garbage = next(m["MessageId"] for m in messages if m["Body"] == "garbage")
    assert result == {"batchItemFailures": [{"itemIdentifier": garbage}]}


def test_test_mail_without_an_address_is_refused_clearly(client):
    response = client.post("/dev/test-mail", headers={"Content-Type": "application/json", "Accept-Language": "en"},
                           body=b'{"to": ""}')
    assert response.status_code == 422
