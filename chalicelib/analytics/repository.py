"""The analytics table (`mailexpert-analytics`, pk/sk strings, TTL `expires_at`), through a boto3
DynamoDB client (cheaper in CPU per item than a PynamoDB model: the beacon is the app's busiest write).

  raw page views  pk VIEW#<Amsterdam day>#<shard 0-9>  sk <UTC time>#<random>
                  path, dwell_ms, referrer (when any), browser, os, screen, ip (truncated),
                  account_id (only with marketing consent), expires_at (13 months: TTL)
  a batch's counts
                  pk DAY#<Amsterdam day>  sk PART#<UTC time of the batch>#<random>
                  counts: map of counter -> views ("views", "linked", "conversion#sign_up",
                  "path#/pricing", "referrer#<host>", "browser#<family>", "os#<family>", "screen#<WxH>"),
                  expires_at (13 months, like the raw events it counts)
  a day's total   pk DAY#<Amsterdam day>  sk TOTAL
                  counts (the settled batches' sums), through (the sort key of the last batch
                  settled), no TTL: kept for good

A batch's raw events and its counts item go in one BatchWriteItem. Reading a day is a GetItem of its
total and a Query of the batches after `through` (`sk > through` also returns the total itself, as
"TOTAL" sorts after "PART#"); settling writes the sum back as the new total, on condition that no
one settled further in the meantime. A total keeps at most MAX_VALUES values per dimension (the rest
are summed as "(other)"), so no flood of made-up paths can grow it past DynamoDB's 400 KB item limit.
The shard spreads a busy day's raw events over ten partitions; each item stays under 1 KB.
The sparse index `by-account` (account_id, sk) holds only the views linked to an account (marketing
consent), for that account's data export and erasure.
"""

import random
from collections import Counter
from datetime import datetime, timezone

from chalicelib.analytics.service import PageView, new_event_key
from chalicelib.dynamo import write_batch
from chalicelib.observability import MetricUnit, logger, metrics

MAX_BATCH_WRITE_ITEMS = 25  # DynamoDB's limit per BatchWriteItem
UNPROCESSED_RETRIES = 3
RAW_SHARDS = 10
TOTAL_KEY = "TOTAL"
PART_PREFIX = "PART#"
MAX_VALUES = 500  # per dimension in a day's total
OTHER = "(other)"
ACCOUNT_INDEX = "by-account"


def view_item(view: PageView) -> dict:
    item = {"pk": {"S": f"VIEW#{view.day}#{random.randrange(RAW_SHARDS)}"}, "sk": {"S": new_event_key(view.at)},
            "path": {"S": view.path}, "dwell_ms": {"N": str(view.dwell_ms)}, "browser": {"S": view.browser},
            "os": {"S": view.os}, "screen": {"S": view.screen}, "expires_at": {"N": str(view.expires_at)}}
    if view.referrer_host:
        item["referrer"] = {"S": view.referrer_host}
    if view.ip:
        item["ip"] = {"S": view.ip}
    if view.account_id:
        item["account_id"] = {"S": view.account_id}
    return item


def _counts_value(counts: dict[str, int]) -> dict:
    return {"M": {key: {"N": str(n)} for key, n in counts.items()}}


def _counts_of(item: dict | None) -> Counter:
    return Counter({key: int(value["N"]) for key, value in (item or {}).get("counts", {}).get("M", {}).items()})


def bounded(counts: Counter) -> Counter:
    """At most MAX_VALUES values per dimension, the ones with most views; the rest summed as (other)."""
    by_dimension: dict[str, list[tuple[str, int]]] = {}
    kept = Counter()
    for key, n in counts.items():
        kind, separator, value = key.partition("#")
        if separator and not kind.startswith("conversion"):
            by_dimension.setdefault(kind, []).append((key, n))
        else:
            kept[key] = n
    for kind, pairs in by_dimension.items():
        pairs.sort(key=lambda pair: -pair[1])
        kept.update(dict(pairs[:MAX_VALUES]))
        rest = sum(n for _, n in pairs[MAX_VALUES:])
        if rest:
            kept[f"{kind}#{OTHER}"] += rest
    return kept


