"""The reads partner statistics (P12) make, as a contract of the accounts and campaigns repositories:
every account page by page, with nothing personal in what is read; an account's use per month; what
its started campaigns sent, bounced and (where they counted opens) opened. The same suite runs
against the in-memory repositories and the DynamoDB ones on moto."""

import dataclasses
from datetime import datetime, timezone

import pytest

from chalicelib.accounts.account import AccountFacts, AccountStatus, Plan
from chalicelib.accounts.repository import DynamoAccounts
from chalicelib.campaigns.campaigns import Campaign, CampaignState
from chalicelib.campaigns.repository import DynamoCampaigns
from tests.fakes.accounts import InMemoryAccounts, an_account
from tests.fakes.campaigns import InMemoryCampaigns
from tests.integration.dynamo_tables import REGION, table_fixture

accounts_table = table_fixture("AccountsTable")
campaigns_table = table_fixture("CampaignsTable")
MOMENT = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def a_campaign(campaign_id, account_id="acc-a", started=True, tracking=True) -> Campaign:
    return Campaign(campaign_id, account_id, "Mei", "Mei-actie", "Bakkerij Jansen", None, "tpl-1", "list-1", None,
                    CampaignState.SENT if started else CampaignState.DRAFT, MOMENT, MOMENT, tracking=tracking,
                    started_at=MOMENT if started else None)


class StatisticsReadsContract:
    def test_pages_visit_every_account_once_with_only_its_plan_country_and_standing(self, accounts):
        # GIVEN seven accounts (each with its address claim beside it), of different plans and standing
        for number in range(7):
            accounts.create(an_account(f"acc-{number}", f"holder{number}@example.nl", plan=list(Plan)[number % 3],
                                       country=("NL", "BE")[number % 2], staff=number == 0,
                                       status=AccountStatus.DEACTIVATED if number == 6 else AccountStatus.ACTIVE))
        # WHEN they are read three at a time until no cursor is left
        seen, cursor, pages = [], None, 0
        while True:
            page, cursor = accounts.statistics_page(cursor, limit=3)
            seen += page
            pages += 1
            assert len(page) <= 3
            if cursor is None:
                break
            assert pages < 10
        # THEN each account is read exactly once, as facts without anything personal
        assert sorted(f.account_id for f in seen) == [f"acc-{n}" for n in range(7)]
        assert all(isinstance(f, AccountFacts) for f in seen)
        assert {field.name for field in dataclasses.fields(AccountFacts)} == {
            "account_id", "plan", "country", "active", "staff"}
        by_id = {f.account_id: f for f in seen}
        assert by_id["acc-4"] == AccountFacts("acc-4", Plan.STARTER, "NL", True, False)
        assert by_id["acc-0"].staff and not by_id["acc-6"].active

    def test_no_accounts_is_one_empty_page(self, accounts):
        assert accounts.statistics_page(None) == ([], None)

    def test_usage_months_gives_every_month_of_the_account_only(self, campaigns):
        # GIVEN use in two months, and another account's
        campaigns.add_usage("acc-a", "2026-10", {"campaigns_started": 1, "mails_sent": 300})
        campaigns.add_usage("acc-a", "2026-11", {"campaigns_started": 2})
        campaigns.add_usage("acc-a", "2026-11", {"mails_sent": 50, "bytes_sent": 9000})
        campaigns.add_usage("acc-b", "2026-11", {"mails_sent": 7})
        # WHEN the account's months are read THEN each has its counters, summed
        assert campaigns.usage_months("acc-a") == {
            "2026-10": {"campaigns_started": 1, "mails_sent": 300},
            "2026-11": {"campaigns_started": 2, "mails_sent": 50, "bytes_sent": 9000}}
        assert campaigns.usage_months("acc-c") == {}

    def test_sending_totals_sum_started_campaigns_and_count_opens_only_where_tracked(self, campaigns):
        # GIVEN a tracked and an untracked sent campaign, a draft with stray counters, another account's
        for campaign in (a_campaign("c-1"), a_campaign("c-2", tracking=False), a_campaign("c-3", started=False),
                         a_campaign("c-9", account_id="acc-b")):
            campaigns.save_campaign(campaign)
        campaigns.add_counts("c-1", {"sents@202611020900": 60, "sents@202611020901": 40, "bounced": 5,
                                     "unique_opens": 30, "opens": 45})
        campaigns.add_counts("c-2", {"sents@202611020900": 200, "bounced": 10, "unique_opens": 3})
        campaigns.add_counts("c-3", {"sents@202611020900": 999})
        campaigns.add_counts("c-9", {"sents@202611020900": 77})
        # WHEN the account's totals are read
        totals = campaigns.sending_totals("acc-a")
        # THEN both sent campaigns count, the draft not; opens only from the tracked one
        assert totals == {"sent": 300, "bounced": 15, "tracked_sent": 100, "tracked_bounced": 5, "unique_opens": 30}
        assert campaigns.sending_totals("acc-c") == dict.fromkeys(totals, 0)


class TestInMemory(StatisticsReadsContract):
    @pytest.fixture
    def accounts(self):
        return InMemoryAccounts()

    @pytest.fixture
    def campaigns(self):
        return InMemoryCampaigns()


class TestDynamo(StatisticsReadsContract):
    @pytest.fixture
    def accounts(self, accounts_table):
        return DynamoAccounts(accounts_table, REGION, None)

    @pytest.fixture
    def campaigns(self, campaigns_table):
        return DynamoCampaigns(campaigns_table, REGION, None)
