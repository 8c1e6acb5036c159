"""The usage recount (P3, P7): a gauge that drifted from what is stored (a process died between its
claim and its write, a release was lost) is set to a fresh count with the seed functions; an account
whose gauges are right is left as it is; and a claim made while the recount counts is never lost."""

import pytest

from chalicelib import aws
from chalicelib.composition import services
from chalicelib.config import settings
from chalicelib.usage import service as usage_service
from chalicelib.usage.plans import Meter
from chalicelib.usage.repository import DynamoUsage
from chalicelib.usage.service import GaugeChange, UsageService
from tests.integration.audience_helpers import account_with_list
from tests.integration.test_campaign_flow import _add
from tests.integration.usage_helpers import account_of, png, stored_image_bytes, upload_image, usage_api


@pytest.fixture(autouse=True)
def no_settling(monkeypatch):
    """The recount believes a difference at once: no work is in flight in these tests."""
    monkeypatch.setattr(usage_service, "RECOUNT_SETTLE_S", 0)


def drift(aws_resources, account_id, **gauges):
    """Set gauges wrong directly in the store, as a dead process or a lost release leaves them."""
    names = {f"#g{i}": name for i, name in enumerate(gauges)}
    aws_resources.resource("dynamodb").Table(settings().campaigns_table).update_item(
        Key={"pk": f"ACCOUNT#{account_id}", "sk": "METER#GAUGES"},
        UpdateExpression="SET " + ", ".join(f"#g{i} = :v{i}" for i in range(len(gauges))),
        ExpressionAttributeNames=names, ExpressionAttributeValues={f":v{i}": v for i, v in enumerate(gauges.values())})


def an_account_with_usage(client, app_module, aws_resources, outbox):
    """Anna with two contacts and an image (and its thumbnail), her gauges kept as she worked."""
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    _add(client, cookie, csrf, list_id, "een@example.com", "Een")
    _add(client, cookie, csrf, list_id, "twee@example.com", "Twee")
    assert upload_image(client, aws_resources, cookie, csrf, png()).status_code == 201
    figures = usage_api(client, cookie)  # every gauge is kept from here on
    return cookie, account_of().account_id, figures


def test_recount_sets_drifted_gauges_to_what_is_stored(client, app_module, aws_resources, outbox):
    # GIVEN an account whose gauges drifted: contacts and storage too high, domains too low
    cookie, account_id, right = an_account_with_usage(client, app_module, aws_resources, outbox)
    assert right["contacts"] == 2 and right["storage_bytes"] == stored_image_bytes(aws_resources, account_id)
    drift(aws_resources, account_id, contacts=7, storage_bytes=right["storage_bytes"] + 5000, sending_domains=-1)
    # WHEN it is recounted
    changes = services().usage.recount(account_id)
    # THEN each drifted gauge is back at what is stored, and the recount says what it changed
    assert sorted(changes, key=lambda c: c.meter.value) == [
        GaugeChange(Meter.CONTACTS, 7, 2), GaugeChange(Meter.SENDING_DOMAINS, -1, 0),
        GaugeChange(Meter.STORAGE_BYTES, right["storage_bytes"] + 5000, right["storage_bytes"])]
    after = usage_api(client, cookie)
    assert (after["contacts"], after["storage_bytes"], after["sending_domains"]) == (
        2, stored_image_bytes(aws_resources, account_id), 0)
    # AND this month's chart remembers the corrected values
    history = dict(services().usage.history(account_id))
    month = history[max(history)]
    assert month["contacts"] == 2 and month["storage_bytes"] == right["storage_bytes"]


def test_recount_of_a_correct_account_changes_nothing(client, app_module, aws_resources, outbox):
    # GIVEN an account whose gauges were kept as it worked
    cookie, account_id, before = an_account_with_usage(client, app_module, aws_resources, outbox)
    # WHEN it is recounted, twice
    first, second = services().usage.recount(account_id), services().usage.recount(account_id)
    # THEN nothing changed, and the figures are as they were
    assert first == second == []
    assert usage_api(client, cookie) == before


def test_recount_leaves_a_gauge_the_account_never_had(aws_resources, app_module):
    # GIVEN an account that never had a gauge kept (counted when first needed)
    usage = services().usage
    # WHEN it is recounted THEN nothing is written
    assert usage.recount("acc-never-metered") == []
    assert DynamoUsage(aws.dynamodb(), settings().campaigns_table).gauges("acc-never-metered") == {}


def test_a_claim_made_during_the_count_is_not_lost(aws_resources):
    # GIVEN a contacts gauge of 10 while 5 contacts are stored, and a claim (with its contact written)
    # that lands while the recount is counting
    store = DynamoUsage(aws.dynamodb(), settings().campaigns_table)
    stored = ["c1", "c2", "c3", "c4", "c5"]
    counts = []

    def count_contacts(account_id):
        counts.append(len(stored))
        if len(counts) == 2:  # the second count: another request claims and writes one contact meanwhile
            service.claim(account_id, Meter.CONTACTS, 1)
            stored.append("c6")
        return len(stored)

    service = UsageService(store, accounts=lambda account_id: None, mail_queue=None, base_url="https://x",
                           seeds={Meter.CONTACTS: count_contacts})
    store.seed("acc-a", Meter.CONTACTS, 10)
    # WHEN the gauge is recounted
    [change] = service.recount("acc-a")
    # THEN the count overlapping the claim was not written over it: counted again, the gauge is exactly
    # what is stored, the new contact included
    assert len(counts) == 3
    assert change == GaugeChange(Meter.CONTACTS, 11, 6)
    assert store.gauges("acc-a")["contacts"] == 6 == len(stored)


def test_a_difference_that_settles_is_not_written(aws_resources, monkeypatch):
    # GIVEN an upload between its claim and its write: the gauge holds it, the first count does not
    monkeypatch.setattr(usage_service, "RECOUNT_SETTLE_S", 0.01)
    store = DynamoUsage(aws.dynamodb(), settings().campaigns_table)
    store.seed("acc-a", Meter.STORAGE_BYTES, 1500)
    stored = [1000]

    def count_bytes(account_id):
        total = sum(stored)
        stored.append(500)  # the upload's write lands after the first count
        return total

    service = UsageService(store, accounts=lambda account_id: None, mail_queue=None, base_url="https://x",
                           seeds={Meter.STORAGE_BYTES: count_bytes})
    # WHEN it is recounted THEN the second count agrees with the gauge: nothing is changed
    assert service.recount("acc-a") == []
    assert store.gauges("acc-a")["storage_bytes"] == 1500
