"""Daily full exports of every table to the backup bucket (P10), in DynamoDB's export format, each
with a manifest of our own (tables, item counts, a SHA-256 per file), pruned after the retention.

Two ways to export, behind one interface (`start`, `state`), chosen by the stage:
- `PointInTimeExport` (AWS): DynamoDB's ExportTableToPointInTime writes the files itself from the
  table's point-in-time recovery data, without reading the table's capacity. It runs for minutes.
- `ScanExport` (local and tests): moto 5.2 implements ExportTableToPointInTime but writes neither
  manifest-summary.json nor manifest-files.json, and files its data under an id that is not the
  export's; so locally a consistent scan writes the same layout, manifests included.

`TableExports.run` is idempotent and runs every hour: it finishes the exports started earlier
(once DynamoDB reports them complete it checksums their files and writes our manifest), starts
the day's export if there is none yet, and prunes backups older than the retention.

Encryption (P8): every file of a backup is encrypted with the backup bucket's default key, the
customer-managed KMS key of infra/template.json, like every other object the app writes. Our own
writes leave it to the bucket (chalicelib/storage.py); DynamoDB's export names its encryption
explicitly, so it is asked for SSE-KMS with the key the bucket's default encryption names.
"""

import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import NamedTuple, Protocol

from chalicelib.observability import logger
from chalicelib.operations import export_format as fmt

BACKUP_ID_FORMAT = "%Y%m%dT%H%M%SZ"
POLL_EVERY_S = 20


class ExportState(NamedTuple):
    status: str  # IN_PROGRESS, COMPLETED or FAILED, as DynamoDB says
    summary_key: str | None  # the key of manifest-summary.json, once completed
    failure: str | None = None


class TableExporter(Protocol):
    method: str

    def start(self, table_name: str, bucket: str, prefix: str, client_token: str) -> str:
        """Start a full export of the table under the prefix; its export ARN."""

    def state(self, export_arn: str, prefix: str) -> ExportState:
        """How the export is going."""


class ExportFailed(RuntimeError):
    def __init__(self, backup_id: str, failures: dict[str, str]):
        super().__init__(f"backup {backup_id}: exports failed: {failures}")
        self.backup_id = backup_id
        self.failures = failures


class BucketNotKmsEncrypted(RuntimeError):
    """The backup bucket's default encryption names no KMS key: backups are not written under S3's own keys."""

    def __init__(self, bucket: str):
        super().__init__(f"the backup bucket {bucket} has no default SSE-KMS encryption (see infra/template.json)")
        self.bucket = bucket


def bucket_kms_key(s3, bucket: str) -> str:
    """The KMS key (its ARN or id, as declared) of the bucket's default encryption."""
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    for rule in rules:
        default = rule.get("ApplyServerSideEncryptionByDefault", {})
        if default.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse") and default.get("KMSMasterKeyID"):
            return default["KMSMasterKeyID"]
    raise BucketNotKmsEncrypted(bucket)


class PointInTimeExport:
    """DynamoDB's own export from point-in-time recovery data (AWS), encrypted with the bucket's KMS key."""

    method = "ExportTableToPointInTime"

    def __init__(self, dynamodb, s3):
        self._dynamodb = dynamodb
        self._s3 = s3

    def start(self, table_name: str, bucket: str, prefix: str, client_token: str) -> str:
        table_arn = self._dynamodb.describe_table(TableName=table_name)["Table"]["TableArn"]
        answer = self._dynamodb.export_table_to_point_in_time(
            TableArn=table_arn, S3Bucket=bucket, S3Prefix=prefix,
            S3SseAlgorithm="KMS", S3SseKmsKeyId=bucket_kms_key(self._s3, bucket),
            ExportFormat=fmt.EXPORT_FORMAT, ExportType="FULL_EXPORT", ClientToken=client_token)
        return answer["ExportDescription"]["ExportArn"]

    def state(self, export_arn: str, prefix: str) -> ExportState:
        described = self._dynamodb.describe_export(ExportArn=export_arn)["ExportDescription"]
        summary_key = described.get("ExportManifest") or ""
        if not summary_key.startswith(prefix):  # the documented layout, whatever form the API gives
            summary_key = summary_key_of(export_arn, prefix)
        return ExportState(described["ExportStatus"], summary_key, described.get("FailureMessage"))


