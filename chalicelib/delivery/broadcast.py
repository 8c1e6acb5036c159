"""The broadcast engine: one MailExpert message to a set of accounts, exactly once per (message, account).

Policy notices and their withdrawal, service announcements and product news use it. A *kind*
of message (`BroadcastKind`) names its audience and, for one message id, gives a `BroadcastMessage`
that says which accounts of the audience it is for and renders each account's mail (compiled once
per invocation, rendered per account, no I/O). The engine does the rest:

- It reads the accounts page by page (`accounts.page(cursor, limit)`), keeps those of the audience,
  and sends each its mail through the one mail engine's channel: the tokens of a chunk of accounts
  from the one token bucket at once (`take`), then `send_one` per mail. Several mails of a chunk go
  out at once (a few threads: SES calls wait on the network).
- One job invocation works through pages until its time budget is nearly spent (10 of Lambda's 15
  minutes), saves the cursor and puts a continuation on the jobs queue: 100,000 accounts take a
  handful of invocations, not 100,000.
- Exactly once: before an account's mail is handed to SES, a conditional write claims the item
  pk BROADCAST#<kind>#<message>, sk ACCOUNT#<account> for this attempt; only the attempt whose write
  created it sends; the outcomes of a chunk (25 accounts) are recorded on their items together
  afterwards. A second run, a concurrent one or a redelivered continuation finds the claim and skips
  the account (one BatchGetItem per chunk leaves out the accounts already claimed before their tokens
  are taken from the bucket).

Why not `chalicelib.delivery.send_ledger` itself: its unit is a campaign batch, a fixed list of
recipients fanned out once; a broadcast's recipients are read live from the accounts table, whose
pages shift as accounts register and are erased, so the same account can fall in different pages on
different runs. The ledger's approach is kept (conditional writes, the owner of a claim as fencing
token, the same states and the same unavoidable window), keyed per account instead of per batch.

THE UNAVOIDABLE WINDOW, as in the campaign ledger: SES has no idempotency key, so a worker that dies
between claiming an account and recording the outcome leaves it `sending`: SES may or may not have
taken the mail (at most one chunk of accounts per death). It is never sent again (at most once beats
twice); `DynamoBroadcastLedger.state_of` tells it apart, and the withdrawal notice counts it as reached. What SES
certainly did not take (throttled, the account's sending paused: `Verdict.RETRY`/`HALT`) is released
and sent by a later run.

Cost per account noticed: a conditional PutItem (the claim), 1/25 of a BatchWriteItem of outcomes, a
consistent read of its key, 1/25 of a token-bucket write, SES's SendEmail and the sent-mail origin
(`make bench`: notice_accounts_per_s beside the bare SendEmail ceiling).

Items (notices table):
  pk BROADCAST#<kind>#<message>  sk ACCOUNT#<account>  state sending|sent|failed|unknown, owner, SES id
  pk BROADCAST#<kind>#<message>  sk RUN                the cursor, whether a pass finished, counters
"""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from typing import Protocol

from chalicelib.delivery.engine import MailNotSent
from chalicelib.delivery.ses_errors import Verdict
from chalicelib.dynamo import write_batch
from chalicelib.observability import logger

BROADCAST_JOB = "broadcast"
BROADCAST_PREFIX = "BROADCAST#"
RUN_SORT_KEY = "RUN"
ACCOUNT_SORT_PREFIX = "ACCOUNT#"
DEFAULT_BUDGET_S = 600  # of the jobs function's 900 s: room to finish a page and hand over
DEFAULT_PAGE_SIZE = 100
DEFAULT_CONCURRENCY = 4
DEFAULT_CHUNK_SIZE = 25  # accounts whose tokens are taken from the bucket at once (its default take)
RECORD_RETENTION_S = 400 * 24 * 3600
MAX_BATCH_GET = 100  # DynamoDB's limit of keys per BatchGetItem
MAX_BATCH_WRITE = 25  # and of writes per BatchWriteItem
UNPROCESSED_RETRIES = 5
STALE_RUN_S = 20 * 60  # a run that saved no progress for this long is no longer running


