"""P12, the export service with in-memory repositories: every active customer account is read page by
page, staff and deactivated accounts are left out, the CSV and the JSON hold the same figures, every
export is audited with which export and format, and an export too large to run in a request is
refused before anything is handed out."""

import csv
import io
import json
from datetime import datetime, timezone

import pytest

from chalicelib import errors
from chalicelib.accounts.account import AccountStatus, Plan
from chalicelib.accounts.audit import AuditEvent
from chalicelib.campaigns.campaigns import Campaign, CampaignState
from chalicelib.partner_statistics.aggregation import EXPORTS, OTHER
from chalicelib.partner_statistics.service import ExportTooLarge, PartnerStatistics
from tests.fakes.accounts import InMemoryAccounts, InMemoryAuditLog, an_account
from tests.fakes.campaigns import InMemoryCampaigns

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)
STAFF = an_account("staff-1", "staff@example.nl", staff=True)


class PagedAccounts(InMemoryAccounts):
    """The in-memory accounts, counting the pages asked for."""

    def __init__(self):
        super().__init__()
        self.pages = []

    def statistics_page(self, cursor=None, limit=100):
        self.pages.append(limit)
        return super().statistics_page(cursor, limit)


def a_population():
    """GIVEN 24 customers (12 free in NL, 12 starter in BE, 2 professional in DE), each having sent a
    campaign in November, a staff member and a deactivated account."""
    accounts, campaigns = PagedAccounts(), InMemoryCampaigns()
    specs = [(Plan.FREE, "NL")] * 12 + [(Plan.STARTER, "BE")] * 10 + [(Plan.PROFESSIONAL, "DE")] * 2
    for number, (plan, country) in enumerate(specs):
        account_id = f"acc-{number:02d}"
        accounts.create(an_account(account_id, f"holder{number}@example.nl", plan=plan, country=country))
        campaigns.add_usage(account_id, "2026-11", {"campaigns_started": 1, "mails_sent": 100})
        campaigns.save_campaign(Campaign(f"c-{number}", account_id, "Nov", "Nov", "Shop", None, "t", "l", None,
                                         CampaignState.SENT, NOW, NOW, started_at=NOW, tracking=True))
        campaigns.add_counts(f"c-{number}", {"sents@202611010900": 100, "bounced": 2, "unique_opens": 25})
    accounts.create(an_account("staff-1", "staff@example.nl", staff=True))
    accounts.create(an_account("gone-1", "gone@example.nl", status=AccountStatus.DEACTIVATED))
    return accounts, campaigns


def service_for(accounts, campaigns, audit_log, **options):
    return PartnerStatistics(accounts, campaigns, audit_log, clock=lambda: NOW, page_size=5, **options)


def test_export_reads_every_page_and_counts_only_active_customers():
    accounts, campaigns = a_population()
    audit_log = InMemoryAuditLog()
    # WHEN staff export the accounts per plan
    download = service_for(accounts, campaigns, audit_log).export(STAFF, "accounts-by-plan", "json", "192.0.2.7")
    # THEN all 26 accounts were read five at a time, and the 24 customers counted: the 2
    # professional ones merged with the smallest other plan into "other"
    assert accounts.pages == [5] * 6
    document = json.loads(download.body)
    assert document["rows"] == [{"plan": "free", "accounts": 12}, {"plan": OTHER, "accounts": 12}]
    assert download.filename == "mailexpert-accounts-by-plan-2026-12-07.json"
    assert download.content_type.startswith("application/json")


def test_every_export_is_in_the_audit_log_with_which_export_and_format():
    accounts, campaigns = a_population()
    audit_log = InMemoryAuditLog()
    service = service_for(accounts, campaigns, audit_log)
    # WHEN staff download two exports
    service.export(STAFF, "rates-by-plan", "csv", "192.0.2.7")
    service.export(STAFF, "mailings-by-month", "json", "192.0.2.7")
    # THEN each is recorded under the staff member, with the export and its format
    assert audit_log.entries == [
        ("staff-1", AuditEvent.PARTNER_STATISTICS_EXPORTED, "192.0.2.7",
         {"export": "rates-by-plan", "format": "csv", "rows": 2}),
        ("staff-1", AuditEvent.PARTNER_STATISTICS_EXPORTED, "192.0.2.7",
         {"export": "mailings-by-month", "format": "json", "rows": 1})]


@pytest.mark.parametrize("export", list(EXPORTS))
def test_csv_and_json_hold_the_same_figures(export):
    accounts, campaigns = a_population()
    service = service_for(accounts, campaigns, InMemoryAuditLog())
    # WHEN an export is downloaded as CSV and as JSON
    as_csv = list(csv.DictReader(io.StringIO(service.export(STAFF, export, "csv").body)))
    as_json = json.loads(service.export(STAFF, export, "json").body)["rows"]
    # THEN they have the same rows with the same figures (an empty CSV field is JSON's null)
    assert as_json, export
    assert [{k: ("" if v is None else str(v)) for k, v in row.items()} for row in as_json] == as_csv


def test_rates_and_months_come_from_the_campaign_counters():
    accounts, campaigns = a_population()
    service = service_for(accounts, campaigns, InMemoryAuditLog())
    rates = json.loads(service.export(STAFF, "rates-by-plan", "json").body)["rows"]
    months = json.loads(service.export(STAFF, "mailings-by-month", "json").body)["rows"]
    assert rates == [{"plan": "free", "delivery_rate": 0.98, "bounce_rate": 0.02, "open_rate": 0.2551},
                     {"plan": OTHER, "delivery_rate": 0.98, "bounce_rate": 0.02, "open_rate": 0.2551}]
    assert months == [{"month": "2026-11", "mailings": 24, "recipients": 2400}]


def test_export_past_its_limit_is_refused_and_not_audited():
    accounts, campaigns = a_population()
    audit_log = InMemoryAuditLog()
    service = service_for(accounts, campaigns, audit_log, max_accounts={name: 20 for name in EXPORTS})
    # WHEN an export would cover more accounts than a request may read
    with pytest.raises(ExportTooLarge) as refused:
        service.export(STAFF, "mailings-by-month", "csv")
    # THEN it is refused with the limit named, and nothing was audited or handed out
    assert refused.value.status == 503 and refused.value.params == {"limit": 20}
    assert audit_log.entries == []


@pytest.mark.parametrize("export, fmt", [("accounts-by-email", "csv"), ("accounts-by-plan", "xlsx")])
def test_unknown_export_or_format_is_not_found(export, fmt):
    audit_log = InMemoryAuditLog()
    with pytest.raises(errors.NotFound):
        service_for(PagedAccounts(), InMemoryCampaigns(), audit_log).export(STAFF, export, fmt)
    assert audit_log.entries == []
