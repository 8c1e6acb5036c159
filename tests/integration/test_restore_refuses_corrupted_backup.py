"""A backup file that does not match its manifest's checksum is refused before anything is written."""

import gzip

import pytest

from chalicelib.operations.restore import BackupCorrupted, BackupNotFound, restore_backup
from tests.integration.backup_helpers import BACKUP_BUCKET, TABLES, contents, definitions, exports, recreate_empty


def test_restore_refuses_a_damaged_file_and_writes_nothing(aws_resources):
    # GIVEN a backup of two tables with data, and the live tables emptied (recreated)
    dynamodb = aws_resources.client("dynamodb")
    dynamodb.put_item(TableName="mailexpert-accounts", Item={"pk": {"S": "ACCOUNT#a1"}, "sk": {"S": "PROFILE"}})
    dynamodb.put_item(TableName="mailexpert-notices", Item={"pk": {"S": "NEWS#n1"}, "sk": {"S": "v1"}})
    backups = exports(aws_resources)
    backup_id = backups.start(TABLES)
    backups.finish(backup_id)
    for table in ("mailexpert-accounts", "mailexpert-notices"):
        dynamodb.delete_table(TableName=table)
    recreate_empty(dynamodb, ["mailexpert-accounts", "mailexpert-notices"])
    # AND one data file changed after the backup (still valid gzip, one item altered)
    [damaged] = backups.manifest(backup_id)["tables"]["mailexpert-notices"]["files"]
    aws_resources.client("s3").put_object(Bucket=BACKUP_BUCKET, Key=damaged["key"], Body=gzip.compress(
        b'{"Item":{"pk":{"S":"NEWS#n1"},"sk":{"S":"v1"},"title":{"S":"vervalst"}}}\n'))
    before = contents(dynamodb)
    # WHEN it is restored
    with pytest.raises(BackupCorrupted) as refused:
        restore_backup(dynamodb, backups, backup_id, definitions())
    # THEN the message names the file and says nothing was restored
    assert damaged["key"] in str(refused.value)
    assert "nothing was restored" in str(refused.value)
    # AND no table was written, not even the one whose files are intact
    assert contents(dynamodb) == before
    assert before["mailexpert-accounts"] == []


def test_restore_of_an_unknown_backup_names_the_complete_ones(aws_resources):
    # GIVEN one complete backup
    backups = exports(aws_resources)
    backup_id = backups.start(TABLES)
    backups.finish(backup_id)
    # WHEN another id is asked for
    with pytest.raises(BackupNotFound) as refused:
        restore_backup(aws_resources.client("dynamodb"), backups, "20200101T000000Z", definitions())
    # THEN the message lists the ones there are
    assert backup_id in str(refused.value)
