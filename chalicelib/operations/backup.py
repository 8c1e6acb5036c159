"""Daily backups of every table (P10), kept for a retention period and pruned after it.

On-demand DynamoDB backups, on top of point-in-time recovery: PITR covers the last 35 days to the
second, these daily backups are named, listed and restorable for as long as the retention says.
"""

from datetime import datetime, timedelta, timezone

from chalicelib.observability import logger

BACKUP_NAME_MARK = "-daily-"


def backup_name(table_name: str, day: datetime) -> str:
    return f"{table_name}{BACKUP_NAME_MARK}{day:%Y%m%d}"


def back_up_tables(dynamodb, table_names, retention_days: int, now: datetime | None = None) -> dict:
    """Create today's backup of each table (once per day), then delete those past retention."""
    now = now or datetime.now(timezone.utc)
    cutoff = now - timedelta(days=retention_days)
    created, existing, pruned = [], [], []
    for table in table_names:
        name = backup_name(table, now)
        ours = [b for b in _user_backups(dynamodb, table) if b["BackupName"].startswith(table + BACKUP_NAME_MARK)]
        if any(b["BackupName"] == name for b in ours):
            existing.append(name)
        else:
            dynamodb.create_backup(TableName=table, BackupName=name)
            created.append(name)
        for backup in ours:
            if backup["BackupCreationDateTime"] < cutoff:
                dynamodb.delete_backup(BackupArn=backup["BackupArn"])
                pruned.append(backup["BackupName"])
    logger.info("tables backed up", backups_created=len(created), backups_already_there=len(existing),
                backups_pruned=len(pruned))
    return {"created": created, "already_there": existing, "pruned": pruned}


def _user_backups(dynamodb, table: str) -> list[dict]:
    backups, start = [], None
    while True:
        kwargs = {"TableName": table, "BackupType": "USER"}
        if start:
            kwargs["ExclusiveStartBackupArn"] = start
        page = dynamodb.list_backups(**kwargs)
        backups.extend(page.get("BackupSummaries", []))
        start = page.get("LastEvaluatedBackupArn")
        if not start:
            return backups
