"""Delivery services: send queued transactional mail, and record what SES reports back."""

from chalicelib.delivery.mail import MailRequest
from chalicelib.delivery.render import render_mail
from chalicelib.delivery.ses_events import parse_ses_event
from chalicelib.observability import MetricUnit, logger, metrics


def queue_mail(queue, request: MailRequest) -> str:
    queue_message_id = queue.enqueue(request)
    logger.info("mail queued", template=request.template, queue_message_id=queue_message_id)
    return queue_message_id


def deliver_mail_batch(records, sender, renderer=render_mail) -> dict:
    """Send each queued mail of an SQS batch; only the failed ones go back to the queue.

    `records` are (SQS message id, body) pairs. The answer is Lambda's partial batch response:
    SQS redelivers just the failed messages and, after the redrive count, moves them to the DLQ.
    """
    failed = []
    for queue_message_id, body in records:
        try:
            request = MailRequest.from_json(body)
            ses_message_id = sender.send(renderer(request))
        except Exception as error:  # one bad mail must not fail its batch-mates
            # The error's class and code only: SES error texts can contain addresses.
            logger.warning("mail not sent", queue_message_id=queue_message_id,
                           error=type(error).__name__,
                           error_code=getattr(error, "response", {}).get("Error", {}).get("Code"))
            failed.append(queue_message_id)
            continue
        logger.info("mail sent", template=request.template, queue_message_id=queue_message_id,
                    ses_message_id=ses_message_id)
        metrics.add_metric(name="TransactionalMailSent", unit=MetricUnit.Count, value=1)
    if failed:
        metrics.add_metric(name="TransactionalMailFailed", unit=MetricUnit.Count, value=len(failed))
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def record_ses_event(message: str, store, on_permanent_failure=None):
    """Keep one SES event (delivery, bounce, complaint...) against the SES message id. A permanent
    bounce or a complaint about mail sent for an account's list is handed to `on_permanent_failure`
    (the account's suppression list), so that address is never mailed again."""
    event = parse_ses_event(message)
    store.record(event)
    if event.is_permanent_failure and on_permanent_failure is not None and (event.tags or {}).get("list"):
        on_permanent_failure(event)
    logger.info("ses event recorded", event_type=event.event_type.value, ses_message_id=event.message_id,
                bounce_type=event.bounce_type, bounce_subtype=event.bounce_subtype,
                complaint_type=event.complaint_type, recipient_count=len(event.recipients))
    metrics.add_metric(name=f"Ses{event.event_type.value.replace(' ', '')}", unit=MetricUnit.Count, value=1)
    return event