class Audience(str, Enum):
    """Who a kind of message may reach, before the message's own choice (`BroadcastMessage.includes`)."""

    HELD_CONFIRMED = "held-confirmed"  # every account whose data we hold, active or deactivated (policy notices)
    ACTIVE = "active"  # active accounts only (service announcements, P16)
    PRODUCT_NEWS = "product-news"  # active accounts that opted in to product news (P4)


def in_audience(audience: Audience, account) -> bool:
    """A confirmed address always; then the audience's own condition."""
    if not account.email_verified:
        return False
    if audience is Audience.HELD_CONFIRMED:
        return True
    if audience is Audience.ACTIVE:
        return account.active
    return account.active and account.product_news


class BroadcastMessage(Protocol):
    def includes(self, account) -> bool:
        """Whether this account of the audience gets the message (e.g. registered before it was announced)."""

    def render(self, account):
        """The account's mail (`chalicelib.delivery.mail.OutgoingMail`), in its language; pure."""


class BroadcastKind(Protocol):
    audience: Audience

    def message(self, message_id: str) -> BroadcastMessage | None:
        """The message to send, or None when it is no longer to be sent (withdrawn, cancelled)."""


class BroadcastState(str, Enum):
    SENDING = "sending"  # claimed; no outcome recorded (yet): after a crash, unknown
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass
class BroadcastProgress:
    cursor: str | None = None
    done: bool = False  # a pass reached the last page with nothing left to retry
    cancelled: bool = False
    updated_at: datetime | None = None
    sent: int = 0
    failed: int = 0
    unknown: int = 0


