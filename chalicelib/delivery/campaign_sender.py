"""The campaign send engine: sends one SQS message's batch of recipients through SES v2, exactly once.

A campaign is fanned out into `SendBatch` messages of up to ~50 recipients each. For each message
a worker renders each recipient's mail (the renderer is compiled once per campaign), adds the
one-click unsubscribe headers and the tags that SES events are attributed by (account, campaign,
contact, list), and hands the chunk to SES v2 in one SendBulkEmail of up to 50 mails under the
configuration set that publishes its events (`chalicelib.delivery.sender`: each mail rides whole in
its entry, SES builds the MIME). SES answers each mail with its own status and message id. A mail
too large for a bulk entry (256 KB) goes alone with SendEmail; when SES refuses a whole bulk call
(a 400: it took none of it), its mails go one by one, so that one bad mail fails alone.

Exactly once per recipient: see `chalicelib.delivery.send_ledger` for the ledger and its one
unavoidable window (a crash between SES accepting a mail and the checkpoint recording it: those
recipients are reported "unknown" and never resent). In short: the batch is claimed with a lease;
each chunk of recipients is named in flight in the same conditional write that records the
previous chunk's outcomes; only then is the chunk sent.

Throughput: one SES call per chunk of 50 instead of 50 calls: signing, HTTP and parsing are paid
once per call, so a worker does ~2,900 mails per CPU second (`make bench`), and an invocation's two
batches go out side by side, ~1,500 mails a second when each SES call takes 30 ms. All workers together stay under
the account's SES send rate (SES counts each mail of a bulk call) by taking tokens from one shared
bucket in DynamoDB (`chalicelib.delivery.rate_limit`) before each chunk: the same bucket, through
the same mail engine (`chalicelib.delivery.engine`), as transactional mail and test sends.

Throttling (a whole call's TooManyRequests or LimitExceeded, or an entry's ACCOUNT_THROTTLED) is
retried in the worker with exponential backoff and full jitter, for the throttled mails only, a
token per mail. A recipient still throttled after that, and every recipient not
yet sent when the campaign is paused, is "retry later": nothing is recorded for it. The engine's
SES client never retries by itself (botocore `retries={"total_max_attempts": 1}`): botocore's
standard mode resends a SendEmail after a read time-out, when SES may already have accepted it.

What goes back to the queue. Only recipients needing another try are retried, but the unit SQS
retries is the message: `handle_send_records` reports a message with "retry later" recipients as a
failed item of Lambda's partial batch response, and SQS redelivers it after its visibility
timeout. The redelivery claims the batch again and, from the ledger, sends only the recipients
still "not yet": it never touches one already sent, failed or unknown. (Re-enqueueing a new,
smaller message instead would need its own exactly-once hand-over: a crash between enqueueing it
and recording the hand-over would send those recipients twice, or not at all.) So the campaign
queue's maxReceiveCount must allow for a few rounds of throttling and for pauses (a paused batch
comes back every visibility timeout). A malformed message, or one failing the same way each time,
is reported failed every time and ends in the dead-letter queue after maxReceiveCount, where an
alarm watches it. Only a worker's death (a BaseException) escapes `handle_send_records`.

Cost: `make bench` (bench/send_bench.py) counts every AWS call of a fan-out and a send and prints
the bill for a million mails beside SES's own $100: about $0.84 (0.84%), most of it the senders'
DynamoDB writes (ledger checkpoints, the limiter, the report's and reputation's counters: ~0.33%),
their eligibility reads (~0.25%) and the fan-out's audience reads (~0.15%). SQS, Lambda and SNS
together stay under 0.05%.
"""

import json
import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from chalicelib import errors
from chalicelib.delivery.mail import MailOrigin, OutgoingMail
from chalicelib.delivery.send_ledger import BatchBusy, BatchRecord, LeaseLost, Outcomes, RecipientState
from chalicelib.delivery.sender import MAX_BULK_DATA_CHARS, MAX_BULK_ENTRIES, MAX_ENTRY_DATA_CHARS, bulk_entry_data
from chalicelib.delivery.ses_errors import Verdict, bulk_verdict, classify_ses_error
from chalicelib.hooks import Hook
from chalicelib.i18n import N_
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.queues import partial_batch_response