class DynamoAnalytics:
    def __init__(self, client, table_name: str, sleep=None, clock=None):
        import time

        self._client = client
        self._table = table_name
        self._sleep = sleep or time.sleep
        self._clock = clock or time.time

    def write(self, views: list[PageView], counts: dict[str, dict[str, int]], expires_at: int) -> None:
        """The raw events and, per day, one counts item, in as few BatchWriteItems as 25 items a call
        allow (one for a full buffer). Never raises: views that could not be kept are logged and
        counted, and the visitor's page goes on."""
        batch_key = new_event_key(datetime.fromtimestamp(self._clock(), timezone.utc))
        requests = [{"PutRequest": {"Item": view_item(view)}} for view in views]
        requests += [{"PutRequest": {"Item": {"pk": {"S": f"DAY#{day}"}, "sk": {"S": PART_PREFIX + batch_key},
                                              "counts": _counts_value(found), "expires_at": {"N": str(expires_at)}}}}
                     for day, found in counts.items()]
        for start in range(0, len(requests), MAX_BATCH_WRITE_ITEMS):
            self._put(requests[start:start + MAX_BATCH_WRITE_ITEMS])

    def _put(self, requests: list[dict]) -> None:
        try:
            requests = write_batch(self._client, self._table, requests, self._sleep, UNPROCESSED_RETRIES)
            if not requests:
                return
            reason = "unprocessed"
        except Exception as error:
            reason = type(error).__name__
        logger.warning("page views not kept", reason=reason, items=len(requests))
        metrics.add_metric(name="AnalyticsItemsLost", unit=MetricUnit.Count, value=len(requests))

    def counters(self, day: str, settle: bool = False) -> dict[str, int]:
        """Every counter of one Amsterdam day (ISO date): its total plus the batches after it. With
        `settle` (a day that is over), those batches are added to the total for good."""
        pk = {"S": f"DAY#{day}"}
        total = self._client.get_item(TableName=self._table, Key={"pk": pk, "sk": {"S": TOTAL_KEY}},
                                      ConsistentRead=True).get("Item")
        through = total["through"]["S"] if total and "through" in total else None
        counts, last, start = _counts_of(total), through, None
        condition = {"KeyConditionExpression": "pk = :pk AND sk > :through",
                     "ExpressionAttributeValues": {":pk": pk, ":through": {"S": through or PART_PREFIX}}}
        while True:
            page = self._client.query(TableName=self._table, **condition,
                                      **({"ExclusiveStartKey": start} if start else {}))
            for item in page.get("Items", ()):
                if item["sk"]["S"].startswith(PART_PREFIX):
                    counts.update(_counts_of(item))
                    last = item["sk"]["S"]
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        if settle and last != through:
            self._settle(pk, bounded(counts), last, through)
        return dict(counts)

    def _settle(self, pk: dict, counts: Counter, last: str, through: str | None) -> None:
        """The day's new total; if someone settled further meanwhile, theirs stands (it holds more)."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item={"pk": pk, "sk": {"S": TOTAL_KEY}, "counts": _counts_value(counts), "through": {"S": last}},
                ConditionExpression="attribute_not_exists(through) OR through = :through",
                ExpressionAttributeValues={":through": {"S": through or ""}})
        except self._client.exceptions.ConditionalCheckFailedException:
            pass

    def linked_views(self, account_id: str) -> list[dict]:
        """The raw events linked to an account, oldest first, as the account's data export shows them."""
        return [{"time": item["sk"]["S"].split("#")[0], "path": item["path"]["S"],
                 "time_on_page_ms": int(item["dwell_ms"]["N"]), "referrer": item.get("referrer", {}).get("S", ""),
                 "browser": item["browser"]["S"], "operating_system": item["os"]["S"],
                 "screen": item["screen"]["S"], "ip_truncated": item.get("ip", {}).get("S")}
                for item in self._linked_items(account_id)]

    def _linked_items(self, account_id: str) -> list[dict]:
        """The raw events linked to an account (index `by-account`), oldest first, as stored."""
        found, start = [], None
        while True:
            page = self._client.query(TableName=self._table, IndexName=ACCOUNT_INDEX,
                                      KeyConditionExpression="account_id = :account",
                                      ExpressionAttributeValues={":account": {"S": account_id}},
                                      **({"ExclusiveStartKey": start} if start else {}))
            found.extend(page.get("Items", ()))
            start = page.get("LastEvaluatedKey")
            if not start:
                return found

    def has_linked_views(self, account_id: str) -> bool:
        """Whether any page view is linked to the account: it allowed marketing cookies once (P9)."""
        page = self._client.query(TableName=self._table, IndexName=ACCOUNT_INDEX, Limit=1,
                                  KeyConditionExpression="account_id = :account",
                                  ExpressionAttributeValues={":account": {"S": account_id}})
        return bool(page.get("Items"))

    def claim_first_campaign(self, account_id: str, expires_at: int) -> bool:
        """Mark the account's first campaign as counted; False when it already was (counted once)."""
        try:
            self._client.put_item(TableName=self._table, Item={**_first_campaign_key(account_id),
                                                               "expires_at": {"N": str(expires_at)}},
                                  ConditionExpression="attribute_not_exists(pk)")
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def forget_account(self, account_id: str) -> int:
        """Delete every raw event linked to the account; returns how many. (The daily counts hold no
        account: they stay.)"""
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in self._linked_items(account_id)]
        linked = len(keys)
        keys.append(_first_campaign_key(account_id))  # the mark that its first campaign was counted
        for start in range(0, len(keys), MAX_BATCH_WRITE_ITEMS):
            requests = [{"DeleteRequest": {"Key": key}} for key in keys[start:start + MAX_BATCH_WRITE_ITEMS]]
            if write_batch(self._client, self._table, requests, self._sleep, UNPROCESSED_RETRIES):
                raise RuntimeError("DynamoDB left linked page views undeleted")  # erasure must not pass silently
        return linked


def _first_campaign_key(account_id: str) -> dict:
    return {"pk": {"S": f"FIRST_CAMPAIGN#{account_id}"}, "sk": {"S": "COUNTED"}}
