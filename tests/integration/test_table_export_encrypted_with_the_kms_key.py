"""The table export (the backups of P10) is encrypted with the backup bucket's customer-managed KMS
key, like every other object the app writes (P8): no file of a backup is under S3's own keys."""

import json

from tests.integration.backup_helpers import BACKUP_BUCKET, exports


def _bucket_key(s3) -> str:
    rules = s3.get_bucket_encryption(Bucket=BACKUP_BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    return rules[0]["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"]


def test_every_file_of_a_table_export_is_under_the_backup_buckets_kms_key(aws_resources):
    # GIVEN a notice in its table, and the backup bucket as the template creates it
    aws_resources.client("dynamodb").put_item(TableName="mailexpert-notices",
                                              Item={"pk": {"S": "NEWS#n1"}, "sk": {"S": "v1"}})
    s3 = aws_resources.client("s3")
    key_id = _bucket_key(s3).rsplit("/", 1)[-1]
    # WHEN the hourly export runs
    backups = exports(aws_resources)
    backup_id = backups.start(["mailexpert-notices"])
    assert backups.finish(backup_id)
    # THEN every file it wrote (data, DynamoDB's manifests, checksums, our manifest) is under the bucket's KMS key
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BACKUP_BUCKET, Prefix="backups/")["Contents"]]
    assert any(k.endswith(".json.gz") for k in keys) and any(k.endswith("manifest-summary.json") for k in keys)
    for key in keys:
        head = s3.head_object(Bucket=BACKUP_BUCKET, Key=key)
        assert (head.get("ServerSideEncryption"), head.get("SSEKMSKeyId", "").rsplit("/", 1)[-1]) \
            == ("aws:kms", key_id), key
    # AND the export's summary says so, as DynamoDB's own export would
    summary_key = backups.manifest(backup_id)["tables"]["mailexpert-notices"]["manifest_summary_key"]
    summary = json.loads(backups.read(summary_key))
    assert summary["s3SseAlgorithm"] == "KMS"
    assert summary["s3SseKmsKeyId"].rsplit("/", 1)[-1] == key_id
