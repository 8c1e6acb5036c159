"""A Sendy or listmonk export with every status value, through the whole import and then a campaign:
only the clearly subscribed rows are mailed; spam complaints, bounces, unsubscribes and blocklisted
addresses land on the suppression list with their own reason; the report says per row what happened."""

import os

import pytest

from chalicelib.composition import services
from chalicelib.audience.audience import MemberStatus, SuppressionReason
from tests.conftest import PROJECT_DIR
from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list, import_file, member_addresses
from tests.integration.test_campaign_flow import _campaign_with_template, send_campaign_batches
from tests.integration.test_data_rights import run_background_jobs
from tests.integration.review_helpers import send_through_review

SAMPLES = os.path.join(PROJECT_DIR, "tests", "data", "imports")

# file -> (addresses mailed, suppressed address -> reason, addresses left out and not suppressed)
EVERY_STATUS = {
    "sendy_export_every_status.csv": (
        {"anouk.actief@example.com", "pim@example.org"},
        {"ugo@example.com": SuppressionReason.UNSUBSCRIBED, "bart@example.net": SuppressionReason.HARD_BOUNCE,
         "sjaak@example.com": SuppressionReason.COMPLAINT},
        {"olga@example.org", "sara@example.com"}),
    "listmonk_export_every_status.csv": (
        {"noor.bevestigd@example.com", "fenna@example.net"},
        {"eva.weg@example.org": SuppressionReason.UNSUBSCRIBED, "kees.klacht@example.com": SuppressionReason.MANUAL},
        {"daan.wacht@example.com", "dirk.uit@example.com"}),
}


def campaign_recipients(client, app_module, aws_resources, outbox, cookie, csrf, list_id) -> set[str]:
    """Send a campaign to the list now; the addresses it mailed."""
    campaign_id = _campaign_with_template(client, cookie, csrf, list_id)
    outbox.clear()
    scheduled = send_through_review(client, cookie, csrf, campaign_id)
    assert scheduled.status_code == 303, scheduled.body
    run_background_jobs(app_module, aws_resources)
    send_campaign_batches(app_module, aws_resources)
    return {m["to"][0] for m in outbox.mails() if m["tags"].get("campaign") == campaign_id}


@pytest.mark.parametrize("name", sorted(EVERY_STATUS))
def test_export_with_every_status_mails_only_its_subscribed_rows(client, app_module, aws_resources, outbox, name):
    # GIVEN an account with a list
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    account_id = services().accounts.by_email("anna@example.nl").account_id
    mailed, suppressed, left_out = EVERY_STATUS[name]
    # WHEN the platform's export with every status is imported with the suggested mapping
    with open(os.path.join(SAMPLES, name), "rb") as file:
        done, report = import_file(client, app_module, aws_resources, cookie, csrf, list_id, file.read())
    # THEN only the subscribed rows are imported, the list has no other subscriber
    assert done["counts"] == {"imported": len(mailed), "updated": 0, "skipped": len(suppressed) + len(left_out)}
    assert member_addresses(client, cookie, list_id, "subscribed") == mailed
    # AND each opted-out address is suppressed with its own reason; the others are not
    audience = services().audience
    for address, reason in suppressed.items():
        assert audience.suppression(account_id, address).reason is reason, address
    for address in left_out:
        assert audience.suppression(account_id, address) is None, address
        assert audience.contact_by_email(account_id, address) is None, address
    # AND the report says per row why it was skipped, in words that name the status
    reasons = {row["email"]: row["reason"] for row in report if row["outcome"] == "skipped"}
    assert set(reasons) == set(suppressed) | left_out
    assert all(reasons[address] for address in reasons)
    # AND a campaign to the list reaches exactly the subscribed rows
    assert campaign_recipients(client, app_module, aws_resources, outbox, cookie, csrf, list_id) == mailed


