"""The exactly-once ledger of campaign sending: what became of each recipient of each batch.

A campaign is fanned out into SQS messages of up to ~50 recipients (a `SendBatch`). SQS delivers
at least once, SES throttles, and a worker can die anywhere, yet no recipient may be mailed twice
for the same campaign, nor silently skipped. Each batch has one item in the campaigns table:

  pk CAMPAIGN#<campaign>  sk BATCH#<batch>   the lease, the recipients in flight, and the outcomes
  pk CAMPAIGN#<campaign>  sk STATS           sent / failed / unknown / skipped totals (ADD counters)

A recipient is in one of these states (`RecipientState`):
  not yet   nothing recorded: a later attempt sends it
  sent      SES accepted the mail; its SES message id is kept
  failed    SES refused it for good (MESSAGE_REJECTED, an unverified address in the sandbox...) or it
            could not be rendered; the reason is kept
  unknown   it was claimed for sending, but no outcome was recorded: SES may or may not have accepted
            it. It is reported, and never resent automatically.
  skipped   the campaign was cancelled before it was sent

The protocol, per delivery of a batch message:
 1. `claim`: one conditional UpdateItem takes the batch's lease (free, or expired: its holder died)
    and returns what is recorded. Recipients left `in_flight` by a previous holder without an
    outcome are the crash window: they become `unknown` at the next checkpoint.
 2. For each chunk of recipients (as many as the worker sends at once): `checkpoint` records the
    outcomes of the previous chunk AND names the next chunk as `in_flight`, in one conditional
    UpdateItem that also renews the lease. Only then are that chunk's mails handed to SES.
 3. The last `checkpoint` records the last outcomes and releases the lease.
Every write is conditional on still holding the lease (`lease_owner = :me`), a fencing token: a
worker whose lease was taken over cannot record anything more and stops (`LeaseLost`).

THE UNAVOIDABLE WINDOW: between SES accepting a mail and the next checkpoint recording it, a
worker can die (timeout, out of memory, a killed container). SES's SendBulkEmail and SendEmail have
no idempotency key, so nothing can tell afterwards whether those mails left. They are the in-flight
chunk (one SendBulkEmail of up to 50), at most one chunk per crash; the next holder of the lease
marks them `unknown`, they are counted and reported as such, and they are never resent. A call that
fails in a way that leaves the same doubt (a time-out after the request went out, a 5xx, an entry
status SES did not have when this was written) records its mails `unknown` straight away.

The counters of the STATS item are ADDed right after each checkpoint. A worker dying between
the two writes leaves them short by one chunk; `recount` sums the batch items, which are exact.

Cost: an UpdateItem costs one write unit per KB of the larger of the old and new item. A batch of
50 sent in one chunk: claim 1 + checkpoint naming 50 in flight 2 + last checkpoint 5 (the item
grows to ~5 KB: contact id + SES message id, ~95 bytes a recipient) + 1 counter ADD = 9 write units,
0.18 per mail. Per-recipient items would cost at least 1 write unit per mail, 2 with a claim.
See `chalicelib.delivery.campaign_sender` for the total per million mails.
"""

import time
from dataclasses import dataclass, field
from enum import Enum

from chalicelib.observability import logger

BATCH_PREFIX = "BATCH#"
STATS_SORT_KEY = "STATS"
DEFAULT_LEASE_S = 120  # longer than one chunk can take, shorter than the queue's visibility timeout
SEND_RECORD_RETENTION_S = 400 * 24 * 3600  # as long as the mail events: 13 months of reports
_SEPARATOR = " "  # joins a contact id and its SES message id or failure reason in a string set
COUNTED = ("sent", "failed", "unknown", "skipped")


class RecipientState(Enum):
    NOT_YET = "not-yet"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"


class BatchBusy(Exception):
    """Another worker holds a live lease on this batch: try the message again later."""


class LeaseLost(Exception):
    """This worker's lease was taken over (it ran past its expiry): stop, record nothing more."""