PAUSED = "paused"
CANCELLED = "cancelled"
DEFAULT_MAX_CONCURRENCY = 50  # mails in flight at once: one chunk, one SendBulkEmail
THROTTLE_RETRIES = 4
BACKOFF_BASE_S = 0.1
BACKOFF_CAP_S = 2.0
STATE_CHECK_INTERVAL_S = 1.0  # how often a batch asks whether its campaign was paused or cancelled
MAX_RECIPIENTS_PER_BATCH = 500  # a message holds ~50; this only bounds what a bad producer can send


# --- the message ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Recipient:
    contact_id: str
    email: str
    first_name: str | None = None
    last_name: str | None = None
    language: str | None = None
    fields: dict = field(default_factory=dict)
    list_id: str | None = None


@dataclass(frozen=True)
class SendBatch:
    """One SQS message of the campaign queue: a batch of a campaign's recipients.

    `batch_id` is unique within the campaign and stays the same on every delivery of the message:
    the ledger keys the batch's exactly-once record on it.
    """

    campaign_id: str
    account_id: str
    batch_id: str
    recipients: tuple[Recipient, ...]

    def to_json(self) -> str:
        # the same JSON as asdict(), whose recursive deep copy cost ~12% of the fan-out's CPU
        return json.dumps({"campaign_id": self.campaign_id, "account_id": self.account_id, "batch_id": self.batch_id,
                           "recipients": [{"contact_id": r.contact_id, "email": r.email, "first_name": r.first_name,
                                           "last_name": r.last_name, "language": r.language, "fields": r.fields,
                                           "list_id": r.list_id} for r in self.recipients]}, ensure_ascii=False)

    @classmethod
    def from_json(cls, body: str) -> "SendBatch":
        try:
            data = json.loads(body)
            batch = cls(campaign_id=_identifier(data["campaign_id"]), account_id=_identifier(data["account_id"]),
                        batch_id=_identifier(data["batch_id"]),
                        recipients=tuple(_recipient(item) for item in data["recipients"]))
        except (ValueError, KeyError, TypeError, AttributeError) as bad:
            raise errors.MalformedRequest(N_("The queued campaign batch is malformed.")) from bad
        contact_ids = [r.contact_id for r in batch.recipients]
        if len(set(contact_ids)) != len(contact_ids) or len(contact_ids) > MAX_RECIPIENTS_PER_BATCH:
            raise errors.MalformedRequest(N_("The queued campaign batch is malformed."))
        return batch


def _identifier(value) -> str:
    """An id as the ledger keeps it: a non-empty string without whitespace."""
    if not isinstance(value, str) or not value or len(value.split()) != 1 or value.strip() != value:
        raise ValueError("not an identifier")
    return value


def _optional_text(value) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _recipient(data: dict) -> Recipient:
    email = data["email"]
    if not isinstance(email, str) or "@" not in email:
        raise ValueError("not an address")
    fields = data.get("fields") or {}
    if not isinstance(fields, dict):
        raise TypeError("fields are not an object")
    list_id = data.get("list_id")
    return Recipient(contact_id=_identifier(data["contact_id"]), email=email,
                     first_name=_optional_text(data.get("first_name")), last_name=_optional_text(data.get("last_name")),
                     language=_optional_text(data.get("language")), fields=dict(fields),
                     list_id=None if list_id is None else _identifier(list_id))


# --- what became of it -----------------------------------------------------------------------------

