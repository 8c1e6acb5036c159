"""Restore a table export backup (chalicelib.operations.exports) into DynamoDB tables (P10).

In order, and nothing is written before the checks pass:
1. read the backup's manifest; download every data file and check its SHA-256 against it;
2. pick the target tables: the same names, or the names with a suffix; a missing target is
   created from its declaration in infra/template.json;
3. refuse targets that hold data, unless told `into_live`;
4. write. Into empty tables: BatchWriteItem, 25 items a request, unprocessed items retried with
   backoff. Into live tables (`into_live`): one conditional PutItem per item that never overwrites
   a newer item: where the item keeps an update time (`updated_at`: audience and campaigns) the
   live item is replaced only if its own is not later; otherwise only absent items are put.
   A table whose resource policy refuses BatchWriteItem (the append-only audit log) always gets
   conditional puts of absent items.
"""

import os
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from chalicelib.dynamo import write_batch
from chalicelib.observability import logger
from chalicelib.operations import export_format as fmt
from chalicelib.operations.table_definitions import create_table, denies_batch_writes, key_names

BATCH_SIZE = 25  # BatchWriteItem's limit
MAX_ATTEMPTS = 8  # BatchWriteItem calls for a chunk while DynamoDB leaves some of it unprocessed
LONGEST_PAUSE_S = 2.0  # between those calls
UPDATE_TIME_ATTRIBUTE = "updated_at"  # UTCDateTimeAttribute: ISO text, ordered as time
SUFFIX_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
WRITERS = 4


class RestoreRefused(Exception):
    """Nothing was written: the reason is in the message, for the operator."""


class BackupNotFound(RestoreRefused):
    def __init__(self, backup_id: str, known: list[str]):
        super().__init__(f"There is no complete backup {backup_id!r} in the backup bucket. "
                         f"Complete backups: {', '.join(known) or 'none'}.")


class BackupCorrupted(RestoreRefused):
    def __init__(self, key: str, expected: str, found: str):
        super().__init__(f"Backup file {key} does not match its manifest (SHA-256 {found}, expected {expected}): "
                         f"the backup is damaged; nothing was restored. Restore another backup, or from PITR or "
                         f"AWS Backup (docs/operations.md).")
        self.key = key


class TablesHoldData(RestoreRefused):
    def __init__(self, tables: list[str]):
        super().__init__(f"These tables hold data: {', '.join(tables)}. Nothing was restored. Restore into new "
                         f"tables (--suffix), or merge into the live tables with --into-live (items newer than "
                         f"the backup are kept).")
        self.tables = tables


class UnknownTable(RestoreRefused):
    def __init__(self, table: str):
        super().__init__(f"The backup holds table {table}, which infra/template.json does not declare.")


class RestoreIncomplete(RuntimeError):
    """DynamoDB kept refusing some items (throttling) after every retry."""


@dataclass
class TableRestore:
    table: str
    target: str
    items_in_backup: int
    written: int = 0
    kept_newer_or_present: int = 0
    created: bool = False
    seconds: float = 0.0


@dataclass
class RestoreReport:
    backup_id: str
    into_live: bool
    tables: list[TableRestore] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def written(self) -> int:
        return sum(t.written for t in self.tables)

    def lines(self) -> list[str]:
        rows = [f"{t.target}: {t.written} of {t.items_in_backup} items written"
                + (f", {t.kept_newer_or_present} kept (newer or already there)" if t.kept_newer_or_present else "")
                + (" (table created)" if t.created else "") + f" in {t.seconds:.2f} s" for t in self.tables]
        rate = self.written / self.seconds if self.seconds else 0.0
        return rows + [f"backup {self.backup_id}: {self.written} items restored into {len(self.tables)} tables "
                       f"in {self.seconds:.2f} s ({rate:.0f} items/s)"]


def target_name(table: str, suffix: str | None) -> str:
    if suffix is None:
        return table
    if not SUFFIX_PATTERN.match(suffix):
        raise RestoreRefused(f"The suffix {suffix!r} may hold only letters, digits, '-', '_' and '.' (at most 40).")
    return table + suffix