def test_report_names_the_status_of_each_skipped_row(client, app_module, aws_resources, outbox):
    # GIVEN Sendy's export with every status, imported by an account holder reading English
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    with open(os.path.join(SAMPLES, "sendy_export_every_status.csv"), "rb") as file:
        data = file.read() + b"Onbekend,onbekend@example.com,,,,,Opgezegd\n"
    services().accounts.save(_in_english(services().accounts.by_email("anna@example.nl")))
    _, report = import_file(client, app_module, aws_resources, cookie, csrf, list_id, data)
    reasons = {row["email"]: row["reason"] for row in report}
    # THEN each skipped row's reason says what the file said of it
    assert "spam complaint" in reasons["sjaak@example.com"] and "suppression list" in reasons["sjaak@example.com"]
    assert "hard bounce" in reasons["bart@example.net"]
    assert "unsubscribed" in reasons["ugo@example.com"]
    assert "never confirmed" in reasons["olga@example.org"]
    assert "soft bounced" in reasons["sara@example.com"] and "not suppressed" in reasons["sara@example.com"]
    assert '"Opgezegd"' in reasons["onbekend@example.com"]


def _in_english(account):
    account.language = "en"
    return account


def test_opted_out_file_after_a_subscribed_one_ends_the_subscriptions(client, app_module, aws_resources, outbox):
    # GIVEN a list whose subscribers were imported from a plain file first
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    account_id = services().accounts.by_email("anna@example.nl").account_id
    everyone = b"email\n" + b"".join(f"{a}\n".encode() for a in (
        "anouk.actief@example.com", "ugo@example.com", "olga@example.org", "bart@example.net", "sara@example.com",
        "sjaak@example.com", "pim@example.org"))
    import_file(client, app_module, aws_resources, cookie, csrf, list_id, everyone)
    # WHEN Sendy's export with every status is imported after it
    with open(os.path.join(SAMPLES, "sendy_export_every_status.csv"), "rb") as file:
        import_file(client, app_module, aws_resources, cookie, csrf, list_id, file.read())
    # THEN the spam complaint, the bounce and the unsubscribe are suppressed and no longer subscribed
    audience = services().audience
    for address, reason in {"sjaak@example.com": SuppressionReason.COMPLAINT,
                            "bart@example.net": SuppressionReason.HARD_BOUNCE,
                            "ugo@example.com": SuppressionReason.UNSUBSCRIBED}.items():
        assert audience.suppression(account_id, address).reason is reason
        contact = audience.contact_by_email(account_id, address)
        assert audience.membership(account_id, list_id, contact.contact_id).status is MemberStatus.UNSUBSCRIBED
    # AND the unconfirmed and soft bounced rows change nothing of what the first file declared
    assert member_addresses(client, cookie, list_id, "subscribed") == {
        "anouk.actief@example.com", "olga@example.org", "sara@example.com", "pim@example.org"}
    assert campaign_recipients(client, app_module, aws_resources, outbox, cookie, csrf, list_id) == {
        "anouk.actief@example.com", "olga@example.org", "sara@example.com", "pim@example.org"}


def test_subscribed_file_after_an_opted_out_one_subscribes_nobody_it_marked(client, app_module, aws_resources,
                                                                          outbox):
    # GIVEN listmonk's export with every status imported first
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    with open(os.path.join(SAMPLES, "listmonk_export_every_status.csv"), "rb") as file:
        import_file(client, app_module, aws_resources, cookie, csrf, list_id, file.read())
    # WHEN a plain file with every one of its addresses is imported after it
    everyone = b"email\n" + b"".join(f"{a}\n".encode() for a in (
        "noor.bevestigd@example.com", "daan.wacht@example.com", "eva.weg@example.org", "dirk.uit@example.com",
        "kees.klacht@example.com", "fenna@example.net"))
    _, report = import_file(client, app_module, aws_resources, cookie, csrf, list_id, everyone)
    # THEN the suppressed addresses stay out; the plain file's own declaration covers the rest
    outcomes = {row["email"]: row["outcome"] for row in report}
    assert outcomes["eva.weg@example.org"] == outcomes["kees.klacht@example.com"] == "skipped"
    recipients = campaign_recipients(client, app_module, aws_resources, outbox, cookie, csrf, list_id)
    assert not recipients & {"eva.weg@example.org", "kees.klacht@example.com"}
    assert {"noor.bevestigd@example.com", "fenna@example.net"} <= recipients
