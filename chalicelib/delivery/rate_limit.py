"""One send-rate limiter shared by every sending worker: a token bucket in DynamoDB.

SES allows an account a maximum send rate (mails per second). Campaign batches are sent by many
Lambda workers at once, so per-worker sleeps cannot keep them under it together; they all take
their tokens from one bucket, one item in the campaigns table (pk `RATE#<bucket>`, sk `BUCKET`).

The bucket is kept the GCRA way ("virtual scheduling"): one number, `tat`, the theoretical
arrival time at which the bucket would be full again. Refill rate = the send rate, capacity = one
second of sends (`burst_s = capacity / rate`). n tokens taken at `now` move `tat` to
`max(tat, now) + n / rate`, and may be used from `tat - burst_s` on. So at most
`rate * window + capacity` tokens are used in any window of time, however many workers ask.

A worker reserves its tokens, and then sleeps until they may be used: under load each take is
ONE write that always succeeds, the workers are served in the order they asked, and none of them
hammers the item. Reservations reach at most `max_wait_s` ahead; past that a worker sleeps until
the queue has shortened, then asks again.

DynamoDB cannot compute max(), so a take is one or two conditional UpdateItems, neither of which
reads first:
  busy bucket (tat >= now):  SET tat = tat + :d   IF tat BETWEEN :now AND :now + burst + max_wait - :d
  idle bucket (tat < now):   SET tat = :now + :d  IF attribute_not_exists(tat) OR tat < :now
The busy form is an increment, so concurrent workers never conflict. A failed write returns the
item as it was (ReturnValuesOnConditionCheckFailure), which tells which case holds; each worker
also remembers which case it met last, and tries that one first.

Cost: one write unit per take (the item is far under 1 KB). Workers take tokens in chunks of
`max_take` (25 by default, never more than the capacity), so the limiter costs about 1/25 = 0.04
write units per mail, $0.05 per million mails at $1.25 per million write units.
"""

import random
import threading
import time
from decimal import Decimal

BUCKET_SORT_KEY = "BUCKET"
DEFAULT_MAX_TAKE = 25
DEFAULT_MAX_WAIT_S = 5.0  # how far ahead a worker may reserve: bounds how late a pause takes effect
WAIT_JITTER_S = 0.05


def _number(value: float) -> dict:
    return {"N": str(Decimal(value).quantize(Decimal("0.000001")))}


class DynamoTokenBucket:
    """The bucket's state in DynamoDB."""

    def __init__(self, client, table_name: str, bucket: str = "ses"):
        self._client = client
        self._table = table_name
        self._key = {"pk": {"S": f"RATE#{bucket}"}, "sk": {"S": BUCKET_SORT_KEY}}
        self._busy = threading.local()  # which case this thread met last

    def reserve(self, tokens: int, rate: float, burst_s: float, now: float, max_wait_s: float) -> tuple[bool, float]:
        """Reserve `tokens` at time `now`. (True, t): they may be used from t on; (False, t): the
        reservations already reach too far ahead, ask again at t."""
        step = tokens / rate
        latest = now + burst_s + max_wait_s - step
        busy = getattr(self._busy, "value", True)
        for attempt in range(2):
            if busy:
                try:
                    answer = self._client.update_item(
                        TableName=self._table, Key=self._key, UpdateExpression="SET tat = tat + :d",
                        ConditionExpression="tat BETWEEN :now AND :latest",
                        ExpressionAttributeValues={":d": _number(step), ":now": _number(now),
                                                   ":latest": _number(latest)},
                        ReturnValues="UPDATED_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD")
                except self._client.exceptions.ConditionalCheckFailedException as failed:
                    tat = _tat(failed.response.get("Item"))
                else:
                    self._busy.value = True
                    return True, max(now, float(answer["Attributes"]["tat"]["N"]) - burst_s)
            else:
                try:
                    self._client.update_item(
                        TableName=self._table, Key=self._key, UpdateExpression="SET tat = :tat",
                        ConditionExpression="attribute_not_exists(tat) OR tat < :now",
                        ExpressionAttributeValues={":tat": _number(now + step), ":now": _number(now)},
                        ReturnValuesOnConditionCheckFailure="ALL_OLD")
                except self._client.exceptions.ConditionalCheckFailedException as failed:
                    tat = _tat(failed.response.get("Item"))
                else:
                    self._busy.value = False
                    return True, now
            if tat is not None and tat > latest:
                self._busy.value = True
                return False, tat - (burst_s + max_wait_s - step)
            busy = tat is not None and tat >= now
        return False, now  # the bucket changed case between the two writes: ask again at once


def _tat(item: dict | None) -> float | None:
    return float(item["tat"]["N"]) if item and "tat" in item else None


class InMemoryTokenBucket:
    """The same bucket in memory, for unit tests and single-process tools."""

    def __init__(self):
        self._lock = threading.Lock()
        self._tat: float | None = None

    def reserve(self, tokens: int, rate: float, burst_s: float, now: float, max_wait_s: float) -> tuple[bool, float]:
        step = tokens / rate
        with self._lock:
            start = now if self._tat is None else max(self._tat, now)
            if start + step - burst_s - now > max_wait_s + 1e-9:
                return False, start - (burst_s + max_wait_s - step)
            self._tat = start + step
            return True, max(now, self._tat - burst_s)


class RateLimiter:
    """Blocks each caller until the shared bucket lets its tokens be used. Thread-safe."""

    def __init__(self, bucket, rate_per_s: float, capacity: float | None = None, max_take: int = DEFAULT_MAX_TAKE,
                 max_wait_s: float = DEFAULT_MAX_WAIT_S, clock=time.time, sleep=time.sleep,
                 rng: random.Random | None = None):
        if rate_per_s <= 0:
            raise ValueError("the send rate must be positive")
        self._bucket = bucket
        self._rate = float(rate_per_s)
        self.capacity = max(1.0, float(capacity if capacity is not None else rate_per_s))
        self._burst_s = self.capacity / self._rate
        self.max_take = max(1, min(int(max_take), int(self.capacity)))
        self._max_wait_s = max_wait_s
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()

    def acquire(self, tokens: int = 1) -> None:
        """Wait until `tokens` sends are allowed; takes them in pieces of at most `max_take`."""
        remaining = tokens
        while remaining > 0:
            piece = min(remaining, self.max_take)
            while True:
                now = self._clock()
                granted, at = self._bucket.reserve(piece, self._rate, self._burst_s, now, self._max_wait_s)
                if at > now:
                    # a refused worker waits a little longer, so they do not all ask at the same instant
                    self._sleep(at - now + (0 if granted else self._rng.uniform(0, WAIT_JITTER_S)))
                if granted:
                    break
            remaining -= piece
