"""The analytics table (`mailexpert-analytics`, pk/sk strings, TTL `expires_at`), through a boto3
DynamoDB client (cheaper in CPU per item than a PynamoDB model: the beacon is the app's busiest write).

  raw page views   pk VIEW#<Amsterdam day>#<shard 0-9>  sk <UTC time>#<random>
                   path, dwell_ms, referrer (when any), browser, os, screen, ip (truncated),
                   account_id (only with marketing consent), expires_at (13 months: TTL)
  daily counters   pk DAY#<Amsterdam day>  sk views | linked | conversion#sign_up
                   | path#<path> | referrer#<host> | browser#<family> | os#<family> | screen#<WxH>
                   count (ADDed), no TTL: kept for good

The shard spreads a busy day's raw events over ten partitions; each is under 1 KB (one write unit).
A day's counters are one partition, read by one Query for the dashboard.
"""

import random

from chalicelib.analytics.service import PageView, new_event_key
from chalicelib.observability import MetricUnit, logger, metrics

MAX_BATCH_WRITE_ITEMS = 25  # DynamoDB's limit per BatchWriteItem
UNPROCESSED_RETRIES = 3
RAW_SHARDS = 10


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


class DynamoAnalytics:
    def __init__(self, client, table_name: str, sleep=None):
        import time

        self._client = client
        self._table = table_name
        self._sleep = sleep or time.sleep

    def write(self, views: list[PageView], counts: dict[tuple[str, str], int]) -> None:
        """The raw events (BatchWriteItem, 25 a call) and one ADD per counter. Never raises: a page
        view that could not be kept is logged and counted, and the visitor's page goes on."""
        requests = [{"PutRequest": {"Item": view_item(view)}} for view in views]
        for start in range(0, len(requests), MAX_BATCH_WRITE_ITEMS):
            self._put(requests[start:start + MAX_BATCH_WRITE_ITEMS])
        failed = 0
        for (day, key), count in counts.items():
            try:
                self._client.update_item(TableName=self._table, Key={"pk": {"S": f"DAY#{day}"}, "sk": {"S": key}},
                                         UpdateExpression="ADD #count :n", ExpressionAttributeNames={"#count": "count"},
                                         ExpressionAttributeValues={":n": {"N": str(count)}})
            except Exception as error:  # a counter short by a batch is better than a failed page
                failed += 1
                reason = type(error).__name__
        if failed:
            logger.warning("analytics counters not kept", reason=reason, counters=failed)
            metrics.add_metric(name="AnalyticsCountersLost", unit=MetricUnit.Count, value=failed)

    def _put(self, requests: list[dict]) -> None:
        try:
            for attempt in range(UNPROCESSED_RETRIES + 1):
                if attempt:
                    self._sleep(0.05 * 2 ** attempt)  # DynamoDB left some unwritten: it was busy
                answer = self._client.batch_write_item(RequestItems={self._table: requests})
                requests = answer.get("UnprocessedItems", {}).get(self._table, [])
                if not requests:
                    return
            reason = "unprocessed"
        except Exception as error:
            reason = type(error).__name__
        logger.warning("page views not kept", reason=reason, views=len(requests))
        metrics.add_metric(name="AnalyticsViewsLost", unit=MetricUnit.Count, value=len(requests))

    def counters(self, day: str) -> dict[str, int]:
        """Every counter of one Amsterdam day (ISO date), by sort key."""
        found, start = {}, None
        while True:
            page = self._client.query(TableName=self._table, KeyConditionExpression="pk = :pk",
                                      ExpressionAttributeValues={":pk": {"S": f"DAY#{day}"}},
                                      **({"ExclusiveStartKey": start} if start else {}))
            found.update({item["sk"]["S"]: int(item["count"]["N"]) for item in page.get("Items", ())
                          if "count" in item})
            start = page.get("LastEvaluatedKey")
            if not start:
                return found
