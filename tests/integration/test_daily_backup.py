from datetime import datetime, timedelta, timezone

from chalicelib.operations.backup import back_up_tables
from chalicelib.operations.job_runs import JobStatus

from chalicelib.config import settings

TABLES = sorted(settings().table_names.values())


def backups(dynamodb, table):
    return [b["BackupName"] for b in dynamodb.list_backups(TableName=table)["BackupSummaries"]]


def test_scheduled_handler_backs_up_every_table_and_records_the_run(app_module, aws_resources):
    # WHEN EventBridge fires the daily backup
    app_module.daily_backup({"version": "0", "id": "e", "detail-type": "Scheduled Event", "source": "aws.events",
                             "account": "123456789012", "time": "2026-11-25T03:00:00Z", "region": "eu-west-1",
                             "resources": ["arn:aws:events:eu-west-1:123456789012:rule/daily"], "detail": {}}, None)
    # THEN each table has today's backup
    dynamodb = aws_resources.client("dynamodb")
    today = datetime.now(timezone.utc).strftime("%Y%m%d")
    for table in TABLES:
        assert backups(dynamodb, table) == [f"{table}-daily-{today}"]
    # AND the run is recorded as succeeded
    from chalicelib.composition import services

    [run] = services().job_runs.latest("daily-backup")
    assert run.status is JobStatus.SUCCEEDED
    assert sorted(run.summary["created"]) == sorted(f"{t}-daily-{today}" for t in TABLES)


def test_second_run_on_the_same_day_creates_nothing_new(aws_resources):
    dynamodb = aws_resources.client("dynamodb")
    back_up_tables(dynamodb, TABLES, retention_days=35)
    summary = back_up_tables(dynamodb, TABLES, retention_days=35)
    assert summary["created"] == []
    assert len(summary["already_there"]) == len(TABLES)


def test_backups_past_retention_are_pruned(aws_resources):
    # GIVEN backups made today
    dynamodb = aws_resources.client("dynamodb")
    back_up_tables(dynamodb, TABLES, retention_days=35)
    # WHEN the job runs 36 days later
    later = datetime.now(timezone.utc) + timedelta(days=36)
    summary = back_up_tables(dynamodb, TABLES, retention_days=35, now=later)
    # THEN today's backups are gone and the new day's are there
    assert len(summary["pruned"]) == len(TABLES)
    for table in TABLES:
        assert backups(dynamodb, table) == [f"{table}-daily-{later:%Y%m%d}"]


def test_backup_can_be_restored_into_a_new_table(aws_resources):
    # GIVEN a mail event stored, then backed up
    dynamodb = aws_resources.client("dynamodb")
    dynamodb.put_item(TableName="mailexpert-mail-events", Item={
        "message_id": {"S": "m-1"}, "event_key": {"S": "t#Send"}, "event_type": {"S": "Send"},
        "occurred_at": {"S": "t"}, "recipients": {"L": []}, "expires_at": {"N": "1"}})
    back_up_tables(dynamodb, TABLES, retention_days=35)
    arn = dynamodb.list_backups(TableName="mailexpert-mail-events")["BackupSummaries"][0]["BackupArn"]
    # WHEN it is restored into a new table
    dynamodb.restore_table_from_backup(TargetTableName="restored-mail-events", BackupArn=arn)
    # THEN the item is there
    item = dynamodb.get_item(TableName="restored-mail-events",
                             Key={"message_id": {"S": "m-1"}, "event_key": {"S": "t#Send"}})
    assert item["Item"]["event_type"] == {"S": "Send"}


def test_unknown_job_is_a_clear_404(client):
    response = client.post("/dev/jobs/nope", headers={"Content-Type": "application/json"}, body=b"{}")
    assert response.status_code == 404
