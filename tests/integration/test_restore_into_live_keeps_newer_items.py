"""--into-live merges a backup into live tables and never overwrites an item newer than the backup:
a conditional write on the item's `updated_at` where it has one, otherwise only absent items."""

from chalicelib.operations.restore import restore_backup
from tests.integration.backup_helpers import TABLES, definitions, exports

AUDIENCE = "mailexpert-audience"
NOTICES = "mailexpert-notices"


def contact(contact_id: str, name: str, updated_at: str) -> dict:
    return {"pk": {"S": "ACCOUNT#a1"}, "sk": {"S": f"CONTACT#{contact_id}"}, "first_name": {"S": name},
            "updated_at": {"S": updated_at}}


def get(dynamodb, table, item):
    return dynamodb.get_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]}, ConsistentRead=True).get("Item")


def test_into_live_keeps_newer_items_and_restores_older_and_missing_ones(aws_resources):
    # GIVEN a backup of three contacts and a notice (which keeps no update time)
    dynamodb = aws_resources.client("dynamodb")
    edited = contact("c1", "Anna", "2026-11-01T10:00:00.000000+0000")
    stale = contact("c2", "Bram", "2026-11-01T10:00:00.000000+0000")
    deleted = contact("c3", "Cor", "2026-11-01T10:00:00.000000+0000")
    notice = {"pk": {"S": "NEWS#n1"}, "sk": {"S": "v1"}, "title": {"S": "Onderhoud"}}
    for item in (edited, stale, deleted):
        dynamodb.put_item(TableName=AUDIENCE, Item=item)
    dynamodb.put_item(TableName=NOTICES, Item=notice)
    backups = exports(aws_resources)
    backup_id = backups.start(TABLES)
    backups.finish(backup_id)
    # AND since then: c1 edited (newer), c2 damaged with an older update time, c3 deleted, the notice changed
    newer = contact("c1", "Anna Maria", "2026-12-01T09:00:00.000000+0000")
    dynamodb.put_item(TableName=AUDIENCE, Item=newer)
    dynamodb.put_item(TableName=AUDIENCE, Item=contact("c2", "kapot", "2026-10-01T00:00:00.000000+0000"))
    dynamodb.delete_item(TableName=AUDIENCE, Key={"pk": deleted["pk"], "sk": deleted["sk"]})
    changed_notice = {**notice, "title": {"S": "Onderhoud verschoven"}}
    dynamodb.put_item(TableName=NOTICES, Item=changed_notice)
    # WHEN the backup is restored into the live tables
    report = restore_backup(dynamodb, backups, backup_id, definitions(), into_live=True)
    # THEN the newer contact is kept, the older and the deleted ones come back from the backup
    assert get(dynamodb, AUDIENCE, edited) == newer
    assert get(dynamodb, AUDIENCE, stale) == stale
    assert get(dynamodb, AUDIENCE, deleted) == deleted
    # AND an item without an update time is only put where absent: the live notice stays
    assert get(dynamodb, NOTICES, notice) == changed_notice
    # AND the report counts what was written and what was kept
    by_table = {t.target: t for t in report.tables}
    assert (by_table[AUDIENCE].written, by_table[AUDIENCE].kept_newer_or_present) == (2, 1)
    assert (by_table[NOTICES].written, by_table[NOTICES].kept_newer_or_present) == (0, 1)