@dataclass(frozen=True)
class BatchRecord:
    """What the ledger holds for one batch."""

    sent: dict[str, str] = field(default_factory=dict)  # contact id -> SES message id
    failed: dict[str, str] = field(default_factory=dict)  # contact id -> reason
    unknown: frozenset[str] = frozenset()
    skipped: frozenset[str] = frozenset()
    in_flight: frozenset[str] = frozenset()  # claimed by the last holder of the lease
    attempts: int = 0

    @property
    def finished(self) -> frozenset[str]:
        return frozenset(self.sent) | frozenset(self.failed) | self.unknown | self.skipped

    @property
    def abandoned(self) -> frozenset[str]:
        """Claimed by a holder that never recorded their outcome: the crash window."""
        return self.in_flight - self.finished

    def state_of(self, contact_id: str) -> RecipientState:
        if contact_id in self.sent:
            return RecipientState.SENT
        if contact_id in self.failed:
            return RecipientState.FAILED
        if contact_id in self.unknown:
            return RecipientState.UNKNOWN
        if contact_id in self.skipped:
            return RecipientState.SKIPPED
        return RecipientState.NOT_YET


@dataclass
class Outcomes:
    """Outcomes to record at the next checkpoint."""

    sent: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        return {"sent": len(self.sent), "failed": len(self.failed), "unknown": len(self.unknown),
                "skipped": len(self.skipped)}

    def __bool__(self) -> bool:
        return any(self.counts().values())


@dataclass(frozen=True)
class CampaignStats:
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    skipped: int = 0


def campaign_key(campaign_id: str) -> str:
    return f"CAMPAIGN#{campaign_id}"


