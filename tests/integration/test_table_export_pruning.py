"""Table exports older than the retention are deleted from the backup bucket, never the newest complete one."""

from datetime import datetime, timedelta, timezone

from tests.integration.backup_helpers import BACKUP_BUCKET, TABLES, exports

DAY = datetime(2026, 11, 1, 3, 30, tzinfo=timezone.utc)


def keys_under(aws_resources, backup_id):
    answer = aws_resources.client("s3").list_objects_v2(Bucket=BACKUP_BUCKET, Prefix=f"backups/{backup_id}/")
    return [o["Key"] for o in answer.get("Contents", [])]


def test_exports_past_retention_are_pruned_and_younger_ones_kept(aws_resources):
    # GIVEN daily exports made on 1, 2 and 20 November
    made = []
    for day in (DAY, DAY + timedelta(days=1), DAY + timedelta(days=19)):
        backups = exports(aws_resources, clock=lambda day=day: day)
        made.append(backups.run(TABLES, retention_days=35)["started"])
    assert all(keys_under(aws_resources, backup_id) for backup_id in made)
    # WHEN the job runs on 7 December, 36 days after the first
    later = DAY + timedelta(days=36)
    summary = exports(aws_resources, clock=lambda: later).run(TABLES, retention_days=35)
    # THEN only the export of 1 November is gone, every file of it
    assert summary["pruned"] == [made[0]]
    assert keys_under(aws_resources, made[0]) == []
    assert all(keys_under(aws_resources, backup_id) for backup_id in made[1:])
    # AND the day's export was made and is complete
    assert summary["finished"] == [summary["started"]]
    statuses = {b.backup_id: b.status for b in exports(aws_resources).backups()}
    assert statuses == {made[1]: "complete", made[2]: "complete", summary["started"]: "complete"}


def test_the_newest_complete_export_is_kept_even_past_retention(aws_resources):
    # GIVEN a single export, long ago
    old = exports(aws_resources, clock=lambda: DAY).run(TABLES, retention_days=35)["started"]
    # WHEN pruning runs a year later, before the day's export exists
    pruned = exports(aws_resources, clock=lambda: DAY + timedelta(days=365)).prune(retention_days=35)
    # THEN the only backup there is stays
    assert pruned == []
    assert keys_under(aws_resources, old)


def test_a_second_run_on_the_same_day_starts_no_new_export(aws_resources):
    first = exports(aws_resources, clock=lambda: DAY).run(TABLES, retention_days=35)
    second = exports(aws_resources, clock=lambda: DAY + timedelta(hours=1)).run(TABLES, retention_days=35)
    assert first["started"] and second["started"] is None