@dataclass
class RunReport:
    """What one invocation did."""

    kind: str
    message_id: str
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    already: int = 0  # claimed by another run, or by an earlier one
    pages: int = 0
    finished: bool = False
    continued: bool = False
    halted: bool = False
    cancelled: bool = False

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in ("kind", "message_id", "sent", "failed", "unknown", "already",
                                                       "pages", "finished", "continued", "halted", "cancelled")}


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class DynamoBroadcastLedger:
    """Per (message, account) claims and the run record, in the notices table."""

    def __init__(self, client, table_name: str):
        self._client = client
        self._table = table_name

    @staticmethod
    def _pk(kind: str, message_id: str) -> dict:
        return {"S": f"{BROADCAST_PREFIX}{kind}#{message_id}"}

    def _key(self, kind: str, message_id: str, account_id: str) -> dict:
        return {"pk": self._pk(kind, message_id), "sk": {"S": ACCOUNT_SORT_PREFIX + account_id}}

    def claim(self, kind: str, message_id: str, account_id: str, owner: str, now: datetime) -> bool:
        """True only for the one attempt whose write created the claim."""
        try:
            self._client.put_item(
                TableName=self._table, Item={**self._key(kind, message_id, account_id),
                                             "state": {"S": BroadcastState.SENDING.value}, "owner": {"S": owner},
                                             "claimed_at": {"S": now.isoformat()},
                                             "expires_at": {"N": str(int(now.timestamp()) + RECORD_RETENTION_S)}},
                ConditionExpression="attribute_not_exists(pk)")
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def record_all(self, kind: str, message_id: str, owner: str, outcomes: list[tuple]) -> None:
        """The outcomes of a chunk's claimed accounts, (account id, state, detail) each, in BatchWriteItems
        of 25. Unconditional, and still fenced: only the owner of a claim ever writes it after creating it
        (a claim is released only by its owner, before anyone else can claim the account again)."""
        now = datetime.now(timezone.utc)
        expires = {"N": str(int(now.timestamp()) + RECORD_RETENTION_S)}
        requests = [{"PutRequest": {"Item": {**self._key(kind, message_id, account_id), "state": {"S": state.value},
                                             "owner": {"S": owner}, "detail": {"S": detail or "-"},
                                             "recorded_at": {"S": now.isoformat()}, "expires_at": expires}}}
                    for account_id, state, detail in outcomes]
        for start in range(0, len(requests), MAX_BATCH_WRITE):
            if write_batch(self._client, self._table, requests[start:start + MAX_BATCH_WRITE], time.sleep,
                           UNPROCESSED_RETRIES):
                raise RuntimeError("DynamoDB left broadcast outcomes unprocessed")

    def forget(self, kind: str, message_id: str, account_id: str) -> None:
        """Erasure of the account: its record of this message goes (it will never be listed again)."""
        self._client.delete_item(TableName=self._table, Key=self._key(kind, message_id, account_id))

    def release(self, kind: str, message_id: str, account_id: str, owner: str) -> None:
        """SES certainly did not take the mail: a later run may send it."""
        self._client.delete_item(
            TableName=self._table, Key=self._key(kind, message_id, account_id),
            ConditionExpression="#owner = :owner AND #state = :sending",
            ExpressionAttributeNames={"#state": "state", "#owner": "owner"},
            ExpressionAttributeValues={":owner": {"S": owner}, ":sending": {"S": BroadcastState.SENDING.value}})

    def claimed(self, kind: str, message_id: str, account_ids: list[str]) -> set[str]:
        """Which of these accounts have a claim (whatever its state): one BatchGetItem per 100."""
        found = set()
        for start in range(0, len(account_ids), MAX_BATCH_GET):
            keys = [self._key(kind, message_id, account_id) for account_id in account_ids[start:start + MAX_BATCH_GET]]
            request = {self._table: {"Keys": keys, "ProjectionExpression": "sk", "ConsistentRead": True}}
            while request:
                answer = self._client.batch_get_item(RequestItems=request)
                found |= {item["sk"]["S"].removeprefix(ACCOUNT_SORT_PREFIX)
                          for item in answer["Responses"].get(self._table, [])}
                request = answer.get("UnprocessedKeys") or None
        return found

    def state_of(self, kind: str, message_id: str, account_id: str) -> BroadcastState | None:
        item = self._client.get_item(TableName=self._table, Key=self._key(kind, message_id, account_id),
                                     ConsistentRead=True).get("Item")
        return BroadcastState(item["state"]["S"]) if item else None

    def save_progress(self, kind: str, message_id: str, cursor: str | None, done: bool, now: datetime,
                      counts: dict[str, int], cancelled: bool = False) -> None:
        values = {":done": {"BOOL": done}, ":cancelled": {"BOOL": cancelled}, ":now": {"S": now.isoformat()}}
        sets = ["done = :done", "cancelled = :cancelled", "updated_at = :now"]
        removes = []
        if cursor:
            sets.append("#cursor = :cursor")
            values[":cursor"] = {"S": cursor}
        else:
            removes.append("#cursor")
        adds = []
        for name, count in counts.items():
            if count:
                adds.append(f"{name} :{name}")
                values[f":{name}"] = {"N": str(count)}
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "") + \
            (" ADD " + ", ".join(adds) if adds else "")
        self._client.update_item(TableName=self._table, Key={"pk": self._pk(kind, message_id),
                                                             "sk": {"S": RUN_SORT_KEY}},
                                 UpdateExpression=expression, ExpressionAttributeNames={"#cursor": "cursor"},
                                 ExpressionAttributeValues=values)

    def progress(self, kind: str, message_id: str) -> BroadcastProgress | None:
        item = self._client.get_item(TableName=self._table, Key={"pk": self._pk(kind, message_id),
                                                                 "sk": {"S": RUN_SORT_KEY}},
                                     ConsistentRead=True).get("Item")
        if item is None:
            return None
        return BroadcastProgress(
            cursor=item.get("cursor", {}).get("S"), done=item.get("done", {}).get("BOOL", False),
            cancelled=item.get("cancelled", {}).get("BOOL", False),
            updated_at=datetime.fromisoformat(item["updated_at"]["S"]) if "updated_at" in item else None,
            **{name: int(item.get(name, {}).get("N", 0)) for name in ("sent", "failed", "unknown")})


