"""The local event pump: what AWS Lambda's event sources do in production.

- SQS queues -> `on_sqs_message` handlers, in batches of the handler's batch size, with partial
  batch responses: succeeded records are deleted, failed ones become visible again (after
  RETRY_DELAY_S here rather than the queue's visibility timeout, to keep local runs brisk) and,
  past the queue's redrive count, SQS moves them to the dead-letter queue.
- SNS topics -> `on_sns_message` handlers: a local queue is subscribed to each topic and every
  notification is handed over in Lambda's SNS event shape; past 3 failed attempts it goes to the
  handler's dead-letter queue, as Lambda's async retries would.
- EventBridge schedules -> scheduled handlers, at the times their expressions say.
"""

import json
import threading
import uuid
from datetime import datetime, timezone

from chalice.app import ScheduledEventConfig, SNSEventConfig, SQSEventConfig

from devstack.lambdas import ACCOUNT_ID, invoke
from devstack.schedules import next_fire

RETRY_DELAY_S = 2
SNS_MAX_ATTEMPTS = 3
SNS_DEAD_LETTER_QUEUES = {"mailexpert-ses-events": "mailexpert-ses-events-dlq"}


# Handlers that Lambda runs in several instances at once: so many pump threads serve them here.
# Campaign senders share one rate limiter (as in AWS); SES events arrive by the thousand after a send.
CONCURRENCY = {"on_campaign_send": 3, "on_ses_event": 3}

class UnknownSchedule(LookupError):
    pass


def _handler_name(source) -> str:
    return source.handler_string.rsplit(".", 1)[-1]


