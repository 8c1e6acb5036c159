"""What the exporting platform says of a person decides what the import does with the row: only a
clearly subscribed row is imported; every status value of Mailchimp, Sendy and listmonk has its
outcome (csv_import.RowStatus), and a status we do not know is reported, never subscribed."""

import io

import pytest

from chalicelib.audience.audience import SuppressionReason
from chalicelib.audience.csv_import import (DUPLICATE_ADDRESS, ImportRow, RowProblem, RowStatus, open_csv,
                                            read_contacts, suggest_mapping)
from tests.unit.test_csv_import import import_sample

EVERY_STATUS = [
    # Mailchimp: a member's status
    ("subscribed", RowStatus.SUBSCRIBED), ("unsubscribed", RowStatus.UNSUBSCRIBED),
    ("cleaned", RowStatus.HARD_BOUNCED), ("pending", RowStatus.UNCONFIRMED),
    ("transactional", RowStatus.TRANSACTIONAL), ("archived", RowStatus.ARCHIVED),
    # Sendy
    ("Active", RowStatus.SUBSCRIBED), ("Unsubscribed", RowStatus.UNSUBSCRIBED), ("Unconfirmed", RowStatus.UNCONFIRMED),
    ("Bounced", RowStatus.HARD_BOUNCED), ("Soft bounced", RowStatus.SOFT_BOUNCED),
    ("Marked as spam", RowStatus.COMPLAINED),
    # listmonk: a subscriber's status, and a subscription's
    ("enabled", RowStatus.SUBSCRIBED), ("disabled", RowStatus.DISABLED), ("blocklisted", RowStatus.BLOCKLISTED),
    ("unconfirmed", RowStatus.UNCONFIRMED), ("confirmed", RowStatus.SUBSCRIBED),
]


def _items(data: bytes):
    source = open_csv(io.BytesIO(data))
    return list(read_contacts(source, suggest_mapping(source.headers)))


def _outcome(items) -> RowStatus:
    [item] = items
    return RowStatus.SUBSCRIBED if isinstance(item, ImportRow) else item.status


@pytest.mark.parametrize("written, expected", EVERY_STATUS)
def test_every_platform_status_has_its_outcome(written, expected):
    # GIVEN a row with a status value of Mailchimp, Sendy or listmonk
    data = f"email,status\nanna@example.com,{written}\n".encode()
    # WHEN it is read
    items = _items(data)
    # THEN it gets that status's outcome: imported only when clearly subscribed
    assert _outcome(items) is expected
    assert isinstance(items[0], ImportRow) == (expected is RowStatus.SUBSCRIBED)


def test_only_subscribed_rows_are_imported_and_opted_out_ones_say_how():
    # GIVEN the outcomes, as a table
    # THEN spam complaints, bounces, unsubscribes and blocklists suppress, each with its own reason
    assert RowStatus.COMPLAINED.suppression is SuppressionReason.COMPLAINT
    assert RowStatus.HARD_BOUNCED.suppression is SuppressionReason.HARD_BOUNCE  # Mailchimp's "cleaned"
    assert RowStatus.UNSUBSCRIBED.suppression is SuppressionReason.UNSUBSCRIBED
    assert RowStatus.BLOCKLISTED.suppression is SuppressionReason.MANUAL
    # AND an unconfirmed, soft bounced, transactional, archived, disabled or unknown row suppresses nothing
    for status in (RowStatus.UNCONFIRMED, RowStatus.SOFT_BOUNCED, RowStatus.TRANSACTIONAL, RowStatus.ARCHIVED,
                   RowStatus.DISABLED, RowStatus.NOT_KNOWN, RowStatus.NO_STATUS):
        assert status.suppression is None and status.reason
    assert "spam complaint" in RowStatus.COMPLAINED.reason


