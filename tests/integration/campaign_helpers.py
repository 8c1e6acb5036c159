"""Shared parts of the campaign sending tests: a fake clock, fault-injecting wrappers around the SES
client and the ledger, an outbox counting what SES accepted per address, and an SQS-like loop that
delivers messages until every one is settled."""

import collections
import random
import threading

from botocore.exceptions import ClientError

from chalicelib.delivery.campaign_sender import CampaignSender, Recipient, SendBatch, handle_send_records
from chalicelib.delivery.engine import MailEngine
from chalicelib.delivery.mail import OutgoingMail
from chalicelib.delivery.rate_limit import DynamoTokenBucket, RateLimiter
from chalicelib.delivery.send_ledger import DynamoSendLedger
from devstack.devtools.ses_bulk import entry_status, single_requests

CAMPAIGNS_TABLE = "mailexpert-campaigns"
FROM_ADDRESS = "MailExpert <noreply@mailexpert.nl>"
CONFIGURATION_SET = "mailexpert"
LEASE_S = 120
VISIBILITY_TIMEOUT_S = 360  # the message comes back after this; the lease has expired by then
START = 1_700_000_000.0


class WorkerKilled(BaseException):
    """The worker's process died: nothing after this point runs (not an Exception: nothing catches it)."""


class FakeClock:
    def __init__(self, start: float = START):
        self._now = start
        self._lock = threading.Lock()

    def time(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)


class Faults:
    """Random faults for one worker, from seeded generators (one per kind of fault, so the number of
    throttles does not depend on how the sending threads interleave); once killed, it stays dead."""

    def __init__(self, rng: random.Random, kill_rate: float = 0.0, throttle_rate: float = 0.0):
        self._kill_rng = random.Random(rng.random())
        self._throttle_rng = random.Random(rng.random())
        self._lock = threading.Lock()
        self.kill_rate = kill_rate
        self.throttle_rate = throttle_rate
        self.dead = False
        self.kills = []
        self.throttles = 0

    def _roll(self, rng: random.Random, rate: float) -> bool:
        with self._lock:
            return rng.random() < rate

    def check(self) -> None:
        if self.dead:
            raise WorkerKilled("already dead")

    def maybe_die(self, point: str) -> None:
        self.check()
        if self._roll(self._kill_rng, self.kill_rate):
            self.dead = True
            self.kills.append(point)
            raise WorkerKilled(point)

    def throttled(self) -> bool:
        if self._roll(self._throttle_rng, self.throttle_rate):
            with self._lock:
                self.throttles += 1
            return True
        return False


