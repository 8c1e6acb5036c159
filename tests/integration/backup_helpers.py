"""Shared steps for the backup and restore tests: a populated stack, the backups of its tables,
and every table's full contents as DynamoDB JSON."""

import json

from chalicelib.config import settings
from chalicelib.operations.exports import ScanExport, TableExports
from chalicelib.operations.table_definitions import create_table, table_definitions
from devstack import infra
from tests.integration.accounts_helpers import post_form, register
from tests.integration.audience_helpers import account_with_list
from tests.integration.test_data_rights import run_background_jobs
from tests.integration.test_campaign_flow import send_campaign_batches
from tests.integration.review_helpers import send_through_review

TABLES = sorted(settings().table_names.values())
BACKUP_BUCKET = settings().backup_bucket
TEMPLATE_HTML = "<html><body><p>Hallo {{ contact.first_name | default('lezer') }}</p></body></html>"


def definitions() -> dict[str, dict]:
    return table_definitions(infra.load_template())


def exports(aws_resources, **options) -> TableExports:
    dynamodb, s3 = aws_resources.client("dynamodb"), aws_resources.client("s3")
    return TableExports(s3, BACKUP_BUCKET, ScanExport(dynamodb, s3), **options)


def populate(client, app_module, aws_resources, outbox) -> str:
    """GIVEN two registered accounts, one with a list of contacts and a campaign sent to them (the
    sends in the ledger), and the audit log entries all that made; returns the campaign id."""
    register(client, app_module, aws_resources, outbox, email="bram@example.nl")
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    for number in range(6):
        added = post_form(client, f"/lists/{list_id}/contacts", {
            "csrf_token": csrf, "email": f"klant{number}@example.com", "first_name": f"Klant{number}",
            "lawful_basis": "klant van de winkel"}, cookie=cookie)
        assert added.status_code == 303, added.body
    saved = post_form(client, "/templates", {"csrf_token": csrf, "name": "Nieuwsbrief", "subject": "Nieuws",
                                             "html": TEMPLATE_HTML}, cookie=cookie)
    assert saved.status_code == 303, saved.body
    template_id = saved.headers["Location"].split("/templates/", 1)[1].split("?", 1)[0]
    created = post_form(client, "/campaigns", {"csrf_token": csrf, "name": "Maart", "template_id": template_id,
                                               "list_id": list_id, "from_name": "Bakkerij Jansen"}, cookie=cookie)
    assert created.status_code == 303, created.body
    campaign_id = created.headers["Location"].rsplit("/", 1)[1]
    scheduled = send_through_review(client, cookie, csrf, campaign_id)
    assert scheduled.status_code == 303, scheduled.body
    run_background_jobs(app_module, aws_resources)
    assert send_campaign_batches(app_module, aws_resources) > 0
    return campaign_id


def contents(dynamodb, tables=TABLES, suffix: str = "") -> dict[str, list[str]]:
    """Every item of every table as canonical DynamoDB JSON text, sorted."""
    found = {}
    for table in tables:
        items = []
        for page in dynamodb.get_paginator("scan").paginate(TableName=table + suffix, ConsistentRead=True):
            items += [json.dumps(item, sort_keys=True, default=lambda b: b.hex()) for item in page["Items"]]
        found[table] = sorted(items)
    return found


def delete_tables(dynamodb, tables=TABLES) -> None:
    for table in tables:
        dynamodb.delete_table(TableName=table)


def recreate_empty(dynamodb, tables=TABLES) -> None:
    every = definitions()
    for table in tables:
        create_table(dynamodb, table, every[table])