class ScanExport:
    """A consistent scan writing the files ExportTableToPointInTime writes (local stage, tests); the
    files fall under the bucket's default encryption, its KMS key, which the summary names as DynamoDB's does."""

    method = "scan"
    ITEMS_PER_FILE = 10_000

    def __init__(self, dynamodb, s3, clock=time.time):
        self._dynamodb = dynamodb
        self._s3 = s3
        self._clock = clock

    def start(self, table_name: str, bucket: str, prefix: str, client_token: str) -> str:
        table = self._dynamodb.describe_table(TableName=table_name)["Table"]
        kms_key = bucket_kms_key(self._s3, bucket)
        started = self._clock()
        export_id = f"{int(started * 1000):014d}-{secrets.token_hex(4)}"
        export_arn = f"{table['TableArn']}/export/{export_id}"
        base = f"{prefix}/{fmt.EXPORTS_DIR}/{export_id}/"
        self._s3.put_object(Bucket=bucket, Key=base + "_started", Body=b"")
        files, lines, size = [], [], 0
        for page in self._dynamodb.get_paginator("scan").paginate(TableName=table_name, ConsistentRead=True):
            for item in page.get("Items", []):
                lines.append(fmt.item_line(item))
                if len(lines) >= self.ITEMS_PER_FILE:
                    files.append(self._write_data_file(bucket, base, lines))
                    lines = []
        if lines or not files:  # DynamoDB writes an empty file for an empty partition
            files.append(self._write_data_file(bucket, base, lines))
        files_body = "".join(json.dumps(f, separators=(",", ":")) + "\n" for f in files).encode("utf-8")
        self._put_with_checksum(bucket, base + fmt.FILES_NAME, files_body)
        size = sum(f["_bytes"] for f in files) if files else 0
        summary = {
            "version": fmt.MANIFEST_VERSION, "exportArn": export_arn, "startTime": _iso(started),
            "endTime": _iso(self._clock()), "tableArn": table["TableArn"], "tableId": table.get("TableId"),
            "exportTime": _iso(started), "s3Bucket": bucket, "s3Prefix": prefix, "s3SseAlgorithm": "KMS",
            "s3SseKmsKeyId": kms_key, "manifestFilesS3Key": base + fmt.FILES_NAME, "billedSizeBytes": size,
            "itemCount": sum(f["itemCount"] for f in files), "outputFormat": fmt.EXPORT_FORMAT,
            "exportType": "FULL_EXPORT"}
        for file in files:
            del file["_bytes"]
        self._put_with_checksum(bucket, base + fmt.SUMMARY_NAME, json.dumps(summary, separators=(",", ":")).encode())
        return export_arn

    def state(self, export_arn: str, prefix: str) -> ExportState:
        return ExportState("COMPLETED", summary_key_of(export_arn, prefix))

    def _write_data_file(self, bucket: str, base: str, lines: list[str]) -> dict:
        import gzip

        body = gzip.compress("".join(line + "\n" for line in lines).encode("utf-8"))
        key = f"{base}data/{secrets.token_hex(13)}.json.gz"
        etag = self._s3.put_object(Bucket=bucket, Key=key, Body=body)["ETag"].strip('"')
        return {"itemCount": len(lines), "md5": fmt.md5_base64_of(body), "etag": etag, "dataFileS3Key": key,
                "_bytes": len(body)}

    def _put_with_checksum(self, bucket: str, key: str, body: bytes) -> None:
        self._s3.put_object(Bucket=bucket, Key=key, Body=body)
        self._s3.put_object(Bucket=bucket, Key=key.removesuffix(".json") + ".checksum",
                            Body=fmt.md5_base64_of(body).encode("ascii"))


