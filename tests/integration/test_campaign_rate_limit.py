"""The shared send-rate limiter on its DynamoDB item (moto): the same guarantees as in memory."""

import pytest

from chalicelib.delivery.rate_limit import DynamoTokenBucket
from tests.unit.test_campaign_rate_limit import DURATION_S, RATE, CountingBucket, assert_under_the_rate, run_workers

CAMPAIGNS_TABLE = "mailexpert-campaigns"


@pytest.mark.parametrize("seed", range(2))
def test_four_workers_stay_under_the_rate_when_sharing_the_dynamodb_bucket(aws_resources, seed):
    # GIVEN the bucket item in the campaigns table, counting its writes
    bucket = CountingBucket(DynamoTokenBucket(aws_resources.client("dynamodb"), CAMPAIGNS_TABLE, bucket=f"test-{seed}"))
    # WHEN four workers that each want more than 200 mails/s send for ten simulated seconds
    grants = run_workers(bucket, seed)
    # THEN together they stay under the rate in every window, and use nearly all of it
    assert_under_the_rate(grants)
    assert sum(tokens for _, tokens in grants) >= 0.9 * RATE * DURATION_S
    # AND each take cost about one conditional write
    assert bucket.calls <= 1.2 * len(grants)


def test_bucket_starts_full_and_idle_when_new(aws_resources):
    # GIVEN a bucket nobody has used
    bucket = DynamoTokenBucket(aws_resources.client("dynamodb"), CAMPAIGNS_TABLE, bucket="fresh")
    # WHEN a worker takes one second's worth of tokens, and then one more
    first = bucket.reserve(10, 10.0, 1.0, 1000.0, 5.0)
    second = bucket.reserve(1, 10.0, 1.0, 1000.0, 5.0)
    # THEN the first may be used at once, the next one a tenth of a second later
    assert first == (True, 1000.0)
    assert second[0] is True and second[1] == pytest.approx(1000.1)


def test_bucket_refuses_reservations_too_far_ahead(aws_resources):
    # GIVEN a bucket whose reservations already reach five seconds ahead
    bucket = DynamoTokenBucket(aws_resources.client("dynamodb"), CAMPAIGNS_TABLE, bucket="queued")
    for _ in range(6):
        assert bucket.reserve(10, 10.0, 1.0, 1000.0, 5.0)[0]
    # WHEN one more worker asks
    granted, ask_again_at = bucket.reserve(10, 10.0, 1.0, 1000.0, 5.0)
    # THEN it is told to ask again when the queue has shortened by its share
    assert granted is False
    assert ask_again_at == pytest.approx(1001.0)
