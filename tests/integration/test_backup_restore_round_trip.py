"""P10: a backup of a populated stack, restored after its tables are gone, gives every item back
exactly (DynamoDB JSON of a full scan of every table, compared item by item)."""

from chalicelib.operations.restore import restore_backup
from tests.integration.backup_helpers import (TABLES, contents, definitions, delete_tables, exports, populate,
                                              recreate_empty)


def test_restore_gives_back_every_item_when_the_tables_were_deleted_and_recreated_empty(
        client, app_module, aws_resources, outbox):
    # GIVEN a populated stack (accounts, a list with contacts, a campaign with sends, audit entries), backed up
    populate(client, app_module, aws_resources, outbox)
    dynamodb = aws_resources.client("dynamodb")
    before = contents(dynamodb)
    assert all(before[t] for t in ("mailexpert-accounts", "mailexpert-audience", "mailexpert-campaigns",
                                   "mailexpert-audit-log")), {t: len(i) for t, i in before.items()}
    backups = exports(aws_resources)
    backup_id = backups.start(TABLES)
    assert backups.finish(backup_id)
    # WHEN every table is deleted, recreated empty from the template, and the backup restored
    delete_tables(dynamodb)
    recreate_empty(dynamodb)
    report = restore_backup(dynamodb, backups, backup_id, definitions())
    # THEN every table holds exactly the items it held, byte for byte
    assert contents(dynamodb) == before
    # AND the report says how many items went into each table, and how long it took
    assert {t.target: t.written for t in report.tables} == {t: len(items) for t, items in before.items()}
    assert report.written == sum(len(items) for items in before.values())
    assert report.seconds > 0
    assert report.lines()[-1].startswith(f"backup {backup_id}: {report.written} items restored into {len(TABLES)} tables")


def test_restore_creates_the_missing_tables_from_the_template_when_they_are_gone(
        client, app_module, aws_resources, outbox):
    # GIVEN a populated stack, backed up, whose tables are then deleted
    populate(client, app_module, aws_resources, outbox)
    dynamodb = aws_resources.client("dynamodb")
    before = contents(dynamodb)
    backups = exports(aws_resources)
    backup_id = backups.start(TABLES)
    backups.finish(backup_id)
    delete_tables(dynamodb)
    # WHEN the backup is restored
    report = restore_backup(dynamodb, backups, backup_id, definitions())
    # THEN the tables are created as declared (keys, indexes, TTL, PITR) and hold every item again
    assert all(t.created for t in report.tables)
    assert contents(dynamodb) == before
    campaigns = dynamodb.describe_table(TableName="mailexpert-campaigns")["Table"]
    assert [i["IndexName"] for i in campaigns["GlobalSecondaryIndexes"]] == ["due"]
    assert dynamodb.describe_time_to_live(TableName="mailexpert-campaigns")["TimeToLiveDescription"][
        "AttributeName"] == "expires_at"
    assert dynamodb.describe_continuous_backups(TableName="mailexpert-campaigns")["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_restore_with_a_suffix_fills_new_tables_and_leaves_the_live_ones_alone(
        client, app_module, aws_resources, outbox):
    # GIVEN a populated stack, backed up, and then a new account registered
    populate(client, app_module, aws_resources, outbox)
    dynamodb = aws_resources.client("dynamodb")
    backed_up = contents(dynamodb)
    backups = exports(aws_resources)
    backup_id = backups.start(TABLES)
    backups.finish(backup_id)
    dynamodb.put_item(TableName="mailexpert-notices", Item={"pk": {"S": "NEWS#after"}, "sk": {"S": "x"}})
    live = contents(dynamodb)
    # WHEN the backup is restored with a suffix
    restore_backup(dynamodb, backups, backup_id, definitions(), suffix="-restored")
    # THEN the new tables hold the backup, and the live tables are as they were
    assert contents(dynamodb, suffix="-restored") == backed_up
    assert contents(dynamodb) == live
