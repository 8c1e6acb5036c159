"""Platform-wide usage figures go to CloudWatch as EMF (Powertools Metrics, namespace MailExpert, P7):
mails and bytes sent, campaigns started, contacts imported; the account id is never a dimension,
nor anywhere else in what is published."""

import json

from chalicelib.observability import metrics
from chalicelib.usage.service import UsageService

ACCOUNT_ID = "9f2c41d7e0a84b6c8d1e2f3a4b5c6d7e"


class InMemoryUsage:
    """The counters the service writes, kept in a dict."""

    def __init__(self):
        self.months = {}

    def add(self, account_id, month, counts):
        row = self.months.setdefault((account_id, month), {})
        for name, value in counts.items():
            row[name] = row.get(name, 0) + value


def test_emf_output_has_the_platform_figures_and_no_account_id(capsys, monkeypatch):
    # GIVEN the usage service and nothing published yet (metrics are printed as in Lambda, not switched off)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    metrics.clear_metrics()
    capsys.readouterr()
    store = InMemoryUsage()
    service = UsageService(store, accounts=lambda account_id: None, mail_queue=None, base_url="https://mailexpert.test")
    # WHEN an account starts a campaign, sends mail and imports contacts, and the figures are flushed
    service.record_campaign_started(ACCOUNT_ID)
    service.record_sent(ACCOUNT_ID, 3, 4500)
    service.record_import(ACCOUNT_ID, 12)
    metrics.flush_metrics()
    out = capsys.readouterr().out
    # THEN the EMF document carries the four figures in the MailExpert namespace
    [document] = [json.loads(line) for line in out.splitlines() if '"_aws"' in line]
    [directive] = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "MailExpert"
    assert {m["Name"] for m in directive["Metrics"]} == {"CampaignsStarted", "MailsSent", "BytesSent",
                                                        "ContactsImported"}
    value = {name: sum(v) if isinstance(v, list) else v for name, v in document.items() if name != "_aws"}
    assert value["MailsSent"] == 3 and value["BytesSent"] == 4500 and value["ContactsImported"] == 12
    # AND no dimension, and nothing at all in it, names the account
    assert all("account" not in name.lower() for dimensions in directive["Dimensions"] for name in dimensions)
    assert ACCOUNT_ID not in out
    # AND the account's own counters were kept per month, where only the account sees them
    [(account_id, _)] = store.months
    assert account_id == ACCOUNT_ID
