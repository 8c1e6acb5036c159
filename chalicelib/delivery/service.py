"""Delivery services: send queued transactional mail, and record what SES reports back."""

from dataclasses import replace

from chalicelib.delivery.engine import MailNotSent
from chalicelib.delivery.mail import MailOrigin, MailRequest
from chalicelib.delivery.render import render_mail
from chalicelib.delivery.ses_events import SesEvent, parse_ses_event, unsubscribe_reference
from chalicelib.hooks import Hook
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.queues import partial_batch_response


def queue_mail(queue, request: MailRequest) -> str:
    queue_message_id = queue.enqueue(request)
    logger.info("mail queued", template=request.template, queue_message_id=queue_message_id)
    return queue_message_id


def deliver_mail_batch(records, channel, renderer=render_mail) -> dict:
    """Send each queued mail of an SQS batch through the engine's channel (`engine.MailChannel`).

    `records` are (SQS message id, body) pairs. The answer is Lambda's partial batch response: the
    messages it names go back to SQS, which redelivers them after their visibility timeout and,
    after the redrive count, moves them to the DLQ. Only a mail SES certainly did not take goes
    back (throttled, not reached, the account paused), and one that could not be rendered; a mail
    SES refused for good, or may have taken (a time-out), is not sent again: a resend could be a
    second copy of a password reset.
    """

    def deliver(queue_message_id: str, body: str) -> bool:
        try:
            request = MailRequest.from_json(body)
            ses_message_id = channel.send_one(renderer(request))
        except MailNotSent as not_sent:
            # SES's error code only: its texts can contain addresses.
            logger.warning("mail not sent", queue_message_id=queue_message_id, outcome=not_sent.verdict.value,
                           error_code=not_sent.reason)
            if not not_sent.may_retry:
                metrics.add_metric(name="TransactionalMailDropped", unit=MetricUnit.Count, value=1)
            return not not_sent.may_retry
        except Exception as error:  # not rendered, or not read: logged by its type, never its content
            logger.warning("mail not sent", queue_message_id=queue_message_id, error=type(error).__name__)
            return False
        logger.info("mail sent", template=request.template, queue_message_id=queue_message_id,
                    ses_message_id=ses_message_id)
        metrics.add_metric(name="TransactionalMailSent", unit=MetricUnit.Count, value=1)
        return True

    response = partial_batch_response(records, deliver)
    if response["batchItemFailures"]:
        metrics.add_metric(name="TransactionalMailFailed", unit=MetricUnit.Count, value=len(response["batchItemFailures"]))
    return response


class SesEventIngest:
    """One SES event from SNS: whose mail it was, the suppression it calls for, and its counts, once.

    Whose mail: the origin the sender recorded under the SES message id (`sent_mail`) decides; the
    event's tags (configuration-set events) only when nothing was recorded, and disagreeing tags are
    logged and ignored; without either, a List-Unsubscribe header whose token carries our signature
    (`origin_from_headers`). An event that none of these ties to an account is kept against its
    message id and changes nothing of any account: never a guess across tenants.

    Once: SNS delivers at least once, and SES can report one bounce both as an event and as a
    notification. The event's record is written only if new (`store.record`, a conditional put
    keyed by the event's identity), and only a new event is counted (the `new_event` hook's
    subscribers: the campaign's report, the account's reputation). Counting is AT MOST ONCE: the record is written before the
    counters; a worker dying, or a counter's write failing, between the two loses that event's
    count, and the redelivery that follows finds the record and counts nothing. That is the way to
    err: the counts feed the rates that pause an account's sending (its campaigns stop until staff
    step in), so a double count can wrongly stop a customer, while one lost bounce among the
    hundreds of mails a rate is taken over barely moves it. What must never be lost, the
    suppression of an address that bounced for good or complained, is idempotent and is done before
    the record, on every delivery (the `permanent_failure` hook's subscribers): AT LEAST ONCE.
    """

    def __init__(self, store, sent_mail, origin_from_headers=None):
        self._store = store
        self._sent_mail = sent_mail
        self._origin_from_headers = origin_from_headers
        # (event): list mail of an account bounced for good or was complained about; on every delivery
        self.permanent_failure = Hook()
        # (event): an event of an account's mail, recorded for the first time; at most once
        self.new_event = Hook()

    def record(self, message: str) -> SesEvent:
        event = parse_ses_event(message)
        event = replace(event, origin=self._origin(event))
        if event.origin is not None and event.is_permanent_failure and event.for_list:
            self.permanent_failure(event)
        new = self._store.record(event)
        log = {"event_type": event.event_type.value, "ses_message_id": event.message_id,
               "bounce_type": event.bounce_type, "bounce_subtype": event.bounce_subtype,
               "complaint_type": event.complaint_type, "recipient_count": len(event.recipients)}
        if not new:
            logger.info("ses event delivered again: counted before", **log)
            return event
        if event.origin is None:
            logger.warning("ses event of an unknown mail: not attributed", **log)
            metrics.add_metric(name="SesEventUnattributed", unit=MetricUnit.Count, value=1)
        else:
            try:
                self.new_event(event)
            except Exception as error:  # the record says counted: its redeliveries will not count it
                logger.error("ses event not counted", error=type(error).__name__, **log)
                metrics.add_metric(name="SesEventCountLost", unit=MetricUnit.Count, value=1)
                raise
        logger.info("ses event recorded", account_id=event.account_id, campaign_id=event.campaign_id, **log)
        metrics.add_metric(name=f"Ses{event.event_type.value.replace(' ', '')}", unit=MetricUnit.Count, value=1)
        return event

    def _origin(self, event: SesEvent) -> MailOrigin | None:
        recorded = self._sent_mail.origin(event.message_id)
        if recorded is not None:
            if event.origin is not None and not event.origin.same_mail_as(recorded):
                logger.warning("ses event tags disagree with the send record: the record counts",
                               ses_message_id=event.message_id, recorded_account_id=recorded.account_id,
                               tagged_account_id=event.origin.account_id)
            return recorded
        if event.origin is not None:
            return event.origin
        if event.headers and self._origin_from_headers is not None:
            return self._origin_from_headers(event.headers)
        return None


class SignedHeaderOrigins:
    """A mail's origin from its List-Unsubscribe header, as SES returns the original headers: the
    token's signature vouches for the account, contact and list; the campaign in the link is taken
    only when it is one of that account's campaigns."""

    def __init__(self, subscriber_of, campaign_exists):
        self._subscriber_of = subscriber_of  # token -> Subscriber; raises InvalidToken (audience.signing)
        self._campaign_exists = campaign_exists  # (account id, campaign id) -> bool

    def __call__(self, headers) -> MailOrigin | None:
        from chalicelib.audience.signing import ALL_LISTS, InvalidToken

        reference = unsubscribe_reference(headers)
        if reference is None:
            return None
        try:
            subscriber = self._subscriber_of(reference.token)
        except InvalidToken:
            logger.warning("ses event with a List-Unsubscribe header we did not sign")
            return None
        campaign_id = reference.campaign_id
        if campaign_id and not self._campaign_exists(subscriber.account_id, campaign_id):
            campaign_id = None
        # a List-Unsubscribe header is only on mail to a list's members
        return MailOrigin(subscriber.account_id, campaign_id, subscriber.contact_id,
                          None if subscriber.list_id == ALL_LISTS else subscriber.list_id, list_mail=True)