class EventPump:
    def __init__(self, app_module, session, endpoint_url: str, region: str, log=print):
        self._app_module = app_module
        self._sqs = session.client("sqs", endpoint_url=endpoint_url)
        self._sns = session.client("sns", endpoint_url=endpoint_url)
        self._region = region
        self._log = log
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._subscribing = threading.Lock()  # several threads pump one topic: subscribe its queue once

    @property
    def sources(self):
        return self._app_module.app.event_sources

    def start(self) -> None:
        for source in self.sources:
            if isinstance(source, SQSEventConfig):
                target = self._pump_queue
            elif isinstance(source, SNSEventConfig):
                target = self._pump_topic
            elif isinstance(source, ScheduledEventConfig):
                target = self._run_schedule
            else:
                continue
            for number in range(CONCURRENCY.get(source.name, 1)):
                thread = threading.Thread(target=target, args=(source,), name=f"pump-{source.name}-{number}",
                                          daemon=True)
                thread.start()
                self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    # --- SQS -----------------------------------------------------------------------------------

    def _pump_queue(self, source: SQSEventConfig) -> None:
        queue_url = self._sqs.get_queue_url(QueueName=source.queue)["QueueUrl"]
        queue_arn = f"arn:aws:sqs:{self._region}:{ACCOUNT_ID}:{source.queue}"
        while not self._stop.is_set():
            self._poll_once(queue_url, min(source.batch_size, 10),
                            lambda messages: self._deliver_sqs(source, queue_arn, messages))

    def _deliver_sqs(self, source, queue_arn: str, messages: list[dict]) -> set[str]:
        event = {"Records": [{
            "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
            "attributes": m.get("Attributes", {}), "messageAttributes": m.get("MessageAttributes", {}),
            "md5OfBody": m.get("MD5OfBody"), "eventSource": "aws:sqs", "eventSourceARN": queue_arn,
            "awsRegion": self._region} for m in messages]}
        result = invoke(self._app_module, _handler_name(source), event)
        return {failure["itemIdentifier"] for failure in (result or {}).get("batchItemFailures", [])}

    # --- SNS -----------------------------------------------------------------------------------

    def _pump_topic(self, source: SNSEventConfig) -> None:
        topic_arn = f"arn:aws:sns:{self._region}:{ACCOUNT_ID}:{source.topic}"
        with self._subscribing:
            queue_url = self._subscribe_local_queue(source.topic, topic_arn)
        while not self._stop.is_set():
            # up to 10 notifications a poll, each its own invocation, as SNS invokes Lambda per message
            self._poll_once(queue_url, 10, lambda messages: self._deliver_sns(source, topic_arn, messages))

    def _subscribe_local_queue(self, topic: str, topic_arn: str) -> str:
        attributes = {}
        dead_letter_queue = SNS_DEAD_LETTER_QUEUES.get(topic)
        if dead_letter_queue:
            dlq_url = self._sqs.get_queue_url(QueueName=dead_letter_queue)["QueueUrl"]
            dlq_arn = self._sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": SNS_MAX_ATTEMPTS})
        queue_url = self._sqs.create_queue(QueueName=f"local-lambda-{topic}", Attributes=attributes)["QueueUrl"]
        queue_arn = self._sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        subscriptions = self._sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
        if not any(s["Endpoint"] == queue_arn for s in subscriptions):
            self._sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        return queue_url

    def _deliver_sns(self, source, topic_arn: str, messages: list[dict]) -> set[str]:
        failed = set()
        for message in messages:
            envelope = json.loads(message["Body"])
            event = {"Records": [{
                "EventSource": "aws:sns", "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic_arn}:{uuid.uuid4()}",
                "Sns": {"Type": envelope.get("Type", "Notification"), "MessageId": envelope.get("MessageId"),
                        "TopicArn": topic_arn, "Subject": envelope.get("Subject"),
                        "Message": envelope["Message"], "Timestamp": envelope.get("Timestamp"),
                        "SignatureVersion": "1", "Signature": "local", "SigningCertUrl": "", "UnsubscribeUrl": "",
                        "MessageAttributes": envelope.get("MessageAttributes", {})}}]}
            try:
                invoke(self._app_module, _handler_name(source), event)
            except Exception as error:  # Lambda would retry an async invocation; so do we
                self._log(f"[pump] {source.name} failed ({type(error).__name__}); will retry")
                failed.add(message["MessageId"])
        return failed

    # --- polling shared by both ----------------------------------------------------------------

    def _poll_once(self, queue_url: str, batch_size: int, deliver) -> None:
        try:
            messages = self._sqs.receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=batch_size, WaitTimeSeconds=1,
                AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
        except Exception as error:
            if not self._stop.is_set():
                self._log(f"[pump] cannot read {queue_url.rsplit('/', 1)[-1]}: {type(error).__name__}")
                self._stop.wait(1)
            return
        if not messages:
            return
        try:
            failed = deliver(messages)
        except Exception as error:  # the whole invocation failed: every record goes back
            self._log(f"[pump] handler failed ({type(error).__name__}); the batch will be retried")
            failed = {m["MessageId"] for m in messages}
        for message in messages:
            if message["MessageId"] in failed:
                self._sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"],
                                                    VisibilityTimeout=RETRY_DELAY_S)
            else:
                self._sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    # --- schedules -----------------------------------------------------------------------------

    def _run_schedule(self, source: ScheduledEventConfig) -> None:
        expression = source.schedule_expression
        expression = expression if isinstance(expression, str) else expression.to_string()
        due = next_fire(expression, datetime.now(timezone.utc))
        self._log(f"[pump] {source.name}: {expression}, next run {due:%Y-%m-%d %H:%M} UTC")
        while not self._stop.wait(1):
            now = datetime.now(timezone.utc)
            if now >= due:
                self.fire_schedule(source.name)
                due = next_fire(expression, now)

    def fire_schedule(self, name: str):
        source = next((s for s in self.sources if isinstance(s, ScheduledEventConfig) and s.name == name), None)
        if source is None:
            known = [s.name for s in self.sources if isinstance(s, ScheduledEventConfig)]
            raise UnknownSchedule(f"no scheduled handler {name!r}; known: {', '.join(known)}")
        return invoke(self._app_module, _handler_name(source), scheduled_event(source.name, self._region))


def scheduled_event(rule_name: str, region: str) -> dict:
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": ACCOUNT_ID, "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": region, "resources": [f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/{rule_name}"],
            "detail": {}}
