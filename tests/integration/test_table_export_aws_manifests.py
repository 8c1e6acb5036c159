"""The manifests as AWS documents them (keys relative to the export prefix, an empty file for an
empty table) are read the same as ours: checksummed, and restorable."""

import gzip
import json

from chalicelib.operations.exports import TableExports
from chalicelib.operations.restore import restore_backup
from tests.integration.backup_helpers import BACKUP_BUCKET, contents, definitions

NOTICES = "mailexpert-notices"
AUDIENCE = "mailexpert-audience"
LINES = {NOTICES: [{"pk": {"S": "NEWS#n1"}, "sk": {"S": "v1"}, "title": {"S": "Onderhoud"}}], AUDIENCE: []}


class AwsShapedExport:
    """Writes what DynamoDB's export writes, with the manifest keys relative to the prefix."""

    method = "ExportTableToPointInTime"

    def __init__(self, s3):
        self._s3 = s3

    def start(self, table_name, bucket, prefix, client_token):
        export_id = f"0179664312121{len(table_name) % 10}-a1b2c3d4"
        relative = f"AWSDynamoDB/{export_id}/"
        body = gzip.compress("".join(json.dumps({"Item": item}) + "\n" for item in LINES[table_name]).encode())
        self._s3.put_object(Bucket=bucket, Key=f"{prefix}/{relative}data/part-0.json.gz", Body=body)
        self._s3.put_object(Bucket=bucket, Key=f"{prefix}/{relative}manifest-files.json", Body=json.dumps(
            {"itemCount": len(LINES[table_name]), "md5": "x", "etag": "y",
             "dataFileS3Key": f"{relative}data/part-0.json.gz"}).encode())
        self._s3.put_object(Bucket=bucket, Key=f"{prefix}/{relative}manifest-summary.json", Body=json.dumps(
            {"version": "2020-06-30", "s3Bucket": bucket, "s3Prefix": prefix, "itemCount": len(LINES[table_name]),
             "manifestFilesS3Key": f"{relative}manifest-files.json", "outputFormat": "DYNAMODB_JSON"}).encode())
        return f"arn:aws:dynamodb:eu-west-1:123456789012:table/{table_name}/export/{export_id}"

    def state(self, export_arn, prefix):
        from chalicelib.operations.exports import ExportState, summary_key_of

        return ExportState("COMPLETED", summary_key_of(export_arn, prefix))


def test_aws_shaped_export_is_checksummed_and_restores(aws_resources):
    # GIVEN exports written the way AWS documents them
    s3, dynamodb = aws_resources.client("s3"), aws_resources.client("dynamodb")
    backups = TableExports(s3, BACKUP_BUCKET, AwsShapedExport(s3))
    backup_id = backups.start([NOTICES, AUDIENCE])
    # WHEN the job finishes them
    assert backups.finish(backup_id)
    # THEN our manifest names every data file by its full key, with its item count and checksum
    manifest = backups.manifest(backup_id)
    [notice_file] = manifest["tables"][NOTICES]["files"]
    assert notice_file["key"].startswith(f"backups/{backup_id}/{NOTICES}/AWSDynamoDB/")
    assert notice_file["item_count"] == 1 and len(notice_file["sha256"]) == 64
    assert manifest["tables"][AUDIENCE]["item_count"] == 0
    # AND the backup restores into new tables
    restore_backup(dynamodb, backups, backup_id, definitions(), suffix="-aws")
    restored = contents(dynamodb, [NOTICES, AUDIENCE], suffix="-aws")
    assert restored == {NOTICES: [json.dumps(LINES[NOTICES][0], sort_keys=True)], AUDIENCE: []}
