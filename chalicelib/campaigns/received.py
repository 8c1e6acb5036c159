"""Who received which campaign: an index per sent campaign, for a contact's page and data (P14).

The send ledger (delivery/send_ledger.py) knows every recipient's outcome, but per batch of 50: finding one
contact there means reading every batch of every campaign. An item per recipient written as the
mail goes out would cost at least one write unit a mail ($1.25 per million, 1.25% of SES's price:
more than the send path's whole 1% budget). So once a campaign is sent, a job on the jobs queue
(`index-campaign-recipients`, enqueued only by whoever wins the conditional save from sending to
sent) reads the campaign's ledger once and writes its recipients into buckets:

  pk CAMPAIGN#<campaign>  sk RECEIVED#<prefix>   recipients: {contact id: "sent" | "failed" | "unknown"}

one bucket per `prefix_length` leading hex digits of the contact id. Contact ids are sha256 hex,
so they spread evenly over the buckets: the prefix length is the shortest that leaves at most
BUCKET_TARGET (2,000) recipients in a bucket on average: no digit (one bucket) up to 2,000
recipients, 1 digit up to 32,000, 2 up to 512,000, 3 up to 8.2 million. A bucket is ~37 bytes a
recipient, ~75 KB at the most on average; DynamoDB's 400 KB limit would take ~10,000 recipients in
one bucket, five times the average (a Poisson tail nothing reaches). Recipients the ledger calls
skipped were never mailed: they are left out.

The campaign's item records the index's progress (received_prefix, received_passes, received_done).
A campaign of more than PASS_LIMIT recipients is indexed in several passes, each a range of buckets
in one job message that enqueues the next, so one Lambda never holds more than a million ids. A pass
overwrites its buckets whole, then moves `received_done` on conditionally: a pass run twice (SQS
delivers at least once) writes the same items again and enqueues the next pass once; a job that
failed is retried by SQS and resumes at the pass recorded. A sent campaign still without an index
REINDEX_AFTER after it finished (sent before the index existed, or its job lost between the save and
the queue) gets its job queued again when a contact's page is shown.

Until `received_done` reaches `received_passes`, nothing reads the campaign's buckets: a campaign
still being sent (or being indexed) is not shown as received, only its opens and clicks show (as
"being sent"); it shows once indexed, moments after the campaign is seen to be sent.

A contact's page reads one bucket per indexed campaign of the account (BatchGetItem, 100 keys a
call), projecting the one map entry it needs; DynamoDB still counts each bucket whole, ~10 read
units at the most (75 KB, eventually consistent), so a page over 1,000 sent campaigns costs under
$0.003. Erasure REMOVEs the contact's entry from each bucket that holds it (a pass that is being
written at that moment can put them back: the ledger, which keeps the same ids for as long, has
the same limit). The buckets expire as the ledger does, SEND_RECORD_RETENTION_S (400 days: 13
months of reports) after the campaign started; erasing the account deletes them with the
campaign's partition.

Cost per million mails (on-demand, $1.25 per million write units, $0.25 per million read units):
  writes  ~37 bytes a recipient (32-byte id as map key, "sent", 1 byte of map overhead) = 37 MB in
          items of 4.6-75 KB on average, each rounded up to the next KB: 36,400-40,100 WRU    $0.046-0.050
          + one UpdateItem of the campaign's item per pass (its size: the content snapshot)  <$0.001
  reads   the ledger once per pass (~95 bytes a recipient = 95 MB, eventually consistent):
          ~11,600 RRU                                                                         $0.003
  Lambda  one invocation per pass, ~1 minute at 1 GB                                          ~$0.001
  => ~0.04 write units a mail, ~$0.05 per million mails: 0.05% of SES's $100 per million.
A small campaign's bucket is one item of a few KB (1 write unit up to ~27 recipients); most of what
indexing it costs is the update of the campaign's item, as many write units as its content snapshot
has KB (tens of units, a few thousandths of a cent).
"""

import time
from datetime import datetime, timedelta, timezone
from enum import Enum

