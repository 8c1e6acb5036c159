"""The buckets of the index of who received a campaign: how many, how big, which pass writes which."""

import hashlib

import pytest

from chalicelib.campaigns.received import (BUCKET_TARGET, PASS_LIMIT, bucket_of, buckets_of_pass, plan,
                                           prefix_length)

DYNAMODB_ITEM_LIMIT = 400 * 1024


@pytest.mark.parametrize("recipients, length", [(0, 0), (1, 0), (2_000, 0), (2_001, 1), (32_000, 1), (32_001, 2),
                                                (512_000, 2), (1_000_000, 3), (8_192_000, 3), (8_192_001, 4)])
def test_prefix_length_is_the_shortest_that_keeps_buckets_at_the_target_when_planned(recipients, length):
    # GIVEN a campaign's recipient count WHEN its index is planned THEN the prefix is as short as it can be
    assert prefix_length(recipients) == length
    assert recipients <= BUCKET_TARGET * 16 ** length


@pytest.mark.parametrize("recipients, passes", [(3, 1), (1_000_000, 1), (1_000_001, 2), (5_000_000, 5)])
def test_passes_hold_at_most_the_pass_limit_when_planned(recipients, passes):
    index = plan(recipients)
    assert index.passes == passes and index.done_passes == 0 and not index.complete
    assert recipients / index.passes <= PASS_LIMIT


@pytest.mark.parametrize("recipients", [10, 40_000, 3_000_000, 20_000_000])
def test_every_bucket_is_written_by_exactly_one_pass_when_split(recipients):
    # GIVEN a plan WHEN its passes are laid side by side THEN they cover each bucket once
    index = plan(recipients)
    covered = [number for p in range(index.passes) for number in buckets_of_pass(index, p)]
    assert covered == list(range(16 ** index.prefix_length))


def test_fullest_bucket_stays_far_below_the_item_limit_when_ids_are_sha256_hex():
    # GIVEN 2,000 recipients a bucket on average (the most a plan allows), with ids as the audience makes them
    recipients = BUCKET_TARGET * 16 ** 2
    length = prefix_length(recipients)
    counts = {}
    for n in range(recipients):
        contact_id = hashlib.sha256(f"acct\x00klant{n}@example.com".encode()).hexdigest()[:32]
        bucket = bucket_of(contact_id, length)
        counts[bucket] = counts.get(bucket, 0) + 1
    # WHEN the fullest bucket is sized as DynamoDB counts it: per entry the 32-byte key, "unknown" at the
    # longest, 1 byte of overhead; plus the keys and the expiry
    fullest = max(counts.values())
    size = fullest * (32 + len("unknown") + 1) + 100
    # THEN it is several times below the 400 KB limit
    assert len(counts) == 16 ** length and fullest < 1.2 * BUCKET_TARGET
    assert size * 4 < DYNAMODB_ITEM_LIMIT
