"""`make job NAME=table-export` and `make restore` against the running local stack, in processes of their own."""

import os
import subprocess
import sys

import boto3
import pytest

from tests.conftest import PROJECT_DIR
from tests.e2e.conftest import STAGE, STAGE_ENV

pytestmark = pytest.mark.e2e


def restore_command(*arguments) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
    return subprocess.run([sys.executable, "-m", "ops.restore", *arguments, "--stage", STAGE], cwd=PROJECT_DIR,
                          capture_output=True, text=True, timeout=120, env=environment)


def test_exported_backup_is_listed_and_restores_into_new_tables(local_stack):
    # GIVEN a notice on the running stack
    dynamodb = boto3.client("dynamodb", endpoint_url=STAGE_ENV["AWS_ENDPOINT_URL"], region_name="eu-west-1",
                            aws_access_key_id="local", aws_secret_access_key="local")
    notice = {"pk": {"S": "NEWS#e2e-restore"}, "sk": {"S": "v1"}, "title": {"S": "Onderhoud"}}
    dynamodb.put_item(TableName="mailexpert-notices", Item=notice)
    # WHEN the table export job is fired and the newest backup restored with a suffix
    fired = local_stack.run_job("table-export")
    assert fired.returncode == 0, fired.stdout + fired.stderr
    listed = restore_command("list")
    assert listed.returncode == 0, listed.stderr
    backup_id, status = listed.stdout.splitlines()[-1].split(None, 1)
    assert status == "complete"
    restored = restore_command("restore", backup_id, "--suffix=-e2e", "--table", "mailexpert-notices")
    try:
        _restored_as_told(dynamodb, restored, backup_id, notice)
    finally:  # the stack is shared: leave it with the app's own tables only
        if "mailexpert-notices-e2e" in dynamodb.list_tables()["TableNames"]:
            dynamodb.delete_table(TableName="mailexpert-notices-e2e")
        dynamodb.delete_item(TableName="mailexpert-notices", Key={"pk": notice["pk"], "sk": notice["sk"]})


def _restored_as_told(dynamodb, restored, backup_id: str, notice: dict) -> None:
    # THEN the new table holds the notice, and the command said how many items it wrote
    assert restored.returncode == 0, restored.stderr
    assert "mailexpert-notices-e2e:" in restored.stdout and f"backup {backup_id}:" in restored.stdout
    key = {"pk": notice["pk"], "sk": notice["sk"]}
    assert dynamodb.get_item(TableName="mailexpert-notices-e2e", Key=key)["Item"] == notice
    # AND restoring into the live table, which holds data, is refused
    refused = restore_command("restore", backup_id, "--table", "mailexpert-notices")
    assert refused.returncode == 2
    assert "These tables hold data: mailexpert-notices" in refused.stderr