from chalicelib.campaigns.campaigns import Campaign, RecipientIndex
from chalicelib.delivery.send_ledger import SEND_RECORD_RETENTION_S, campaign_key
from chalicelib.dynamo import write_batch
from chalicelib.observability import logger

INDEX_JOB = "index-campaign-recipients"
RECEIVED_PREFIX = "RECEIVED#"
BUCKET_TARGET = 2_000  # recipients in a bucket, on average at most
PASS_LIMIT = 1_000_000  # recipients indexed by one job message, at most
BATCH_WRITE = 25  # BatchWriteItem's limit
BATCH_GET = 100  # BatchGetItem's limit
REINDEX_AFTER = timedelta(minutes=10)  # a sent campaign not indexed by then: its job is queued again


class Received(str, Enum):
    """What became of a contact's mail of one campaign."""

    SENT = "sent"  # SES accepted it
    FAILED = "failed"  # refused for good, or it could not be rendered
    UNKNOWN = "unknown"  # the sender died between handing it to SES and recording it


def prefix_length(recipients: int) -> int:
    """Hex digits of the contact id that name a bucket: at most BUCKET_TARGET recipients a bucket on average."""
    length = 0
    while recipients > BUCKET_TARGET * 16 ** length:
        length += 1
    return length


def plan(recipients: int) -> RecipientIndex:
    """The index of a campaign with this many recipients, before its first pass."""
    length = prefix_length(recipients)
    passes = min(16 ** length, max(1, -(-recipients // PASS_LIMIT)))
    return RecipientIndex(length, passes, 0)


def bucket_of(contact_id: str, length: int) -> str:
    return contact_id[:length].lower()


def _bucket_number(bucket: str) -> int:
    return int(bucket, 16) if bucket else 0


def buckets_of_pass(index: RecipientIndex, number: int) -> range:
    """The bucket numbers pass `number` writes: the passes split the buckets into equal ranges."""
    buckets = 16 ** index.prefix_length
    return range(number * buckets // index.passes, (number + 1) * buckets // index.passes)


class DynamoReceivedIndex:
    """The buckets on the campaigns table, through a boto3 DynamoDB client."""

    def __init__(self, client, table_name: str, ledger):
        self._client = client
        self._table = table_name
        self._ledger = ledger  # delivery.send_ledger.DynamoSendLedger: the outcomes are read from it

    @staticmethod
    def _bucket_key(campaign_id: str, bucket: str) -> dict:
        return {"pk": {"S": campaign_key(campaign_id)}, "sk": {"S": f"{RECEIVED_PREFIX}{bucket}"}}

    # --- the job ---------------------------------------------------------------------------------

    def index_pass(self, campaign: Campaign) -> RecipientIndex | None:
        """Write the buckets of the campaign's next pass and record it done. Returns the progress after
        it, or None when there was nothing left to do (or another run of the same pass got there first)."""
        index = campaign.recipient_index or plan(campaign.fanout.recipients)
        if index.complete:
            return None
        wanted = buckets_of_pass(index, index.done_passes)
        buckets: dict[str, dict[str, str]] = {}
        for record in self._ledger.records(campaign.campaign_id):
            # a recipient has one outcome; were it ever recorded twice, the most certain one wins
            for outcome, contact_ids in ((Received.UNKNOWN, record.unknown), (Received.FAILED, record.failed),
                                         (Received.SENT, record.sent)):
                for contact_id in contact_ids:
                    bucket = bucket_of(contact_id, index.prefix_length)
                    if _bucket_number(bucket) in wanted:
                        buckets.setdefault(bucket, {})[contact_id] = outcome.value
        self._write(campaign, buckets)
        after = RecipientIndex(index.prefix_length, index.passes, index.done_passes + 1)
        if not self._advance(campaign, index, after):
            return None
        logger.info("campaign recipients indexed", campaign_id=campaign.campaign_id, pass_number=index.done_passes,
                    passes=index.passes, buckets=len(buckets), recipients=sum(map(len, buckets.values())))
        return after

    def _write(self, campaign: Campaign, buckets: dict[str, dict[str, str]]) -> None:
        started = campaign.started_at or campaign.finished_at or datetime.now(timezone.utc)
        expires_at = {"N": str(int(started.timestamp() + SEND_RECORD_RETENTION_S))}
        items = [{**self._bucket_key(campaign.campaign_id, bucket), "expires_at": expires_at,
                  "recipients": {"M": {contact_id: {"S": outcome} for contact_id, outcome in members.items()}}}
                 for bucket, members in sorted(buckets.items())]
        for start in range(0, len(items), BATCH_WRITE):
            requests = [{"PutRequest": {"Item": item}} for item in items[start:start + BATCH_WRITE]]
            write_batch(self._client, self._table, requests, time.sleep, retries=None)

    def _advance(self, campaign: Campaign, before: RecipientIndex, after: RecipientIndex) -> bool:
        """Record a pass done on the campaign's item, only if no other run recorded it first."""
        condition = "attribute_exists(pk) AND " + (
            "received_done = :before" if before.done_passes else "attribute_not_exists(received_done)")
        values = {":prefix": {"N": str(after.prefix_length)}, ":passes": {"N": str(after.passes)},
                  ":done": {"N": str(after.done_passes)}}
        if before.done_passes:
            values[":before"] = {"N": str(before.done_passes)}
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"pk": {"S": f"ACCOUNT#{campaign.account_id}"}, "sk": {"S": f"CAMPAIGN#{campaign.campaign_id}"}},
                UpdateExpression="SET received_prefix = :prefix, received_passes = :passes, received_done = :done",
                ConditionExpression=condition, ExpressionAttributeValues=values)
        except self._client.exceptions.ConditionalCheckFailedException:
            logger.info("campaign recipients pass recorded by another run", campaign_id=campaign.campaign_id,
                        pass_number=before.done_passes)
            return False
        return True

    # --- one contact -------------------------------------------------------------------------------

    def received_by(self, contact_id: str, campaigns: list[Campaign], partly_indexed: bool = False
                    ) -> dict[str, Received]:
        """Per campaign (indexed ones only, or those with a pass written too): what became of this
        contact's mail, if they were a recipient."""
        keys = [self._bucket_key(c.campaign_id, bucket_of(contact_id, c.recipient_index.prefix_length))
                for c in campaigns if c.recipient_index is not None and (partly_indexed or c.recipient_index.complete)]
        found: dict[str, Received] = {}
        for start in range(0, len(keys), BATCH_GET):
            request = {"Keys": keys[start:start + BATCH_GET], "ProjectionExpression": "pk, #r.#c",
                       "ExpressionAttributeNames": {"#r": "recipients", "#c": contact_id}}
            while request["Keys"]:
                response = self._client.batch_get_item(RequestItems={self._table: request})
                for item in response.get("Responses", {}).get(self._table, []):
                    outcome = item.get("recipients", {}).get("M", {}).get(contact_id)
                    if outcome:
                        found[item["pk"]["S"].removeprefix("CAMPAIGN#")] = Received(outcome["S"])
                request = {**request, "Keys": response.get("UnprocessedKeys", {}).get(self._table, {}).get("Keys", [])}
        return found

    def forget(self, contact_id: str, campaigns: list[Campaign]) -> int:
        """Take the contact out of every bucket that holds them; returns how many did."""
        by_id = {c.campaign_id: c for c in campaigns}
        held = self.received_by(contact_id, campaigns, partly_indexed=True)
        for campaign_id in held:
            key = self._bucket_key(campaign_id, bucket_of(contact_id, by_id[campaign_id].recipient_index.prefix_length))
            try:
                self._client.update_item(TableName=self._table, Key=key, UpdateExpression="REMOVE #r.#c",
                                         ConditionExpression="attribute_exists(pk)",
                                         ExpressionAttributeNames={"#r": "recipients", "#c": contact_id})
            except self._client.exceptions.ConditionalCheckFailedException:
                continue  # expired a moment ago
        return len(held)