class Outbox:
    """What SES accepted, per destination address (counted by the test, not by the code under test)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.accepted = collections.Counter()
        self.message_ids = {}
        self.requests = {}

    def accept(self, address: str, request: dict, message_id: str) -> None:
        with self._lock:
            self.accepted[address] += 1
            self.message_ids[address] = message_id
            self.requests[address] = request


def ses_error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {"HTTPStatusCode": status}},
                       "SendEmail")


class FaultySes:
    """The moto SES v2 client, with injected throttling, refusals and deaths around the real call."""

    _moto_lock = threading.Lock()  # moto's in-process backends are not made for concurrent calls

    def __init__(self, ses, outbox: Outbox, faults: Faults, refused=None, gate=None, entry_status=None,
                 refuse_call_for=frozenset(), calls=None):
        self._ses = ses
        self._outbox = outbox
        self._faults = faults
        self._refused = refused or {}  # address -> the SES error code it gets
        self._gate = gate  # called before each send: lets a test hold a worker mid-batch
        self._entry_status = entry_status  # address -> a bulk entry status SES answers instead, or None
        self._refuse_call_for = refuse_call_for  # a bulk call with one of these is refused whole (400)
        self.calls = calls if calls is not None else collections.Counter()  # operation -> calls

    def send_email(self, **request):
        self.calls["SendEmail"] += 1
        self._faults.maybe_die("before SES accepted")
        if self._gate is not None:
            self._gate()
        [address] = request["Destination"]["ToAddresses"]
        if self._faults.throttled():
            raise ses_error("TooManyRequestsException", 429)
        if address in self._refused:
            raise ses_error(self._refused[address], 400)
        with self._moto_lock:
            answer = self._ses.send_email(**request)
        self._outbox.accept(address, request, answer["MessageId"])
        self._faults.maybe_die("after SES accepted, before the record")
        return answer


    def send_bulk_email(self, **request):
        """SES's SendBulkEmail, entry by entry as SES would send them (moto has no SendBulkEmail)."""
        self.calls["SendBulkEmail"] += 1
        self._faults.maybe_die("before SES accepted")
        if self._gate is not None:
            self._gate()
        if self._faults.throttled():
            raise ses_error("TooManyRequestsException", 429)
        singles = single_requests(request)
        if any(s["Destination"]["ToAddresses"][0] in self._refuse_call_for for s in singles):
            raise ses_error("BadRequestException", 400)
        results = []
        for single in singles:
            [address] = single["Destination"]["ToAddresses"]
            status = self._entry_status(address) if self._entry_status else None
            if status is not None:
                results.append({"Status": status, "Error": "injected"})
                continue
            if address in self._refused:
                results.append({"Status": entry_status(self._refused[address]), "Error": "injected"})
                continue
            with self._moto_lock:
                answer = self._ses.send_email(**single)
            self._outbox.accept(address, single, answer["MessageId"])
            results.append({"Status": "SUCCESS", "MessageId": answer["MessageId"]})
        self._faults.maybe_die("after SES accepted, before the record")
        return {"BulkEmailEntryResults": results}


class DyingLedger:
    """The real ledger; the worker may die right before or right after each of its writes."""

    def __init__(self, ledger: DynamoSendLedger, faults: Faults, before_checkpoint=None):
        self._ledger = ledger
        self._faults = faults
        self._before_checkpoint = before_checkpoint  # lets a test kill the worker at a chosen point

    def claim(self, *args, **kwargs):
        self._faults.maybe_die("before claim")
        record = self._ledger.claim(*args, **kwargs)
        self._faults.maybe_die("after claim")
        return record

    def checkpoint(self, *args, **kwargs):
        self._faults.maybe_die("before checkpoint")
        if self._before_checkpoint is not None:
            self._before_checkpoint()
        self._ledger.checkpoint(*args, **kwargs)
        self._faults.maybe_die("after checkpoint")


class SerializedClient:
    """One call at a time: DynamoDB applies each conditional write atomically, moto's in-process
    backend does not when called from several threads."""

    _lock = threading.Lock()

    def __init__(self, client):
        self._client = client
        self.exceptions = client.exceptions

    def __getattr__(self, name):
        method = getattr(self._client, name)

        def serialized(*args, **kwargs):
            with self._lock:
                return method(*args, **kwargs)

        return serialized


def render_for(batch: SendBatch):
    """A trivial campaign renderer; a recipient with the field `explode` cannot be rendered, one with
    `huge` gets a mail of about 300 KB."""

    def render(recipient: Recipient) -> OutgoingMail:
        if recipient.fields.get("explode"):
            raise ValueError("broken merge field")
        html = "<p>Nieuws</p>" + ("<p>" + "x" * 1000 + "</p>") * 300 * bool(recipient.fields.get("huge"))
        return OutgoingMail(to=(recipient.email,), subject=f"Hallo {recipient.first_name or ''}",
                            text="Nieuws", html=html)

    return render


