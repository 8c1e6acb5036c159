"""P10 in infra/template.json: the backup bucket, the buckets' retention of deleted objects, the AWS
Backup plan, and the export function's permissions (read without packaging: it is fast)."""

import json
import os

from tests.conftest import CHALICE_CONFIG, PROJECT_DIR

RETENTION_DAYS = int(CHALICE_CONFIG["environment_variables"]["BACKUP_RETENTION_DAYS"])


def template():
    with open(os.path.join(PROJECT_DIR, "infra", "template.json"), encoding="utf-8") as file:
        return json.load(file)


def of_type(resource_type):
    return {name: r for name, r in template()["Resources"].items() if r.get("Type") == resource_type}


def test_every_bucket_is_versioned_and_keeps_deleted_objects_for_the_retention_when_declared():
    # GIVEN every bucket of the template
    buckets = of_type("AWS::S3::Bucket")
    assert {"AssetsBucket", "ExportsBucket", "BackupBucket"} <= set(buckets)
    for name, bucket in buckets.items():
        properties = bucket["Properties"]
        # THEN it is versioned, and replaced or deleted objects stay the retention period, not forever
        assert properties["VersioningConfiguration"] == {"Status": "Enabled"}, name
        kept = [r["NoncurrentVersionExpiration"]["NoncurrentDays"] for r in properties["LifecycleConfiguration"]["Rules"]
                if "NoncurrentVersionExpiration" in r]
        assert kept == [RETENTION_DAYS], name


def test_backup_bucket_refuses_plain_http_and_is_retained_when_declared():
    # GIVEN the backup bucket and the bucket policies
    bucket = template()["Resources"]["BackupBucket"]
    [policy] = [p for p in of_type("AWS::S3::BucketPolicy").values() if p["Properties"]["Bucket"] == {"Ref": "BackupBucket"}]
    # THEN requests without TLS are denied, and the bucket outlives a stack deletion
    [statement] = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert bucket["DeletionPolicy"] == "Retain"
    assert template()["Globals"]["Function"]["Environment"]["Variables"]["BACKUP_BUCKET"] == {"Ref": "BackupBucket"}


def test_backup_plan_is_daily_keeps_35_days_and_copies_to_a_second_region_when_declared():
    # GIVEN the AWS Backup plan
    [plan] = of_type("AWS::Backup::BackupPlan").values()
    [rule] = plan["Properties"]["BackupPlan"]["BackupPlanRule"]
    # THEN it runs every day, keeps each backup 35 days, and copies it to a vault in another region
    assert rule["ScheduleExpression"].startswith("cron(") and rule["ScheduleExpression"].split()[2:4] == ["*", "*"]
    assert rule["Lifecycle"]["DeleteAfterDays"] == RETENTION_DAYS
    [copy] = rule["CopyActions"]
    assert "${BackupCopyRegion}" in copy["DestinationBackupVaultArn"]["Fn::Sub"]
    assert copy["Lifecycle"]["DeleteAfterDays"] == RETENTION_DAYS
    assert template()["Parameters"]["BackupCopyRegion"]["Default"] != "eu-west-1"


def test_backup_selection_covers_every_table_when_declared():
    # GIVEN the tables and the backup selection
    tables = set(of_type("AWS::DynamoDB::Table"))
    [selection] = of_type("AWS::Backup::BackupSelection").values()
    chosen = {r["Fn::GetAtt"][0] for r in selection["Properties"]["BackupSelection"]["Resources"]}
    # THEN every table is in the plan, under a role that AWS Backup assumes
    assert chosen == tables
    role = template()["Resources"][selection["Properties"]["BackupSelection"]["IamRoleArn"]["Fn::GetAtt"][0]]
    [trust] = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "backup.amazonaws.com"}


def test_export_function_may_export_tables_and_write_the_backup_bucket_only():
    # GIVEN the policy of the table export function
    name = CHALICE_CONFIG["stages"]["dev"]["lambda_functions"]["table_export"]["iam_policy_file"]
    with open(os.path.join(PROJECT_DIR, ".chalice", name), encoding="utf-8") as file:
        statements = json.load(file)["Statement"]
    allowed = {action: statement["Resource"] for statement in statements for action in statement["Action"]}
    # THEN it may export and follow exports, and write only under backups/ in the backup bucket
    assert "dynamodb:ExportTableToPointInTime" in allowed and "dynamodb:DescribeExport" in allowed
    assert allowed["s3:PutObject"] == ["arn:aws:s3:::mailexpert-backups-*/backups/*"]
    assert "dynamodb:BatchWriteItem" not in allowed and "dynamodb:DeleteTable" not in allowed