@dataclass(frozen=True)
class BackupSummary:
    backup_id: str
    created_at: datetime
    status: str  # complete, in progress, failed


class TableExports:
    """The backups in the bucket: start, finish, list, read and prune them."""

    def __init__(self, s3, bucket: str, exporter: TableExporter | None = None, clock=None, sleep=time.sleep):
        """`exporter` is needed to start and finish exports, not to list or read them (a restore)."""
        if not bucket:
            raise RuntimeError("BACKUP_BUCKET is not set (see .chalice/config.json and infra/template.json)")
        self._s3 = s3
        self.bucket = bucket
        self._exporter = exporter
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._sleep = sleep

    # --- the hourly job ---

    def run(self, table_names, retention_days: int, wait_s: float = 0) -> dict:
        """Finish what was started, start the day's export if none, wait for it, prune."""
        now = self._clock()
        started = None
        if not any(b.backup_id.startswith(f"{now:%Y%m%d}") for b in self.backups()):
            started = self.start(table_names)
        deadline = time.monotonic() + wait_s
        finished, in_progress = [], []
        while True:
            in_progress = []
            for backup in self.backups():
                if backup.status == "in progress":
                    (finished if self.finish(backup.backup_id) else in_progress).append(backup.backup_id)
            if not in_progress or time.monotonic() + POLL_EVERY_S > deadline:
                break
            self._sleep(POLL_EVERY_S)
        pruned = self.prune(retention_days)
        logger.info("tables exported", started=started, finished=len(finished), in_progress=len(in_progress),
                    pruned=len(pruned))
        return {"started": started, "finished": finished, "in_progress": in_progress, "pruned": pruned,
                "bucket": self.bucket, "method": self._exporter.method}

    def start(self, table_names, sources: dict[str, str] | None = None) -> str:
        """Start a backup of the tables; `sources` exports another table under a table's name (a
        table restored from PITR or AWS Backup, to be restored into the live one from here)."""
        now = self._clock()
        backup_id = f"{now:{BACKUP_ID_FORMAT}}"
        tables = {}
        for table in table_names:
            source = (sources or {}).get(table, table)
            prefix = fmt.table_prefix(backup_id, table)
            token = str(uuid.uuid5(uuid.NAMESPACE_URL, f"mailexpert-backup/{backup_id}/{source}"))
            tables[table] = {"export_arn": self._exporter.start(source, self.bucket, prefix, token), "prefix": prefix}
            if source != table:
                tables[table]["source_table"] = source
        self._put_json(fmt.backup_prefix(backup_id) + fmt.PENDING_NAME,
                       {"backup_id": backup_id, "started_at": now.isoformat(), "method": self._exporter.method,
                        "tables": tables})
        return backup_id

    def finish(self, backup_id: str) -> bool:
        """True once the backup is complete (our manifest written); False while exports run."""
        pending = self._get_json(fmt.backup_prefix(backup_id) + fmt.PENDING_NAME)
        states = {table: self._exporter.state(t["export_arn"], t["prefix"]) for table, t in pending["tables"].items()}
        failures = {table: s.failure or s.status for table, s in states.items() if s.status == "FAILED"}
        if failures:
            self._put_json(fmt.backup_prefix(backup_id) + "failed.json", {**pending, "failures": failures})
            self._s3.delete_object(Bucket=self.bucket, Key=fmt.backup_prefix(backup_id) + fmt.PENDING_NAME)
            raise ExportFailed(backup_id, failures)
        if any(s.status != "COMPLETED" for s in states.values()):
            return False
        tables = {}
        for table, export in pending["tables"].items():
            summary = self._get_json(states[table].summary_key)
            files = []
            for line in self._get(_full_key(summary, summary["manifestFilesS3Key"])).decode("utf-8").splitlines():
                if line.strip():
                    entry = json.loads(line)
                    key = _full_key(summary, entry["dataFileS3Key"])
                    body = self._get(key)
                    files.append({"key": key, "item_count": entry["itemCount"], "bytes": len(body),
                                  "sha256": fmt.sha256_of(body)})
            tables[table] = {**({"source_table": export["source_table"]} if "source_table" in export else {}),
                             "export_arn": export["export_arn"], "manifest_summary_key": states[table].summary_key,
                             "export_time": summary.get("exportTime"),
                             "item_count": sum(f["item_count"] for f in files), "files": files}
        self._put_json(fmt.backup_prefix(backup_id) + fmt.BACKUP_MANIFEST_NAME, {
            "backup_id": backup_id, "format": fmt.EXPORT_FORMAT, "method": pending["method"],
            "started_at": pending["started_at"], "completed_at": self._clock().isoformat(), "tables": tables})
        self._s3.delete_object(Bucket=self.bucket, Key=fmt.backup_prefix(backup_id) + fmt.PENDING_NAME)
        return True

    # --- reading ---

    def backups(self) -> list[BackupSummary]:
        """Every backup in the bucket, oldest first."""
        found = []
        for page in self._s3.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=fmt.BACKUPS_PREFIX, Delimiter="/"):
            for common in page.get("CommonPrefixes", []):
                backup_id = common["Prefix"][len(fmt.BACKUPS_PREFIX):].rstrip("/")
                try:
                    created = datetime.strptime(backup_id, BACKUP_ID_FORMAT).replace(tzinfo=timezone.utc)
                except ValueError:
                    continue  # not ours
                found.append(BackupSummary(backup_id, created, self._status(backup_id)))
        return sorted(found, key=lambda b: b.created_at)

    def manifest(self, backup_id: str) -> dict | None:
        try:
            return self._get_json(fmt.backup_prefix(backup_id) + fmt.BACKUP_MANIFEST_NAME)
        except self._s3.exceptions.NoSuchKey:
            return None

    def read(self, key: str) -> bytes:
        return self._get(key)

    # --- pruning ---

    def prune(self, retention_days: int) -> list[str]:
        """Delete the backups older than the retention, but never the newest complete one. (The
        bucket is versioned: deleted files stay as noncurrent versions for the retention period.)"""
        cutoff = self._clock() - timedelta(days=retention_days)
        backups = self.backups()
        complete = [b for b in backups if b.status == "complete"]
        keep = complete[-1].backup_id if complete else None
        pruned = []
        for backup in backups:
            if backup.created_at < cutoff and backup.backup_id != keep:
                self._delete_prefix(fmt.backup_prefix(backup.backup_id))
                pruned.append(backup.backup_id)
        return pruned

    # --- S3 ---

    def _status(self, backup_id: str) -> str:
        names = {o["Key"].rsplit("/", 1)[1] for o in self._s3.list_objects_v2(
            Bucket=self.bucket, Prefix=fmt.backup_prefix(backup_id), Delimiter="/").get("Contents", [])}
        if fmt.BACKUP_MANIFEST_NAME in names:
            return "complete"
        return "in progress" if fmt.PENDING_NAME in names else "failed"

    def _delete_prefix(self, prefix: str) -> None:
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if keys:
                self._s3.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})

    def _get(self, key: str) -> bytes:
        return self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def _get_json(self, key: str) -> dict:
        return json.loads(self._get(key))

    def _put_json(self, key: str, document: dict) -> None:
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=json.dumps(document, indent=1).encode("utf-8"),
                            ContentType="application/json")


def summary_key_of(export_arn: str, prefix: str) -> str:
    """Where DynamoDB puts an export's manifest-summary.json: the export id ends its ARN."""
    return f"{prefix}/{fmt.EXPORTS_DIR}/{export_arn.rsplit('/', 1)[1]}/{fmt.SUMMARY_NAME}"


def _full_key(summary: dict, key: str) -> str:
    """A key from an export manifest as a key of the bucket (AWS's examples show some without the prefix)."""
    prefix = (summary.get("s3Prefix") or "").rstrip("/")
    return key if not prefix or key.startswith(prefix + "/") else f"{prefix}/{key}"


def _iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
