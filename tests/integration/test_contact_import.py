"""CSV import through the import service on moto: upload, mapping, declaration, background run, report."""

import csv
import io
import os
from types import SimpleNamespace

import pytest

from chalicelib import errors
from chalicelib.audience.audience import ConsentSource, MemberStatus, SuppressionReason
from tests.conftest import PROJECT_DIR

SAMPLES = os.path.join(PROJECT_DIR, "tests", "data", "imports")
EXPORTS_BUCKET = "mailexpert-exports-123456789012-eu-west-1"


def _account(account_id="acc-1"):
    return SimpleNamespace(account_id=account_id, email="owner@example.nl", may_send=True, language="en",
                           company_name="Bakkerij", name="B")


@pytest.fixture
def importing(aws_resources):
    from chalicelib.composition import services

    account = _account()
    audience_list = services().audience_service.create_list(account, SimpleNamespace(name="Klanten", description=None))
    return SimpleNamespace(account=account, list_id=audience_list.list_id, imports=services().contact_imports,
                           service=services().audience_service, audience=services().audience,
                           s3=aws_resources.client("s3"))


def _upload(importing, data: bytes):
    imported, form = importing.imports.begin(importing.account, importing.list_id, "klanten.csv")
    # the browser posts the file to S3 with the presigned form; here it is put directly
    importing.s3.put_object(Bucket=EXPORTS_BUCKET, Key=form["fields"]["key"], Body=data)
    return importing.imports.file_received(importing.account, imported.import_id)


def _run(importing, data: bytes, mapping=None, lawful_basis="Signed up at the shop counter, 2025"):
    imported = _upload(importing, data)
    importing.imports.start(importing.account, imported.import_id, mapping or imported.mapping, True, lawful_basis,
                            "192.0.2.1", "Firefox/140")
    return importing.imports.run(importing.account.account_id, imported.import_id, "en")


def _report(importing, imported) -> list[dict]:
    body = importing.s3.get_object(Bucket=EXPORTS_BUCKET, Key=imported.report_key)["Body"].read().decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_upload_form_is_a_presigned_post_to_the_exports_bucket(importing):
    imported, form = importing.imports.begin(importing.account, importing.list_id)
    assert form["fields"]["key"] == imported.file_key
    assert form["fields"]["success_action_redirect"].endswith(f"/imports/{imported.import_id}/uploaded")
    assert EXPORTS_BUCKET in form["url"]


def test_mapping_step_suggests_columns_of_a_mailchimp_export(importing):
    with open(os.path.join(SAMPLES, "mailchimp_subscribed_members.csv"), "rb") as file:
        imported = _upload(importing, file.read())
    assert imported.headers[0] == "Email Address"
    assert imported.mapping["0"] == "email" and imported.mapping["1"] == "first_name"
    assert imported.preview and imported.preview[0][0] == "sanne.jansen@example.com"


def test_import_needs_a_declared_lawful_basis(importing):
    imported = _upload(importing, b"email\nanna@example.com\n")
    with pytest.raises(errors.ValidationFailed) as refused:
        importing.imports.start(importing.account, imported.import_id, imported.mapping, False, "", None, None)
    assert {e.field for e in refused.value.field_errors} == {"declared", "lawful_basis"}


def test_import_without_an_email_column_is_refused(importing):
    imported = _upload(importing, b"name,city\nAnna,Utrecht\n")
    with pytest.raises(errors.ValidationFailed) as refused:
        importing.imports.start(importing.account, imported.import_id, {"0": "first_name"}, True, "basis", None, None)
    assert [e.field for e in refused.value.field_errors] == ["mapping"]


def test_import_writes_contacts_with_consent_and_a_per_row_report(importing):
    with open(os.path.join(SAMPLES, "broken_and_duplicates.csv"), "rb") as file:
        imported = _run(importing, file.read())
    assert imported.status.value == "done"
    rows = _report(importing, imported)
    assert {r["outcome"] for r in rows} >= {"imported", "skipped"}
    assert imported.counts["imported"] == sum(r["outcome"] == "imported" for r in rows)
    assert all(r["reason"] for r in rows if r["outcome"] == "skipped")
    contact = importing.audience.contact_by_email("acc-1", "anna@example.com")
    assert contact.first_name == "Anna"
    membership = importing.audience.membership("acc-1", importing.list_id, contact.contact_id)
    assert membership.status is MemberStatus.SUBSCRIBED
    assert membership.consent["source"] == "import" and membership.consent["lawful_basis"].startswith("Signed up")
    assert membership.consent["import_id"] == imported.import_id
    # the uploaded file is not kept once imported
    assert "Contents" not in importing.s3.list_objects_v2(Bucket=EXPORTS_BUCKET, Prefix=imported.file_key)


def test_import_never_resubscribes_suppressed_or_unsubscribed_addresses(importing):
    service, account = importing.service, importing.account
    manual = dict(first_name=None, last_name=None, language=None, tags=(), fields={}, confirm=False,
                  lawful_basis="asked at the counter")
    service.add_contact(account, importing.list_id, SimpleNamespace(email="left@example.com", **manual),
                        ConsentSource.MANUAL, None)
    left = importing.audience.contact_by_email("acc-1", "left@example.com")
    membership = importing.audience.membership("acc-1", importing.list_id, left.contact_id)
    membership.status = MemberStatus.UNSUBSCRIBED  # as the unsubscribe link does
    importing.audience.save_membership(membership)
    service.suppress("acc-1", "bounced@example.com", SuppressionReason.HARD_BOUNCE, "ses bounce")
    service.suppress("acc-1", "complained@example.com", SuppressionReason.COMPLAINT, "ses complaint")
    data = (b"email,first_name\nleft@example.com,Left\nbounced@example.com,B\ncomplained@example.com,C\n"
            b"fresh@example.com,Fresh\n")
    imported = _run(importing, data)
    outcomes = {r["email"]: (r["outcome"], r["reason"]) for r in _report(importing, imported)}
    assert outcomes["fresh@example.com"][0] == "imported"
    assert {outcomes[a][0] for a in ("left@example.com", "bounced@example.com", "complained@example.com")} == {"skipped"}
    assert "unsubscribed from this list" in outcomes["left@example.com"][1]
    recipients = {c.email for c in service.recipients("acc-1", importing.list_id)}
    assert recipients == {"fresh@example.com"}


