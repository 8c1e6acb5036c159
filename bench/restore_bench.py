"""Restore speed: a table export of ITEMS contact-sized items in the audience table, restored into
the emptied (deleted and recreated) table through the real restore code (download, SHA-256 check,
table creation from infra/template.json, chunked BatchWriteItem on its writer threads), against a
moto server in its own process, as `make run` uses.

`restore_items_per_s` is the items restored divided by the restore's whole wall time. It measures
our overhead over moto's BatchWriteItem (~3,000 items/s from one thread), not DynamoDB's speed:
on AWS an on-demand table takes far more. Prints its breakdown, then one JSON line of results.
"""

import json
import os
import sys
import time
import uuid

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for path in (PROJECT_DIR, os.path.join(PROJECT_DIR, "bench")):
    if path not in sys.path:
        sys.path.insert(0, path)

from import_throughput import REGION, stack_on_moto_server  # noqa: E402
from sizes import size  # noqa: E402

ITEMS = size(20_000, smoke=200)  # smoke: more chunks of 25 than there are writer threads (4)


def _fill(client, table: str) -> None:
    stamp = "2026-11-25T12:00:00.000000+0000"
    for start in range(0, ITEMS, 25):
        requests = []
        for number in range(start, start + 25):
            cid = uuid.uuid4().hex
            requests.append({"PutRequest": {"Item": {
                "pk": {"S": "ACCOUNT#bench"}, "sk": {"S": f"CONTACT#{cid}"}, "contact_id": {"S": cid},
                "email": {"S": f"c{number}@example.com"}, "first_name": {"S": "Anna"},
                "last_name": {"S": "de Vries"}, "created_at": {"S": stamp}, "updated_at": {"S": stamp},
                "status": {"S": "subscribed"}, "gsi1pk": {"S": "LIST#bench"},
                "gsi1sk": {"S": f"subscribed#{cid}"}}}})
        while requests:
            requests = client.batch_write_item(RequestItems={table: requests}).get(
                "UnprocessedItems", {}).get(table, [])


def main() -> dict:
    with stack_on_moto_server(BACKUP_BUCKET=f"mailexpert-backups-123456789012-{REGION}"):
        from devstack import infra

        from chalicelib import aws
        from chalicelib.config import settings
        from chalicelib.operations.exports import ScanExport, TableExports
        from chalicelib.operations.restore import restore_backup
        from chalicelib.operations.table_definitions import table_definitions

        dynamodb, table = aws.dynamodb(), settings().audience_table
        _fill(dynamodb, table)
        backups = TableExports(aws.s3(), settings().backup_bucket, ScanExport(dynamodb, aws.s3()))
        started = time.perf_counter()
        backup_id = backups.start([table])
        assert backups.finish(backup_id)
        exported_s = time.perf_counter() - started
        dynamodb.delete_table(TableName=table)
        report = restore_backup(dynamodb, backups, backup_id, table_definitions(infra.load_template()))
        assert report.written == ITEMS, report.lines()
        rate = report.written / report.seconds
        print(f"  export (scan, local): {ITEMS} items in {exported_s:.1f} s ({ITEMS / exported_s:.0f} items/s)")
        print("  " + "\n  ".join(report.lines()))
        return {"restore_items_per_s": rate}


if __name__ == "__main__":
    print(json.dumps(main()))