class BroadcastEngine:
    """Sends broadcasts of the kinds it knows (kind name -> `BroadcastKind`)."""

    def __init__(self, accounts, ledger, channel, jobs_queue, kinds: dict, *, clock=_utc_now,
                 monotonic=time.monotonic, budget_s: float = DEFAULT_BUDGET_S, page_size: int = DEFAULT_PAGE_SIZE,
                 concurrency: int = DEFAULT_CONCURRENCY, chunk_size: int = DEFAULT_CHUNK_SIZE):
        self._accounts = accounts  # `.page(cursor, limit)`
        self._ledger = ledger
        self._channel = channel  # a `MailChannel`: `take(n)` tokens from the one bucket, then `send_one`
        self._jobs = jobs_queue
        self._kinds = kinds
        self._clock = clock
        self._monotonic = monotonic
        self._budget_s = budget_s
        self._page_size = page_size
        self._concurrency = concurrency
        self._chunk_size = chunk_size

    # --- starting and resuming ---------------------------------------------------------------

    def start(self, kind: str, message_id: str, cursor: str | None = None) -> str:
        """Queue the broadcast's (next) run on the jobs queue."""
        if kind not in self._kinds:
            raise ValueError(f"unknown broadcast kind {kind!r}")
        job = {"job": BROADCAST_JOB, "kind": kind, "message": message_id}
        if cursor:
            job["cursor"] = cursor
        return self._jobs.enqueue(job)

    def resume_unfinished(self, kind: str, message_ids) -> list[str]:
        """For the daily job: queue a run for each message whose broadcast has not finished a pass and
        is not running now (no progress saved for a while). Returns the message ids queued."""
        queued = []
        now = self._clock()
        for message_id in message_ids:
            progress = self._ledger.progress(kind, message_id)
            if progress is not None and (progress.done or progress.cancelled):
                continue
            if progress is not None and progress.updated_at is not None and \
                    (now - progress.updated_at).total_seconds() < STALE_RUN_S:
                continue
            self.start(kind, message_id, progress.cursor if progress else None)
            queued.append(message_id)
        return queued

    def handle_job(self, job: dict) -> RunReport:
        """The jobs queue's handler for BROADCAST_JOB."""
        return self.run(job["kind"], str(job["message"]), job.get("cursor"))

    def progress(self, kind: str, message_id: str) -> BroadcastProgress | None:
        return self._ledger.progress(kind, message_id)

    def state_of(self, kind: str, message_id: str, account_id: str) -> BroadcastState | None:
        return self._ledger.state_of(kind, message_id, account_id)

    def forget(self, kind: str, message_id: str, account_id: str) -> None:
        self._ledger.forget(kind, message_id, account_id)

    def reached(self, kind: str, message_id: str, account_id: str) -> bool:
        """Whether the message went to the account: sent, or handed to SES with no outcome recorded."""
        return self._ledger.state_of(kind, message_id, account_id) in (
            BroadcastState.SENT, BroadcastState.SENDING, BroadcastState.UNKNOWN)

    # --- one invocation ----------------------------------------------------------------------

    def run(self, kind_name: str, message_id: str, cursor: str | None = None) -> RunReport:
        """Work through pages from `cursor` until the last page or the time budget; then hand over."""
        kind = self._kinds[kind_name]
        report = RunReport(kind_name, message_id)
        deadline = self._monotonic() + self._budget_s
        owner = uuid.uuid4().hex
        while True:
            message = kind.message(message_id)  # each page: a withdrawn message stops the broadcast
            if message is None:
                self._ledger.save_progress(kind_name, message_id, cursor, True, self._clock(), {}, cancelled=True)
                report.cancelled = True
                logger.info("broadcast stopped: message no longer to be sent", kind=kind_name, message_id=message_id)
                return report
            accounts, next_cursor = self._accounts.page(cursor, self._page_size)
            recipients = [a for a in accounts if in_audience(kind.audience, a) and message.includes(a)]
            counts, halted = self._send_page(kind_name, message_id, message, recipients, owner, report)
            report.pages += 1
            if halted:  # SES takes no mail now: keep the cursor at this page for a later run
                self._ledger.save_progress(kind_name, message_id, cursor, False, self._clock(), counts)
                report.halted = True
                logger.warning("broadcast halted: SES takes no mail now", kind=kind_name, message_id=message_id)
                return report
            cursor = next_cursor
            self._ledger.save_progress(kind_name, message_id, cursor, cursor is None, self._clock(), counts)
            if cursor is None:
                report.finished = True
                logger.info("broadcast finished a pass", **report.as_dict())
                return report
            if self._monotonic() >= deadline:
                self.start(kind_name, message_id, cursor)
                report.continued = True
                logger.info("broadcast continues in a new invocation", kind=kind_name, message_id=message_id,
                            pages=report.pages, sent=report.sent)
                return report

    def _send_page(self, kind: str, message_id: str, message, recipients, owner: str,
                   report: RunReport) -> tuple[dict, bool]:
        """The page's recipients, a chunk at a time: leave out those already claimed (one batch read),
        take the tokens of the rest from the bucket at once, then claim and send each, a few side by
        side (SES calls wait on the network), and record the chunk's outcomes together. Each account is
        claimed just before its mail goes to SES: a worker dying leaves at most one chunk's accounts in
        doubt (sent or not: `sending`, never resent), and none unsent that it had not claimed."""
        counts = {"sent": 0, "failed": 0, "unknown": 0}
        halted = False
        for start in range(0, len(recipients), self._chunk_size):
            chunk = recipients[start:start + self._chunk_size]
            taken = self._ledger.claimed(kind, message_id, [account.account_id for account in chunk])
            todo = [account for account in chunk if account.account_id not in taken]
            report.already += len(chunk) - len(todo)
            if not todo:
                continue
            self._channel.take(len(todo))
            settled = []
            for account, outcome in zip(todo, self._map(
                    lambda account: self._send_one(kind, message_id, message, account, owner), todo)):
                if outcome is None:
                    report.already += 1  # claimed by another run since the read
                elif outcome == "retry":
                    halted = True
                else:
                    settled.append((account.account_id, *outcome))
                    counts[outcome[0].value] += 1
            self._ledger.record_all(kind, message_id, owner, settled)
            if halted:
                break
        report.sent += counts["sent"]
        report.failed += counts["failed"]
        report.unknown += counts["unknown"]
        return counts, halted

    def _map(self, function, items) -> list:
        if self._concurrency > 1 and len(items) > 1:
            with ThreadPoolExecutor(max_workers=min(self._concurrency, len(items)),
                                    thread_name_prefix="broadcast") as pool:
                return list(pool.map(function, items))
        return [function(item) for item in items]

    def _send_one(self, kind: str, message_id: str, message, account, owner: str):
        """One account, its token taken: render, claim, send. Its outcome to record, (state, detail);
        None when another attempt has (had) it; "retry" when SES certainly did not take it (released).
        Anything else that goes wrong stops the run (the claim stays: unknown, never resent)."""
        try:
            mail = message.render(account)
        except Exception as error:  # one account's bad data must not stop the broadcast
            if not self._ledger.claim(kind, message_id, account.account_id, owner, self._clock()):
                return None
            return BroadcastState.FAILED, f"render-failed:{type(error).__name__}"
        if not self._ledger.claim(kind, message_id, account.account_id, owner, self._clock()):
            return None
        try:
            return BroadcastState.SENT, self._channel.send_one(mail, token_taken=True)
        except MailNotSent as refused:
            if refused.may_retry:
                self._ledger.release(kind, message_id, account.account_id, owner)
                return "retry"
            state = BroadcastState.FAILED if refused.verdict is Verdict.FAILED else BroadcastState.UNKNOWN
            logger.info("broadcast mail not sent", kind=kind, message_id=message_id, account_id=account.account_id,
                        outcome=state.value, reason=refused.reason)
            return state, refused.reason
