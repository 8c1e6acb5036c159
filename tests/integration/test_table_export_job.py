"""The table export runs as a scheduled job: from EventBridge (the local scheduler) and /dev/jobs."""

import json

from chalicelib.operations.job_runs import JobStatus
from tests.integration.backup_helpers import TABLES, exports

SCHEDULED_EVENT = {"version": "0", "id": "e", "detail-type": "Scheduled Event", "source": "aws.events",
                   "account": "123456789012", "time": "2026-12-07T03:30:00Z", "region": "eu-west-1",
                   "resources": ["arn:aws:events:eu-west-1:123456789012:rule/table_export"], "detail": {}}


def test_scheduled_handler_exports_every_table_and_records_the_run(app_module, aws_resources):
    # GIVEN a notice in its table
    aws_resources.client("dynamodb").put_item(TableName="mailexpert-notices",
                                              Item={"pk": {"S": "NEWS#n1"}, "sk": {"S": "v1"}})
    # WHEN EventBridge fires the export
    app_module.table_export(SCHEDULED_EVENT, None)
    # THEN one complete backup holds every table, with its item count
    [backup] = exports(aws_resources).backups()
    assert backup.status == "complete"
    manifest = exports(aws_resources).manifest(backup.backup_id)
    assert sorted(manifest["tables"]) == TABLES
    assert manifest["tables"]["mailexpert-notices"]["item_count"] == 1
    # AND the run is recorded as succeeded, with what it did
    from chalicelib.composition import services

    [run] = services().job_runs.latest("table-export")
    assert run.status is JobStatus.SUCCEEDED
    assert run.summary["started"] == backup.backup_id and run.summary["finished"] == [backup.backup_id]


def test_dev_jobs_page_lists_and_runs_the_table_export(client, aws_resources):
    # WHEN the jobs page is shown and the export fired from it
    assert "table-export" in client.get("/dev/jobs").body.decode()
    response = client.post("/dev/jobs/table-export", headers={"Content-Type": "application/json"}, body=b"{}")
    # THEN it ran and a backup is complete
    assert response.status_code == 200
    assert json.loads(response.body)["status"] == "succeeded"
    assert [b.status for b in exports(aws_resources).backups()] == ["complete"]
