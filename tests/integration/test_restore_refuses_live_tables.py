"""A restore never writes into tables that hold data unless the operator says --into-live."""

import pytest

from chalicelib.operations.restore import TablesHoldData, restore_backup
from tests.integration.backup_helpers import TABLES, contents, definitions, exports

NOTICES = "mailexpert-notices"


def notice(key: str) -> dict:
    return {"pk": {"S": f"NEWS#{key}"}, "sk": {"S": "v1"}, "title": {"S": key}}


def test_restore_refuses_and_writes_nothing_when_a_target_table_holds_data(aws_resources):
    # GIVEN a backup holding one notice, and a live table that has gained another since
    dynamodb = aws_resources.client("dynamodb")
    dynamodb.put_item(TableName=NOTICES, Item=notice("backed-up"))
    backups = exports(aws_resources)
    backup_id = backups.start(TABLES)
    backups.finish(backup_id)
    dynamodb.delete_item(TableName=NOTICES, Key={"pk": notice("backed-up")["pk"], "sk": notice("backed-up")["sk"]})
    dynamodb.put_item(TableName=NOTICES, Item=notice("live"))
    before = contents(dynamodb)
    # WHEN the backup is restored without --into-live
    with pytest.raises(TablesHoldData) as refused:
        restore_backup(dynamodb, backups, backup_id, definitions())
    # THEN it names the table with data and says what to do instead
    assert refused.value.tables == [NOTICES]
    assert "--into-live" in str(refused.value) and "--suffix" in str(refused.value)
    # AND no table changed
    assert contents(dynamodb) == before


def test_restore_command_refuses_with_a_message_and_exit_status_when_tables_hold_data(aws_resources, capsys):
    # GIVEN a backup of a table that still holds its data
    from ops import restore as command

    dynamodb = aws_resources.client("dynamodb")
    dynamodb.put_item(TableName=NOTICES, Item=notice("live"))
    backups = exports(aws_resources)
    backup_id = backups.start(TABLES)
    backups.finish(backup_id)
    # WHEN the operator runs the restore command
    status = command.run(["restore", backup_id])
    # THEN it refuses, says why, and exits non-zero
    assert status == 2
    assert f"These tables hold data: {NOTICES}" in capsys.readouterr().err