@dataclass(frozen=True)
class BatchOutcome:
    """Every recipient of a batch after one delivery: the ledger's record, plus what to retry."""

    campaign_id: str
    batch_id: str
    sent: dict[str, str]  # contact id -> SES message id (this delivery and earlier ones)
    failed: dict[str, str]  # contact id -> reason
    unknown: frozenset[str]
    skipped: frozenset[str]
    retry: tuple[str, ...]  # not yet sent: throttled, the account halted, or the campaign paused
    recorded_now: dict[str, int] = field(default_factory=dict)  # counts this delivery recorded

    @property
    def done(self) -> bool:
        return not self.retry

    def state_of(self, contact_id: str) -> RecipientState:
        return BatchRecord(sent=self.sent, failed=self.failed, unknown=self.unknown,
                           skipped=self.skipped).state_of(contact_id)


class NotToBeSent(Exception):
    """Raised by a renderer for a recipient who may no longer be mailed (unsubscribed or suppressed
    since the fan-out): recorded as skipped, never sent."""


@dataclass(frozen=True)
class _Result:
    contact_id: str
    verdict: Verdict
    detail: str  # SES message id, or the reason


# --- the sender ------------------------------------------------------------------------------------

class CampaignSender:
    """Sends campaign batches; one per container, used for every message it receives.

    `renderer_for(batch)` returns the campaign's compiled renderer, `render(recipient) -> OutgoingMail`
    (compile once per campaign, render per recipient; a recipient whose mail fails to render is
    recorded failed, the batch goes on). `campaign_state(campaign_id)` returns the campaign's status
    ("paused" and "cancelled" stop a batch between chunks). `unsubscribe_headers(account_id,
    contact_id, list_id)` gives the List-Unsubscribe headers (AudienceService.unsubscribe_headers).
    The `sent` hook is called (account id, campaign id, count, bytes) with what SES accepted of a
    batch: the campaign's report and the account's reputation and use count it.
    """

    def __init__(self, channel, ledger, renderer_for: Callable, campaign_state: Callable[[str], str],
                 max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
                 unsubscribe_headers: Callable | None = None, chunk_size: int | None = None,
                 sent_mail=None,
                 throttle_retries: int = THROTTLE_RETRIES, backoff_base_s: float = BACKOFF_BASE_S,
                 backoff_cap_s: float = BACKOFF_CAP_S, state_check_interval_s: float = STATE_CHECK_INTERVAL_S,
                 clock=time.monotonic, sleep=time.sleep, rng: random.Random | None = None):
        # the campaigns' channel of the one mail engine (`chalicelib.delivery.engine`): SES and the token bucket
        self._ses = channel
        self._ledger = ledger
        self._renderer_for = renderer_for
        self._campaign_state = campaign_state
        self._unsubscribe_headers = unsubscribe_headers
        self.sent = Hook()  # (account id, campaign id, count, bytes) that SES accepted of a batch
        # remembers whose each accepted mail was, by its SES message id (chalicelib.delivery.sent_mail):
        # SES's notifications name only that id
        self._sent_mail = sent_mail
        self._max_concurrency = max(1, max_concurrency)
        # A chunk goes out at once, so it may not be larger than the bucket's burst (one second of sends).
        self._chunk_size = max(1, min(chunk_size or self._max_concurrency, int(channel.capacity)))
        self._throttle_retries = throttle_retries
        self._backoff_base_s = backoff_base_s
        self._backoff_cap_s = backoff_cap_s
        self._state_check_interval_s = state_check_interval_s
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                # two batches of an invocation send side by side, each up to max_concurrency at once
                self._pool = ThreadPoolExecutor(max_workers=2 * self._max_concurrency,
                                                thread_name_prefix="campaign-send")
            return self._pool

    def close(self) -> None:
        """Wait for the sending threads and stop them."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def send_batch(self, batch: SendBatch) -> BatchOutcome:
        """Send the batch's recipients that no earlier delivery settled. Raises BatchBusy while
        another worker holds the batch, LeaseLost when this one's lease was taken over."""
        render = self._renderer_for(batch)  # before the claim: a broken campaign leaves no lease behind
        owner = uuid.uuid4().hex
        record = self._ledger.claim(batch.campaign_id, batch.batch_id, owner)
        pending_outcomes = Outcomes(unknown=set(record.abandoned))
        if record.abandoned:
            logger.warning("campaign recipients in unknown state after a worker died", campaign_id=batch.campaign_id,
                           batch_id=batch.batch_id, unknown=len(record.abandoned))
        settled = record.finished | record.abandoned
        pending = [r for r in batch.recipients if r.contact_id not in settled]
        total = Outcomes(sent=dict(record.sent), failed=dict(record.failed), unknown=set(record.unknown),
                         skipped=set(record.skipped))
        recorded_now = Outcomes()
        retry: list[str] = []
        sizes: dict[str, int] = {}  # contact id -> bytes of their mail
        last_check = None
        while pending:
            if last_check is None or self._clock() - last_check >= self._state_check_interval_s:
                last_check = self._clock()
                state = self._campaign_state(batch.campaign_id)
                if state == PAUSED:
                    retry += [r.contact_id for r in pending]
                    logger.info("campaign batch paused", campaign_id=batch.campaign_id, batch_id=batch.batch_id,
                                not_sent=len(pending))
                    break
                if state == CANCELLED:
                    pending_outcomes.skipped |= {r.contact_id for r in pending}
                    break
            chunk, pending = pending[:self._chunk_size], pending[self._chunk_size:]
            self._ses.take(len(chunk))
            self._record(batch, owner, pending_outcomes, total, recorded_now, in_flight=[r.contact_id for r in chunk])
            pending_outcomes = Outcomes()
            halted = False
            # rendered here, in the batch's own thread; only SES calls, which wait on the network, go to the pool
            prepared = [self._prepare(batch, render, recipient) for recipient in chunk]
            sizes.update((ready[0].contact_id, mail_size(ready[1])) for ready in prepared
                         if not isinstance(ready, _Result))
            results = [ready for ready in prepared if isinstance(ready, _Result)]
            calls = self._calls([ready for ready in prepared if not isinstance(ready, _Result)])
            if len(calls) == 1:
                results += self._deliver_call(batch, calls[0])
            else:
                for call_results in self._executor().map(lambda call: self._deliver_call(batch, call), calls):
                    results += call_results
            if self._sent_mail is not None:
                self._remember(batch, chunk, results)
            for result in results:
                if result.verdict is Verdict.SENT:
                    pending_outcomes.sent[result.contact_id] = result.detail
                elif result.verdict is Verdict.FAILED:
                    pending_outcomes.failed[result.contact_id] = result.detail
                elif result.verdict is Verdict.UNKNOWN:
                    pending_outcomes.unknown.add(result.contact_id)
                elif result.verdict is Verdict.SKIPPED:
                    pending_outcomes.skipped.add(result.contact_id)
                else:
                    retry.append(result.contact_id)
                    halted = halted or result.verdict is Verdict.HALT
            if halted:
                logger.warning("campaign batch halted: SES refuses the account's mail", campaign_id=batch.campaign_id,
                               batch_id=batch.batch_id)
                retry += [r.contact_id for r in pending]
                break
        self._record(batch, owner, pending_outcomes, total, recorded_now, in_flight=(), release=True)
        if recorded_now.sent:
            self.sent(batch.account_id, batch.campaign_id, len(recorded_now.sent),
                          sum(sizes.get(contact_id, 0) for contact_id in recorded_now.sent))
        return BatchOutcome(campaign_id=batch.campaign_id, batch_id=batch.batch_id, sent=total.sent,
                            failed=total.failed, unknown=frozenset(total.unknown), skipped=frozenset(total.skipped),
                            retry=tuple(retry), recorded_now=recorded_now.counts())

    def _remember(self, batch: SendBatch, chunk: list[Recipient], results: list[_Result]) -> None:
        """The origin of each mail of the chunk SES accepted, before the checkpoint records it sent:
        a worker dying in between leaves the recipient unknown, yet its bounces still count."""
        lists = {recipient.contact_id: recipient.list_id for recipient in chunk}
        self._sent_mail.remember([(result.detail, MailOrigin(batch.account_id, batch.campaign_id, result.contact_id,
                                                             lists.get(result.contact_id)))
                                  for result in results if result.verdict is Verdict.SENT])

    def _record(self, batch, owner, outcomes: Outcomes, total: Outcomes, recorded_now: Outcomes, in_flight,
                release=False) -> None:
        self._ledger.checkpoint(batch.campaign_id, batch.batch_id, owner, outcomes, in_flight=in_flight,
                                release=release)
        for into in (total, recorded_now):
            into.sent.update(outcomes.sent)
            into.failed.update(outcomes.failed)
            into.unknown |= outcomes.unknown
            into.skipped |= outcomes.skipped

    def _prepare(self, batch: SendBatch, render, recipient: Recipient):
        """One recipient's mail, addressed; or the _Result when there is nothing to send. Never raises
        an Exception: one recipient's bad data must not fail the batch."""
        try:
            mail = self._addressed(batch, recipient, render(recipient))
            return recipient, mail, bulk_entry_data(mail)
        except NotToBeSent:
            return _Result(recipient.contact_id, Verdict.SKIPPED, "withdrawn")
        except Exception as error:
            return _Result(recipient.contact_id, Verdict.FAILED, f"render-failed:{type(error).__name__}")

    def _calls(self, ready: list[tuple]) -> list[list[tuple]]:
        """The SES calls for a chunk's (recipient, mail, entry data): SendBulkEmails of up to 50
        mails of one sender and ~8 MB; a mail too large for a bulk entry goes alone with SendEmail."""
        calls, open_calls = [], {}
        for item in ready:
            if len(item[2]) > MAX_ENTRY_DATA_CHARS:
                calls.append([item])
                continue
            key = self._ses.bulk_key(item[1])
            call = open_calls.get(key)
            if call is None or len(call[0]) >= MAX_BULK_ENTRIES or call[1] + len(item[2]) > MAX_BULK_DATA_CHARS:
                call = open_calls[key] = [[], 0]
                calls.append(call[0])
            call[0].append(item)
            call[1] += len(item[2])
        return calls

    def _deliver_call(self, batch: SendBatch, call: list[tuple]) -> list[_Result]:
        """One SES call's mails, each with its verdict; throttled ones are retried with backoff.
        Never raises an Exception."""
        if len(call) == 1 and len(call[0][2]) > MAX_ENTRY_DATA_CHARS:
            return [self._deliver(batch, *call[0][:2])]
        results: dict[str, _Result] = {}
        pending, attempt = call, 0
        while pending:
            try:
                answers = [bulk_verdict(answer) for answer in
                           self._ses.send_bulk([mail for _, mail, _ in pending], [data for *_, data in pending])]
            except Exception as error:
                verdict, reason = classify_ses_error(error)
                if verdict is Verdict.FAILED and len(pending) > 1:
                    # SES refused the whole call and took none of it: one bad mail must not fail the others
                    results.update((r.contact_id, self._deliver(batch, r, mail)) for r, mail, _ in pending)
                    break
                answers = [(verdict, reason)] * len(pending)
            throttled = []
            for item, (verdict, detail) in zip(pending, answers):
                if verdict is Verdict.RETRY and attempt < self._throttle_retries:
                    throttled.append(item)
                    continue
                if verdict is not Verdict.SENT:
                    logger.info("campaign mail not sent", campaign_id=batch.campaign_id, batch_id=batch.batch_id,
                                contact_id=item[0].contact_id, outcome=verdict.value, reason=detail)
                results[item[0].contact_id] = _Result(item[0].contact_id, verdict, detail)
            if throttled:
                self._sleep(self._backoff(attempt))
                self._ses.take(len(throttled))
                attempt += 1
            pending = throttled
        return [results[recipient.contact_id] for recipient, *_ in call]

    def _deliver(self, batch: SendBatch, recipient: Recipient, mail: OutgoingMail) -> _Result:
        """Hand one mail to SES with SendEmail, retrying throttling. Never raises an Exception."""
        attempt = 0
        while True:
            try:
                return _Result(recipient.contact_id, Verdict.SENT, self._ses.send(mail))
            except Exception as error:
                verdict, reason = classify_ses_error(error)
            if verdict is not Verdict.RETRY or attempt >= self._throttle_retries:
                if verdict is not Verdict.SENT:
                    logger.info("campaign mail not sent", campaign_id=batch.campaign_id, batch_id=batch.batch_id,
                                contact_id=recipient.contact_id, outcome=verdict.value, reason=reason)
                return _Result(recipient.contact_id, verdict, reason)
            self._sleep(self._backoff(attempt))
            self._ses.take(1)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter."""
        return self._rng.uniform(0, min(self._backoff_cap_s, self._backoff_base_s * 2 ** attempt))

    def _addressed(self, batch: SendBatch, recipient: Recipient, mail: OutgoingMail) -> OutgoingMail:
        headers = tuple(mail.headers)
        present = {name.lower() for name, _ in headers}
        # a campaign's renderer writes these itself (with the campaign in the link): signing them again
        # only to drop them cost an HMAC per mail
        if self._unsubscribe_headers is not None and recipient.list_id and "list-unsubscribe" not in present:
            headers += tuple((name, value) for name, value in
                             self._unsubscribe_headers(batch.account_id, recipient.contact_id, recipient.list_id)
                             if name.lower() not in present)
        tags = {**mail.tags, "account": batch.account_id, "campaign": batch.campaign_id,
                "contact": recipient.contact_id}
        if recipient.list_id:
            tags["list"] = recipient.list_id
        return replace(mail, to=tuple(mail.to) or (recipient.email,), headers=headers, tags=tags)


def mail_size(mail: OutgoingMail) -> int:
    """The bytes of a mail's content as handed to SES (subject, text and HTML in UTF-8): what the
    account's use counts as sent."""
    return len(mail.subject.encode()) + len(mail.text.encode()) + len(mail.html.encode())