def unsubscribe_headers(account_id: str, contact_id: str, list_id: str):
    url = f"https://app.mailexpert.nl/u/{account_id}.{contact_id}.{list_id}"
    return (("List-Unsubscribe", f"<{url}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))


def make_batches(campaign_id: str, batches: int, per_batch: int, explode=frozenset(),
                 huge=frozenset()) -> list[SendBatch]:
    """Batches of recipients k<batch>x<n>; those in `explode` cannot be rendered, those in `huge` get ~300 KB."""
    return [SendBatch(campaign_id=campaign_id, account_id="acct1", batch_id=f"b{b:03d}", recipients=tuple(
        Recipient(contact_id=f"k{b}x{n}", email=f"r{b}x{n}.{campaign_id}@example.com", first_name="Piet",
                  fields={"explode": f"k{b}x{n}" in explode, "huge": f"k{b}x{n}" in huge}, list_id="list1")
        for n in range(per_batch))) for b in range(batches)]


class Campaign:
    """The moving parts around the code under test, on one moto account."""

    def __init__(self, aws_resources, seed: int = 0, rate_per_s: float = 10_000):
        self.clock = FakeClock()
        self.outbox = Outbox()
        self.rng = random.Random(seed)
        dynamodb = SerializedClient(aws_resources.client("dynamodb"))
        self.ses = aws_resources.client("sesv2")
        self.ledger = DynamoSendLedger(dynamodb, CAMPAIGNS_TABLE, lease_s=LEASE_S, clock=self.clock.time)
        self.bucket = DynamoTokenBucket(dynamodb, CAMPAIGNS_TABLE)
        self.rate_per_s = rate_per_s
        self.state = collections.defaultdict(lambda: "sending")
        self.kills = []
        self.throttles = 0
        self.deliveries = 0
        self.ses_calls = collections.Counter()  # SES operation -> calls, over every worker
        self.ses_answers = {}  # FaultySes's entry_status and refuse_call_for, for every worker

    def sender(self, faults: Faults, refused=None, max_concurrency: int = 4, gate=None,
               before_checkpoint=None, **options):
        limiter = RateLimiter(self.bucket, self.rate_per_s, clock=self.clock.time, sleep=self.clock.sleep,
                              rng=random.Random(self.rng.random()))
        ses = FaultySes(self.ses, self.outbox, faults, refused, gate, calls=self.ses_calls, **self.ses_answers)
        channel = MailEngine(ses, limiter, FROM_ADDRESS).channel(CONFIGURATION_SET)
        return CampaignSender(channel, DyingLedger(self.ledger, faults, before_checkpoint), render_for,
                              lambda campaign_id: self.state[campaign_id], max_concurrency=max_concurrency,
                              unsubscribe_headers=unsubscribe_headers, clock=self.clock.time, sleep=self.clock.sleep,
                              rng=random.Random(self.rng.random()), **options)

    def deliver(self, message, kill_rate=0.0, throttle_rate=0.0, refused=None, **options) -> bool:
        """One delivery of one SQS message to a fresh worker; True when the message may be deleted."""
        faults = Faults(random.Random(self.rng.random()), kill_rate, throttle_rate)
        sender = self.sender(faults, refused, **options)
        self.deliveries += 1
        try:
            answer = handle_send_records([message], sender)
            return not answer["batchItemFailures"]
        except WorkerKilled:
            return False
        finally:
            sender.close()  # a dead worker's threads die with it: they raise at their next call
            self.kills += faults.kills
            self.throttles += faults.throttles

    def deliver_until_settled(self, batches, duplicates: bool = True, max_deliveries: int = 400, **faults) -> None:
        """Deliver like SQS: each message once, or twice when `duplicates`; a message that failed (or
        whose worker died) comes back after the visibility timeout, until it is deleted."""
        queue = collections.deque((f"m-{batch.batch_id}", batch.to_json()) for batch in batches)
        if duplicates:
            queue.extend(list(queue))
        while queue:
            assert self.deliveries < max_deliveries, "the messages never settled"
            message = queue.popleft()
            if not self.deliver(message, **faults):
                queue.append(message)
                self.clock.advance(VISIBILITY_TIMEOUT_S)
