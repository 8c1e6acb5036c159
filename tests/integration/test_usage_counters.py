"""The usage counters on moto: conditional claims never pass a limit, a campaign's hold changes the
month only by its difference, warnings are claimed once, and the months the campaigns domain counted
before this package still read."""

from datetime import datetime, timezone

import pytest

from chalicelib import aws
from chalicelib.campaigns.repository import DynamoCampaigns
from chalicelib.config import settings
from chalicelib.usage.plans import Meter
from chalicelib.usage.repository import DynamoUsage, LimitReached
from chalicelib.usage.service import UsageService


@pytest.fixture
def usage(aws_resources):
    return DynamoUsage(aws.dynamodb(), settings().campaigns_table)


def test_months_counted_before_metering_still_read(aws_resources, usage):
    # GIVEN months the campaigns domain counted in its USAGE#<month> items
    campaigns = DynamoCampaigns(settings().campaigns_table, settings().region, None)
    campaigns.add_usage("acc-a", "2026-10", {"campaigns_started": 1, "mails_sent": 300, "bytes_sent": 9000})
    campaigns.add_usage("acc-a", "2026-12", {"mails_sent": 7})
    # WHEN the usage service reads the account's history in December 2026
    service = UsageService(usage, accounts=lambda account_id: None, mail_queue=None, base_url="https://x",
                           clock=lambda: datetime(2026, 12, 7, tzinfo=timezone.utc))
    history = dict(service.history("acc-a"))
    # THEN those months show as they were counted, and the months between as nothing
    assert history["2026-10"]["campaigns_started"] == 1 and history["2026-10"]["mails_sent"] == 300
    assert history["2026-10"]["bytes_sent"] == 9000 and history["2026-12"]["mails_sent"] == 7
    assert history["2026-11"]["mails_sent"] == 0 and list(history)[0] == "2026-01" and len(history) == 12
    # AND the months and the partner statistics' reads agree
    assert campaigns.usage_months("acc-a")["2026-10"] == usage.months("acc-a", "2026-01")["2026-10"]


def test_a_claim_never_passes_the_limit_and_a_release_makes_room(usage):
    # GIVEN a gauge started at 0 with a limit of 5
    usage.seed("acc-a", Meter.CONTACTS, 0)
    assert usage.claim("acc-a", Meter.CONTACTS, 3, 5) == 3
    # WHEN 3 more are claimed
    with pytest.raises(LimitReached) as refused:
        usage.claim("acc-a", Meter.CONTACTS, 3, 5)
    # THEN it is refused with the use now, and nothing was added
    assert refused.value.used == 3 and usage.gauges("acc-a")["contacts"] == 3
    # WHEN one is released, 3 fit exactly
    assert usage.release("acc-a", Meter.CONTACTS, 1) == 2
    assert usage.claim("acc-a", Meter.CONTACTS, 3, 5) == 5
    # AND a gauge never kept is neither claimed nor released before it is started
    assert usage.claim("acc-b", Meter.CONTACTS, 1, 5) is None and usage.release("acc-b", Meter.CONTACTS, 1) is None


def test_claim_up_to_takes_what_still_fits(usage):
    usage.seed("acc-a", Meter.CONTACTS, 4)
    assert usage.claim_up_to("acc-a", Meter.CONTACTS, 10, 6) == (2, 6)
    assert usage.claim_up_to("acc-a", Meter.CONTACTS, 10, 6) == (0, 6)


def test_a_campaigns_hold_changes_the_month_by_its_difference_only(usage):
    # GIVEN a campaign holding 4 of November's 10
    assert usage.reserve("acc-a", "camp-1", "2026-11", 4, 10) == 4
    # WHEN it is held again at 6, then at 2 (its fan-out reached fewer)
    assert usage.reserve("acc-a", "camp-1", "2026-11", 6, 10) == 6
    assert usage.reserve("acc-a", "camp-1", "2026-11", 2, 10) == 2
    # THEN another campaign may have the rest, and not one more
    assert usage.reserve("acc-a", "camp-2", "2026-11", 8, 10) == 10
    with pytest.raises(LimitReached):
        usage.reserve("acc-a", "camp-1", "2026-11", 3, 10)
    assert usage.reservation("acc-a", "camp-1") == ("2026-11", 2)
    # WHEN a campaign held in November is fanned out in December
    assert usage.reserve("acc-a", "camp-1", "2026-12", 5, 10) == 5
    # THEN November gives its hold back and December counts it
    assert usage.month("acc-a", "2026-11")["recipients"] == 8 and usage.reservation("acc-a", "camp-1") == ("2026-12", 5)


def test_a_warning_is_claimed_once_per_month(usage):
    assert usage.claim_warning("acc-a", "2026-11", Meter.CONTACTS, 80) is True
    assert usage.claim_warning("acc-a", "2026-11", Meter.CONTACTS, 80) is False
    assert usage.claim_warning("acc-a", "2026-11", Meter.CONTACTS, 100) is True
    assert usage.claim_warning("acc-a", "2026-12", Meter.CONTACTS, 80) is True
