"""`python -m ops.restore list [--stage local]`: the backups in the backup bucket (table exports).
`python -m ops.restore restore BACKUP [--suffix S] [--into-live] [--table T ...] [--stage local]`:
restore one (chalicelib.operations.restore; `make restore BACKUP=... [SUFFIX=...] [INTO_LIVE=1]`).

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
    for command in (listing, restoring):
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
    from chalicelib.operations.restore import RestoreRefused, restore_backup
    from chalicelib.operations.table_definitions import table_definitions
    from devstack import infra

    backups = TableExports(aws.s3(), args.bucket or settings().backup_bucket)
    if args.command == "list":
        for backup in backups.backups():
            print(f"{backup.backup_id}  {backup.status}")
        return 0
    if args.into_live:
        print("restoring into the live tables: items newer than the backup are kept", file=sys.stderr)
    try:
        report = restore_backup(aws.dynamodb(), backups, args.backup_id, table_definitions(infra.load_template()),
                                suffix=args.suffix, into_live=args.into_live, tables=args.tables)
    except RestoreRefused as refused:
        print(f"restore refused: {refused}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