def restore_backup(dynamodb, backups, backup_id: str, definitions: dict[str, dict], suffix: str | None = None,
                   into_live: bool = False, tables: list[str] | None = None, clock=time.monotonic,
                   sleep=time.sleep) -> RestoreReport:
    """Restore the backup `backup_id` from `backups` (an exports.TableExports); see the module doc."""
    started = clock()
    manifest = backups.manifest(backup_id)
    if manifest is None:
        raise BackupNotFound(backup_id, [b.backup_id for b in backups.backups() if b.status == "complete"])
    chosen = {name: entry for name, entry in manifest["tables"].items() if tables is None or name in tables}
    for name in chosen:
        if name not in definitions:
            raise UnknownTable(name)
    with tempfile.TemporaryDirectory(prefix="mailexpert-restore-") as spool:
        local_files = download_and_verify(backups, chosen, spool)
        targets = {name: target_name(name, suffix) for name in chosen}
        existing = set(_existing(dynamodb, targets.values()))
        holding = sorted(t for t in targets.values() if t in existing and _holds_data(dynamodb, t))
        if holding and not into_live:
            raise TablesHoldData(holding)
        report = RestoreReport(backup_id, into_live)
        for name, entry in chosen.items():
            table_started = clock()
            result = TableRestore(name, targets[name], entry["item_count"])
            if targets[name] not in existing:
                create_table(dynamodb, targets[name], definitions[name])
                result.created = True
            writer = _TableWriter(dynamodb, targets[name], definitions[name], sleep)
            conditional = into_live or denies_batch_writes(definitions[name])
            for path in local_files[name]:
                with open(path, "rb") as file:
                    items = list(fmt.items_of_data_file(file.read()))
                written, kept = writer.put_if_not_newer(items) if conditional else writer.batch_put(items)
                result.written += written
                result.kept_newer_or_present += kept
            result.seconds = clock() - table_started
            report.tables.append(result)
            logger.info("table restored", table=result.target, written=result.written,
                        kept=result.kept_newer_or_present, seconds=round(result.seconds, 3))
    report.seconds = clock() - started
    return report


def verify_backup(backups, backup_id: str) -> dict[str, int]:
    """Check every file of the backup against its manifest; its item count per table."""
    manifest = backups.manifest(backup_id)
    if manifest is None:
        raise BackupNotFound(backup_id, [b.backup_id for b in backups.backups() if b.status == "complete"])
    with tempfile.TemporaryDirectory(prefix="mailexpert-verify-") as spool:
        download_and_verify(backups, manifest["tables"], spool)
    return {name: entry["item_count"] for name, entry in manifest["tables"].items()}


def download_and_verify(backups, chosen: dict, spool: str) -> dict[str, list[str]]:
    """Every data file on local disk, each checked against the manifest, before anything is written."""
    local = {}
    for name, entry in chosen.items():
        local[name] = []
        for number, file in enumerate(entry["files"]):
            body = backups.read(file["key"])
            found = fmt.sha256_of(body)
            if found != file["sha256"]:
                raise BackupCorrupted(file["key"], file["sha256"], found)
            path = os.path.join(spool, f"{name}-{number:05d}.json.gz")
            with open(path, "wb") as out:
                out.write(body)
            local[name].append(path)
    return local


def _existing(dynamodb, names) -> list[str]:
    found = []
    for name in names:
        try:
            dynamodb.describe_table(TableName=name)
            found.append(name)
        except dynamodb.exceptions.ResourceNotFoundException:
            pass
    return found


def _holds_data(dynamodb, table: str) -> bool:
    return bool(dynamodb.scan(TableName=table, Limit=1, ConsistentRead=True).get("Items"))


class _TableWriter:
    def __init__(self, dynamodb, table: str, definition: dict, sleep):
        self._dynamodb = dynamodb
        self._table = table
        self._keys = key_names(definition)
        self._sleep = sleep

    def batch_put(self, items: list[dict]) -> tuple[int, int]:
        chunks = [items[i:i + BATCH_SIZE] for i in range(0, len(items), BATCH_SIZE)]
        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            return sum(pool.map(self._write_chunk, chunks)), 0

    def _write_chunk(self, chunk: list[dict]) -> int:
        requests = [{"PutRequest": {"Item": item}} for item in chunk]
        left = write_batch(self._dynamodb, self._table, requests, self._sleep, MAX_ATTEMPTS - 1, LONGEST_PAUSE_S)
        if left:
            raise RestoreIncomplete(f"{self._table}: {len(left)} items still unprocessed after {MAX_ATTEMPTS} attempts")
        return len(chunk)

    def put_if_not_newer(self, items: list[dict]) -> tuple[int, int]:
        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            outcomes = list(pool.map(self._put_one, items))
        written = sum(outcomes)
        return written, len(outcomes) - written

    def _put_one(self, item: dict) -> bool:
        names = {"#k": self._keys[0]}
        condition, values = "attribute_not_exists(#k)", {}
        if UPDATE_TIME_ATTRIBUTE in item:
            names["#u"] = UPDATE_TIME_ATTRIBUTE
            condition += " OR #u <= :u"
            values[":u"] = item[UPDATE_TIME_ATTRIBUTE]
        request = {"TableName": self._table, "Item": item, "ConditionExpression": condition,
                   "ExpressionAttributeNames": names}
        if values:
            request["ExpressionAttributeValues"] = values
        try:
            self._dynamodb.put_item(**request)
            return True
        except self._dynamodb.exceptions.ConditionalCheckFailedException:
            return False