def test_unknown_status_is_reported_with_the_value_and_not_imported():
    # GIVEN rows whose status is a word we do not know, and one with none
    data = b"email,status\nanna@example.com,Opgezegd per brief\nbram@example.com,\n"
    # WHEN they are read
    items = _items(data)
    # THEN neither is imported; the report repeats the unknown word
    assert not [item for item in items if isinstance(item, ImportRow)]
    assert [(item.status, item.params) for item in items] == [
        (RowStatus.NOT_KNOWN, (("status", "Opgezegd per brief"),)), (RowStatus.NO_STATUS, ())]


def test_listmonk_subscription_status_counts_beside_the_subscriber_status():
    # GIVEN listmonk rows with both statuses
    data = (b"email,status,subscription_status\n"
            b"a@example.com,enabled,confirmed\nb@example.com,enabled,unconfirmed\nc@example.com,enabled,unsubscribed\n"
            b"d@example.com,disabled,confirmed\ne@example.com,blocklisted,unsubscribed\n")
    # WHEN they are read
    items = _items(data)
    # THEN the stronger of the two decides each row
    assert [RowStatus.SUBSCRIBED if isinstance(i, ImportRow) else i.status for i in items] == [
        RowStatus.SUBSCRIBED, RowStatus.UNCONFIRMED, RowStatus.UNSUBSCRIBED, RowStatus.DISABLED,
        RowStatus.BLOCKLISTED]


def test_mailchimp_cleaned_export_is_a_hard_bounce_not_an_unsubscribe():
    # GIVEN Mailchimp's cleaned members export
    data = b"Email Address,First Name,CLEAN_TIME,CLEAN_CAMPAIGN_TITLE\nweg@example.com,Wim,2024-01-02 10:00:00,Mei\n"
    # WHEN it is read
    [item] = _items(data)
    # THEN the row is a hard bounce
    assert isinstance(item, RowProblem) and item.status is RowStatus.HARD_BOUNCED
    assert item.suppression is SuppressionReason.HARD_BOUNCE


def test_a_later_opted_out_row_of_an_imported_address_still_suppresses_it():
    # GIVEN a file with a subscribed row, and the same address marked as spam further down
    data = b"email,status\nanna@example.com,subscribed\nANNA@example.com,complained\nanna@example.com,subscribed\n"
    # WHEN it is read
    items = _items(data)
    # THEN the complaint is reported as one that came after an imported row; a third row is a repeat
    assert isinstance(items[0], ImportRow)
    assert (items[1].status, items[1].after_earlier_row, items[1].email) == (RowStatus.COMPLAINED, True,
                                                                            "ANNA@example.com")
    assert items[2].reason == DUPLICATE_ADDRESS


def test_sendy_export_with_every_status_imports_only_the_active_rows():
    # GIVEN Sendy's export with one row of every status
    _, items = import_sample("sendy_export_every_status.csv")
    # THEN only the active rows are imported, and every other row says why
    assert {i.email for i in items if isinstance(i, ImportRow)} == {"anouk.actief@example.com", "pim@example.org"}
    assert {i.value: i.status for i in items if isinstance(i, RowProblem)} == {
        "ugo@example.com": RowStatus.UNSUBSCRIBED, "olga@example.org": RowStatus.UNCONFIRMED,
        "bart@example.net": RowStatus.HARD_BOUNCED, "sara@example.com": RowStatus.SOFT_BOUNCED,
        "sjaak@example.com": RowStatus.COMPLAINED}


def test_listmonk_export_with_every_status_imports_only_the_confirmed_enabled_rows():
    # GIVEN listmonk's export with every subscriber status and subscription status
    _, items = import_sample("listmonk_export_every_status.csv")
    # THEN only the enabled, confirmed rows are imported
    assert {i.email for i in items if isinstance(i, ImportRow)} == {"noor.bevestigd@example.com", "fenna@example.net"}
    assert {i.value: i.status for i in items if isinstance(i, RowProblem)} == {
        "daan.wacht@example.com": RowStatus.UNCONFIRMED, "eva.weg@example.org": RowStatus.UNSUBSCRIBED,
        "dirk.uit@example.com": RowStatus.DISABLED, "kees.klacht@example.com": RowStatus.BLOCKLISTED}