def test_file_marking_an_address_unsubscribed_puts_it_on_the_suppression_list(importing):
    with open(os.path.join(SAMPLES, "listmonk_export.csv"), "rb") as file:
        data = file.read()
    imported = _run(importing, data)
    skipped = [r for r in _report(importing, imported) if r["outcome"] == "skipped"]
    blocked = [r["email"] for r in skipped if "suppression list" in r["reason"]]
    assert blocked, skipped
    assert all(importing.service.is_suppressed("acc-1", address) for address in blocked)


def test_existing_contacts_are_updated_not_overwritten(importing):
    service, account = importing.service, importing.account
    service.add_contact(account, importing.list_id, SimpleNamespace(
        email="anna@example.com", first_name="Anna", last_name=None, language="nl", tags=["vip"], fields={"city": "Ede"},
        confirm=False, lawful_basis="customer"), ConsentSource.MANUAL, None)
    imported = _run(importing, b"email,last_name,tags\nanna@example.com,Smit,nieuw\n")
    assert imported.counts == {"imported": 0, "updated": 1, "skipped": 0}
    contact = importing.audience.contact_by_email("acc-1", "anna@example.com")
    assert (contact.first_name, contact.last_name, contact.language) == ("Anna", "Smit", "nl")
    assert contact.tags == ["vip", "nieuw"] and contact.fields == {"city": "Ede"}
    membership = importing.audience.membership("acc-1", importing.list_id, contact.contact_id)
    assert membership.consent["lawful_basis"] == "customer"  # the original consent record stays


def test_running_an_import_twice_counts_the_same(importing):
    imported = _upload(importing, b"email\na@example.com\nb@example.com\n")
    importing.imports.start(importing.account, imported.import_id, imported.mapping, True, "basis", None, None)
    first = importing.imports.run("acc-1", imported.import_id)
    # GIVEN a worker that died after writing: the message comes back, the import is "running"
    first.status = first.status.__class__.RUNNING
    importing.imports._imports.save(first)
    importing.s3.put_object(Bucket=EXPORTS_BUCKET, Key=imported.file_key, Body=b"email\na@example.com\nb@example.com\n")
    again = importing.imports.run("acc-1", imported.import_id)
    assert again.counts == {"imported": 2, "updated": 0, "skipped": 0}


def test_another_account_cannot_see_an_import(importing):
    imported, _ = importing.imports.begin(importing.account, importing.list_id)
    with pytest.raises(errors.NotFound):
        importing.imports.get(_account("acc-2"), imported.import_id)


# What each sample file must bring in through the whole import (upload, mapping suggested from its
# headers, the job): one contact to look at, with what the file says of it.
SAMPLE_IMPORTS = {
    "mailchimp_subscribed_members.csv": ("sanne.jansen@example.com", "Sanne", "Jansen"),
    "sendy_export.csv": ("jan.devries@example.com", "Jan", "de Vries"),
    "listmonk_export.csv": ("noor@example.com", "Noor", "Bakker"),
    "sendy_export_every_status.csv": ("anouk.actief@example.com", "Anouk", "Actief"),
    "listmonk_export_every_status.csv": ("noor.bevestigd@example.com", "Noor", "Bakker"),
    "windows1252.csv": ("zoe@example.com", "Zoë", "Çelik"),
    "utf8_bom.csv": ("renee@example.com", "Renée", "Ålund"),
    "dutch_excel_semicolon.csv": ("henk@example.com", "Henk", "van den Berg"),
    "broken_and_duplicates.csv": ("anna@example.com", "Anna", "Smit"),
}


@pytest.mark.parametrize("name", sorted(SAMPLE_IMPORTS))
def test_real_world_file_imports_with_the_suggested_mapping(importing, name):
    with open(os.path.join(SAMPLES, name), "rb") as file:
        imported = _run(importing, file.read())
    assert imported.status.value == "done", imported.problem
    rows = _report(importing, imported)
    assert imported.counts["imported"] >= 1 and len(rows) == sum(imported.counts.values())
    email, first_name, last_name = SAMPLE_IMPORTS[name]
    contact = importing.audience.contact_by_email("acc-1", email)
    assert (contact.first_name, contact.last_name) == (first_name, last_name)
    assert importing.audience.membership("acc-1", importing.list_id, contact.contact_id).status is MemberStatus.SUBSCRIBED


def test_a_50_mb_file_streams_through_the_import(importing):
    # GIVEN a file of 50 MB: the same few people over and over, as a botched export might hold
    row = b"klant@example.com,Klant,Met Een Heel Lange Achternaam Die Veel Ruimte Inneemt,Utrecht,Nederland\n"
    data = b"email,first_name,last_name,plaats,land\n" + row * (50 * 1024 * 1024 // len(row) + 1)
    assert len(data) >= 50 * 1024 * 1024
    imported = _run(importing, data)
    # THEN it is read to the end: one contact, every other row reported as a repeat
    assert imported.status.value == "done"
    assert imported.counts["imported"] == 1 and imported.counts["skipped"] == imported.rows_done - 1
    assert imported.rows_done == data.count(b"\n") - 1
