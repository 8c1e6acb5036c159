"""On AWS the export is DynamoDB's own: the request it makes, and how it reads DynamoDB's answers."""

from chalicelib.operations.exports import PointInTimeExport

TABLE_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/mailexpert-audience"
EXPORT_ARN = TABLE_ARN + "/export/01796643121218-f1305645"
PREFIX = "backups/20261207T003000Z/mailexpert-audience"


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


def test_start_asks_for_a_full_encrypted_dynamodb_json_export_once_per_token():
    dynamodb = StubDynamoDB()
    arn = PointInTimeExport(dynamodb).start("mailexpert-audience", "mailexpert-backups-1-eu-west-1", PREFIX, "token-1")
    assert arn == EXPORT_ARN
    assert dynamodb.requests == [{"TableArn": TABLE_ARN, "S3Bucket": "mailexpert-backups-1-eu-west-1",
                                  "S3Prefix": PREFIX, "S3SseAlgorithm": "AES256", "ExportFormat": "DYNAMODB_JSON",
                                  "ExportType": "FULL_EXPORT", "ClientToken": "token-1"}]


def test_state_finds_the_summary_under_the_prefix_whatever_form_the_api_gives():
    expected = f"{PREFIX}/AWSDynamoDB/01796643121218-f1305645/manifest-summary.json"
    for manifest in (expected, "AWSDynamoDB/01796643121218-f1305645/manifest-summary.json", None):
        state = PointInTimeExport(StubDynamoDB(manifest)).state(EXPORT_ARN, PREFIX)
        assert (state.status, state.summary_key) == ("COMPLETED", expected), manifest


def test_state_reports_a_failed_export_with_its_reason():
    state = PointInTimeExport(StubDynamoDB(status="FAILED")).state(EXPORT_ARN, PREFIX)
    assert (state.status, state.failure) == ("FAILED", "S3 access denied")
