"""DynamoDB's S3 export format (DYNAMODB_JSON), as `ExportTableToPointInTime` writes it, and our own
backup manifest on top.

One export of one table, under the prefix it was given:

    <prefix>/AWSDynamoDB/<export id>/manifest-summary.json   what was exported, when, how many items
    <prefix>/AWSDynamoDB/<export id>/manifest-files.json     one JSON line per data file
    <prefix>/AWSDynamoDB/<export id>/data/<name>.json.gz     gzipped lines of {"Item": {...}}

Item lines are DynamoDB's wire JSON: binary values (B, BS) are base64 text. DynamoDB's ImportTable
reads these files as they are, so an export can also be restored without this code.
"""

import base64
import gzip
import hashlib
import json

EXPORT_FORMAT = "DYNAMODB_JSON"
MANIFEST_VERSION = "2020-06-30"
EXPORTS_DIR = "AWSDynamoDB"
SUMMARY_NAME = "manifest-summary.json"
FILES_NAME = "manifest-files.json"
BACKUPS_PREFIX = "backups/"
BACKUP_MANIFEST_NAME = "backup-manifest.json"  # ours: written last, so its presence means complete
PENDING_NAME = "pending.json"  # ours: exports started on AWS and not yet checked


def backup_prefix(backup_id: str) -> str:
    return f"{BACKUPS_PREFIX}{backup_id}/"


def table_prefix(backup_id: str, table_name: str) -> str:
    """Where a table's export goes; DynamoDB adds AWSDynamoDB/<export id>/ below it."""
    return f"{backup_prefix(backup_id)}{table_name}"


def _binary_to_text(value: dict) -> dict:
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": base64.b64encode(inner).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(v).decode("ascii") for v in inner]}
    if kind == "M":
        return {"M": {k: _binary_to_text(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_binary_to_text(v) for v in inner]}
    return value


def _text_to_binary(value: dict) -> dict:
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(v) for v in inner]}
    if kind == "M":
        return {"M": {k: _text_to_binary(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_text_to_binary(v) for v in inner]}
    return value


def item_line(item: dict) -> str:
    """One item as boto3's client returns it (bytes for binary), as an export line."""
    return json.dumps({"Item": {name: _binary_to_text(value) for name, value in item.items()}},
                      separators=(",", ":"), ensure_ascii=False)


def items_of_data_file(body: bytes):
    """The items of one gzipped data file, as boto3's client takes them (bytes for binary)."""
    for line in gzip.decompress(body).decode("utf-8").splitlines():
        if line.strip():
            yield {name: _text_to_binary(value) for name, value in json.loads(line)["Item"].items()}


def sha256_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def md5_base64_of(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode("ascii")  # noqa: S324 (AWS's manifest field)
