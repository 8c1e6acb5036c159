"""On AWS the export is DynamoDB's own: the request it makes, and how it reads DynamoDB's answers."""

import pytest

from chalicelib.operations.exports import BucketNotKmsEncrypted, PointInTimeExport

TABLE_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/mailexpert-audience"
EXPORT_ARN = TABLE_ARN + "/export/01796643121218-f1305645"
PREFIX = "backups/20261207T003000Z/mailexpert-audience"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


class StubS3:
    """The backup bucket's default encryption, as GetBucketEncryption answers it."""

    def __init__(self, algorithm="aws:kms", key=KEY_ARN):
        self._default = {"SSEAlgorithm": algorithm, **({"KMSMasterKeyID": key} if key else {})}

    def get_bucket_encryption(self, Bucket):
        return {"ServerSideEncryptionConfiguration": {"Rules": [
            {"ApplyServerSideEncryptionByDefault": self._default, "BucketKeyEnabled": True}]}}


class StubDynamoDB:
    def __init__(self, manifest=None, status="COMPLETED"):
        self.requests = []
        self._manifest = manifest
        self._status = status

    def describe_table(self, TableName):
        return {"Table": {"TableArn": TABLE_ARN, "TableName": TableName}}

    def export_table_to_point_in_time(self, **request):
        self.requests.append(request)
        return {"ExportDescription": {"ExportArn": EXPORT_ARN, "ExportStatus": "IN_PROGRESS"}}

    def describe_export(self, ExportArn):
        described = {"ExportArn": ExportArn, "ExportStatus": self._status}
        if self._manifest is not None:
            described["ExportManifest"] = self._manifest
        if self._status == "FAILED":
            described["FailureMessage"] = "S3 access denied"
        return {"ExportDescription": described}


def test_start_asks_for_a_full_dynamodb_json_export_under_the_buckets_kms_key_once_per_token():
    # GIVEN a backup bucket whose default encryption is the customer-managed KMS key
    dynamodb = StubDynamoDB()
    # WHEN an export starts
    arn = PointInTimeExport(dynamodb, StubS3()).start("mailexpert-audience", "mailexpert-backups-1-eu-west-1",
                                                       PREFIX, "token-1")
    # THEN DynamoDB is asked for a full export encrypted with that key, never with S3's own keys (AES256)
    assert arn == EXPORT_ARN
    assert dynamodb.requests == [{"TableArn": TABLE_ARN, "S3Bucket": "mailexpert-backups-1-eu-west-1",
                                  "S3Prefix": PREFIX, "S3SseAlgorithm": "KMS", "S3SseKmsKeyId": KEY_ARN,
                                  "ExportFormat": "DYNAMODB_JSON", "ExportType": "FULL_EXPORT",
                                  "ClientToken": "token-1"}]


@pytest.mark.parametrize("algorithm, key", [("AES256", None), ("aws:kms", None)])
def test_start_refuses_when_the_bucket_names_no_kms_key(algorithm, key):
    # GIVEN a backup bucket encrypted by default with S3's own keys, or with KMS but no key named
    dynamodb = StubDynamoDB()
    # WHEN an export would start
    with pytest.raises(BucketNotKmsEncrypted):
        PointInTimeExport(dynamodb, StubS3(algorithm, key)).start("mailexpert-audience", "b", PREFIX, "token-1")
    # THEN none is asked for: no backup is written under another key
    assert dynamodb.requests == []


def test_state_finds_the_summary_under_the_prefix_whatever_form_the_api_gives():
    expected = f"{PREFIX}/AWSDynamoDB/01796643121218-f1305645/manifest-summary.json"
    for manifest in (expected, "AWSDynamoDB/01796643121218-f1305645/manifest-summary.json", None):
        state = PointInTimeExport(StubDynamoDB(manifest), StubS3()).state(EXPORT_ARN, PREFIX)
        assert (state.status, state.summary_key) == ("COMPLETED", expected), manifest


def test_state_reports_a_failed_export_with_its_reason():
    state = PointInTimeExport(StubDynamoDB(status="FAILED"), StubS3()).state(EXPORT_ARN, PREFIX)
    assert (state.status, state.failure) == ("FAILED", "S3 access denied")