class DynamoSendLedger:
    """The ledger on the campaigns table, through a boto3 DynamoDB client."""

    def __init__(self, client, table_name: str, lease_s: float = DEFAULT_LEASE_S, clock=time.time):
        self._client = client
        self._table = table_name
        self.lease_s = lease_s
        self._clock = clock

    def _key(self, campaign_id: str, batch_id: str) -> dict:
        return {"pk": {"S": campaign_key(campaign_id)}, "sk": {"S": f"{BATCH_PREFIX}{batch_id}"}}

    def claim(self, campaign_id: str, batch_id: str, owner: str) -> BatchRecord:
        """Take the batch's lease for `owner` (unique per attempt) and return what is recorded.
        Raises BatchBusy while another attempt's lease is live."""
        now = self._clock()
        try:
            answer = self._client.update_item(
                TableName=self._table, Key=self._key(campaign_id, batch_id),
                UpdateExpression="SET lease_owner = :owner, lease_until = :until, "
                                 "expires_at = if_not_exists(expires_at, :expires) ADD attempts :one",
                ConditionExpression="attribute_not_exists(lease_until) OR lease_until < :now",
                ExpressionAttributeValues={":owner": {"S": owner}, ":until": _number(now + self.lease_s),
                                           ":now": _number(now), ":one": {"N": "1"},
                                           ":expires": {"N": str(int(now + SEND_RECORD_RETENTION_S))}},
                ReturnValues="ALL_NEW")
        except self._client.exceptions.ConditionalCheckFailedException as busy:
            raise BatchBusy(campaign_id, batch_id) from busy
        return _record(answer["Attributes"])

    def checkpoint(self, campaign_id: str, batch_id: str, owner: str, outcomes: Outcomes,
                   in_flight=(), release: bool = False) -> None:
        """Record `outcomes` and name the recipients about to be sent (`in_flight`), renewing the
        lease, or releasing it. Raises LeaseLost when `owner` no longer holds the lease."""
        now = self._clock()
        values = {":owner": {"S": owner}}
        names = {}
        sets, removes, adds = [], [], []
        in_flight = sorted(in_flight)
        if in_flight:
            sets.append("in_flight = :in_flight")
            values[":in_flight"] = {"SS": in_flight}
        else:
            removes.append("in_flight")
        if release:
            removes += ["lease_owner", "lease_until"]
        else:
            sets.append("lease_until = :until")
            values[":until"] = _number(now + self.lease_s)
        # `unknown` is a reserved word in expressions: the outcome attributes go by #placeholders
        for name, members in (("sent", _joined(outcomes.sent)), ("failed", _joined(outcomes.failed)),
                              ("unknown", sorted(outcomes.unknown)), ("skipped", sorted(outcomes.skipped))):
            if members:
                adds.append(f"#{name} :{name}")
                names[f"#{name}"] = name
                values[f":{name}"] = {"SS": members}
        expression = " ".join(part for part in (
            "SET " + ", ".join(sets) if sets else "", "REMOVE " + ", ".join(removes) if removes else "",
            "ADD " + ", ".join(adds) if adds else "") if part)
        names = {"ExpressionAttributeNames": names} if names else {}
        try:
            self._client.update_item(TableName=self._table, Key=self._key(campaign_id, batch_id),
                                     UpdateExpression=expression, ConditionExpression="lease_owner = :owner",
                                     ExpressionAttributeValues=values, **names)
        except self._client.exceptions.ConditionalCheckFailedException as lost:
            logger.warning("campaign batch lease lost", campaign_id=campaign_id, batch_id=batch_id,
                           unrecorded=outcomes.counts())
            raise LeaseLost(campaign_id, batch_id) from lost
        self._count(campaign_id, outcomes.counts())

    def _count(self, campaign_id: str, counts: dict[str, int]) -> None:
        counts = {name: n for name, n in counts.items() if n}
        if not counts:
            return
        self._client.update_item(
            TableName=self._table, Key={"pk": {"S": campaign_key(campaign_id)}, "sk": {"S": STATS_SORT_KEY}},
            UpdateExpression="ADD " + ", ".join(f"#{name} :{name}" for name in counts),
            ExpressionAttributeNames={f"#{name}": name for name in counts},
            ExpressionAttributeValues={f":{name}": {"N": str(n)} for name, n in counts.items()})

    def record(self, campaign_id: str, batch_id: str) -> BatchRecord:
        item = self._client.get_item(TableName=self._table, Key=self._key(campaign_id, batch_id),
                                     ConsistentRead=True).get("Item")
        return _record(item or {})

    def stats(self, campaign_id: str) -> CampaignStats:
        """The campaign's counters (cheap: one read)."""
        item = self._client.get_item(
            TableName=self._table, Key={"pk": {"S": campaign_key(campaign_id)}, "sk": {"S": STATS_SORT_KEY}},
            ConsistentRead=True).get("Item") or {}
        return CampaignStats(**{name: int(item[name]["N"]) if name in item else 0 for name in COUNTED})

    def recount(self, campaign_id: str) -> CampaignStats:
        """The campaign's totals summed over its batch items: exact, a read of the whole partition."""
        totals = dict.fromkeys(COUNTED, 0)
        paginator = self._client.get_paginator("query")
        for page in paginator.paginate(
                TableName=self._table, KeyConditionExpression="pk = :pk AND begins_with(sk, :batch)",
                ExpressionAttributeValues={":pk": {"S": campaign_key(campaign_id)}, ":batch": {"S": BATCH_PREFIX}}):
            for item in page["Items"]:
                record = _record(item)
                for name in COUNTED:
                    totals[name] += len(getattr(record, name))
        return CampaignStats(**totals)

    def records(self, campaign_id: str):
        """Every batch record of a campaign, one at a time (a read of the whole partition's batches)."""
        paginator = self._client.get_paginator("query")
        for page in paginator.paginate(
                TableName=self._table, KeyConditionExpression="pk = :pk AND begins_with(sk, :batch)",
                ExpressionAttributeValues={":pk": {"S": campaign_key(campaign_id)}, ":batch": {"S": BATCH_PREFIX}}):
            for item in page["Items"]:
                yield _record(item)


def _number(value: float) -> dict:
    return {"N": f"{value:.3f}"}


def _joined(outcomes: dict[str, str]) -> list[str]:
    return sorted(f"{contact_id}{_SEPARATOR}{detail}" for contact_id, detail in outcomes.items())


def _split(members) -> dict[str, str]:
    return dict(member.split(_SEPARATOR, 1) for member in members)


def _record(item: dict) -> BatchRecord:
    def strings(name):
        return item.get(name, {}).get("SS", [])

    return BatchRecord(sent=_split(strings("sent")), failed=_split(strings("failed")),
                       unknown=frozenset(strings("unknown")), skipped=frozenset(strings("skipped")),
                       in_flight=frozenset(strings("in_flight")), attempts=int(item.get("attempts", {}).get("N", 0)))