# --- the queue handler -----------------------------------------------------------------------------

def _attempt(sender: CampaignSender, queue_message_id: str, body: str) -> BatchOutcome | None:
    """One message's batch; None when the message must come back (or, in the end, go to the DLQ).
    Only a worker's death (a BaseException) escapes."""
    try:
        return sender.send_batch(SendBatch.from_json(body))
    except errors.MalformedRequest:
        logger.error("campaign batch malformed", queue_message_id=queue_message_id)
    except (BatchBusy, LeaseLost) as busy:
        logger.info("campaign batch held by another worker", queue_message_id=queue_message_id,
                    reason=type(busy).__name__)
    except Exception as error:  # one bad batch must not fail its batch-mates
        logger.warning("campaign batch not sent", queue_message_id=queue_message_id, error=type(error).__name__,
                       error_code=getattr(error, "response", {}).get("Error", {}).get("Code"))
    return None


def handle_send_records(records, sender: CampaignSender) -> dict:
    """Send the batches of an SQS event; the answer is Lambda's partial batch response.

    `records` are (SQS message id, body) pairs. A message is reported failed, so that SQS delivers
    it again, when some of its recipients need another try, when another worker holds its batch,
    or when it cannot be read (after maxReceiveCount it goes to the dead-letter queue).
    """

    def send(queue_message_id: str, body: str) -> bool:
        outcome = _attempt(sender, queue_message_id, body)
        if outcome is None:
            return False
        logger.info("campaign batch sent", queue_message_id=queue_message_id, campaign_id=outcome.campaign_id,
                    batch_id=outcome.batch_id, retry=len(outcome.retry), **outcome.recorded_now)
        for name, count in outcome.recorded_now.items():
            if count:
                metrics.add_metric(name=f"CampaignMail{name.capitalize()}", unit=MetricUnit.Count, value=count)
        return not outcome.retry

    # the batches of one invocation go out side by side: SES calls mostly wait
    return partial_batch_response(records, send, side_by_side=True)
