"""A partner statistics table as the CSV and the JSON a partner downloads: the same rows, the same
figures. Both check the columns against the allow-list once more before anything is written."""

import csv
import io
import json
from datetime import datetime

from chalicelib.partner_statistics.aggregation import K, Table, require_allowed

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


def as_csv(table: Table) -> str:
    """A header of the columns, then a row per group; a suppressed rate is an empty field."""
    require_allowed(table.columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if row[column] is None else row[column] for column in table.columns])
    return out.getvalue()


def as_json(table: Table, generated_at: datetime) -> str:
    """The rows with what a reader needs to read them: which export, when, and the threshold k."""
    require_allowed(table.columns)
    return json.dumps({"export": table.name, "generated_at": generated_at.isoformat(timespec="seconds"),
                       "k_anonymity": K, "columns": list(table.columns),
                       "rows": [{column: row[column] for column in table.columns} for row in table.rows]},
                      ensure_ascii=False, indent=2)


def render(table: Table, fmt: str, generated_at: datetime) -> str:
    return as_csv(table) if fmt == "csv" else as_json(table, generated_at)
