"""`python -m ops.restore list [--stage local]`: the backups in the backup bucket (table exports).
`python -m ops.restore restore BACKUP [--suffix S] [--into-live] [--table T ...] [--stage local]`:
restore one (chalicelib.operations.restore; `make restore BACKUP=... [SUFFIX=...] [INTO_LIVE=1]`).
`python -m ops.restore verify BACKUP`: check every file of a backup against its checksums.
`python -m ops.restore adopt TABLE --from-table OTHER`: export OTHER (a table restored from PITR, AWS
Backup or ImportTable) as a backup of TABLE, with our manifest; then `restore` brings it into TABLE.
`python -m ops.restore table-parameters TABLE --name NEW`: ImportTable's TableCreationParameters
for TABLE as infra/template.json declares it, under the name NEW.

Without --suffix the backup goes into the stage's own tables, which must be empty (a missing one is
created from infra/template.json); with --suffix into new tables named `<table><suffix>`. With
--into-live it merges into tables that hold data, never overwriting an item newer than the backup.
Every file's checksum is checked before anything is written. Exit status: 0 restored, 2 refused.

Locally this works on the running `make run` stack. For AWS, run it from a shell with the
account's credentials and `--stage dev` (docs/operations.md, "Restore").
"""

import argparse
import os
import sys

from devstack.lambdas import load_app

IMPORT_TABLE_PARAMETERS = ("TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
                           "SSESpecification", "GlobalSecondaryIndexes")
ADOPT_POLL_S = 20
BUCKET_VARIABLES = {"ASSETS_BUCKET": "assets", "EXPORTS_BUCKET": "exports", "BACKUP_BUCKET": "backups"}


def parse(argv):
    parser = argparse.ArgumentParser(prog="ops.restore")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="the backups in the backup bucket")
    restoring = commands.add_parser("restore", help="restore one backup")
    restoring.add_argument("backup_id")
    restoring.add_argument("--suffix", help="restore into new tables named <table><suffix>")
    restoring.add_argument("--into-live", action="store_true",
                           help="merge into tables holding data; items newer than the backup are kept")
    restoring.add_argument("--table", action="append", dest="tables", help="only this table (repeatable)")
    verifying = commands.add_parser("verify", help="check every file of a backup against its manifest")
    verifying.add_argument("backup_id")
    adopting = commands.add_parser("adopt", help="export a restored table as a backup of a live one")
    adopting.add_argument("table")
    adopting.add_argument("--from-table", required=True)
    parameters = commands.add_parser("table-parameters", help="ImportTable's TableCreationParameters")
    parameters.add_argument("table")
    parameters.add_argument("--name", required=True)
    for command in (listing, restoring, verifying, adopting, parameters):
        command.add_argument("--stage", default="local")
        command.add_argument("--bucket", help="the backup bucket (default: the stage's)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    load_app(args.stage)  # the stage's environment: table names, region, endpoint
    if args.stage != "dev" or os.environ.get("BACKUP_BUCKET"):
        return execute(args)
    # On AWS the buckets are named by the template (mailexpert-<kind>-<account>-<region>).
    import boto3

    account = boto3.client("sts").get_caller_identity()["Account"]
    region = boto3.session.Session().region_name or "eu-west-1"
    for variable, kind in BUCKET_VARIABLES.items():
        os.environ.setdefault(variable, f"mailexpert-{kind}-{account}-{region}")
    return execute(args)


def run(argv) -> int:
    """The command in the current environment (tests: moto, already set up)."""
    return execute(parse(argv))


def execute(args) -> int:
    from chalicelib import aws
    from chalicelib.config import settings
    from chalicelib.operations.exports import TableExports
    from chalicelib.operations.jobs import table_exporter
    from chalicelib.operations.restore import RestoreRefused, restore_backup, verify_backup
    from chalicelib.operations.table_definitions import table_definitions
    from devstack import infra

    definitions = table_definitions(infra.load_template())
    if args.command == "table-parameters":
        import json

        from chalicelib.operations.table_definitions import creation_parameters

        if args.table not in definitions:
            print(f"infra/template.json declares no table {args.table}", file=sys.stderr)
            return 2
        request = creation_parameters(args.name, definitions[args.table])
        print(json.dumps({k: v for k, v in request.items() if k in IMPORT_TABLE_PARAMETERS}, indent=2))
        return 0
    backups = TableExports(aws.s3(), args.bucket or settings().backup_bucket, exporter=table_exporter())
    if args.command == "list":
        for backup in backups.backups():
            print(f"{backup.backup_id}  {backup.status}")
        return 0
    if args.command == "adopt":
        return _adopt(backups, args.table, args.from_table, definitions)
    if args.command == "verify":
        try:
            counts = verify_backup(backups, args.backup_id)
        except RestoreRefused as refused:
            print(f"backup damaged or missing: {refused}", file=sys.stderr)
            return 2
        print("\n".join(f"{table}: {count} items, every file matches its checksum" for table, count in counts.items()))
        return 0
    if args.into_live:
        print("restoring into the live tables: items newer than the backup are kept", file=sys.stderr)
    try:
        report = restore_backup(aws.dynamodb(), backups, args.backup_id, definitions,
                                suffix=args.suffix, into_live=args.into_live, tables=args.tables)
    except RestoreRefused as refused:
        print(f"restore refused: {refused}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0


def _adopt(backups, table: str, source: str, definitions) -> int:
    import time

    from chalicelib.operations.exports import ExportFailed

    if table not in definitions:
        print(f"infra/template.json declares no table {table}", file=sys.stderr)
        return 2
    backup_id = backups.start([table], sources={table: source})
    print(f"backup {backup_id}: exporting {source} as {table}; this takes minutes on AWS")
    try:
        while not backups.finish(backup_id):
            time.sleep(ADOPT_POLL_S)
    except ExportFailed as failed:
        print(f"export failed: {failed.failures}", file=sys.stderr)
        return 2
    print(f"backup {backup_id} complete: make restore BACKUP={backup_id} STAGE=... [INTO_LIVE=1]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
