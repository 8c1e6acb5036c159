"""P12: no column of a partner export can hold personal data. The columns come from an allow-list of
aggregates (its copy here makes widening it a reviewed change), every value of a label column comes
from a closed vocabulary, and a table or file with any other column is refused."""

import csv
import io
import json
import re
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings

from chalicelib.partner_statistics import aggregation
from chalicelib.partner_statistics.aggregation import EXPORTS, OTHER, ColumnNotAllowed, Table
from chalicelib.partner_statistics.formats import as_csv, as_json
from tests.unit.partner_statistics_data import STRAY_LABELS, populations

# The reviewed allow-list: aggregate figures and the labels of their groups, nothing else.
REVIEWED_COLUMNS = {"plan", "region", "month", "accounts", "mailings", "recipients",
                    "delivery_rate", "bounce_rate", "open_rate"}
LABEL_VALUES = {"plan": re.compile(r"free|starter|professional"), "region": re.compile(r"[A-Z]{2}"),
                "month": re.compile(r"\d{4}-(0[1-9]|1[0-2])")}
FIGURES = {"accounts", "mailings", "recipients"}
RATES = {"delivery_rate", "bounce_rate", "open_rate"}
MOMENT = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)


def test_allow_list_is_the_reviewed_one():
    # GIVEN the allow-list in the code WHEN compared with the reviewed copy THEN they are the same
    assert aggregation.ALLOWED_COLUMNS == REVIEWED_COLUMNS


@settings(max_examples=200, deadline=None)
@given(populations)
def test_every_export_has_only_allowed_columns_and_vocabulary_labels(records):
    # GIVEN random accounts, some with an address, a name or a city where a plan or country belongs
    for name, export in EXPORTS.items():
        # WHEN each export is made, and written as CSV and JSON
        table = export(records)
        header = next(csv.reader(io.StringIO(as_csv(table))))
        document = json.loads(as_json(table, MOMENT))
        # THEN its columns, the CSV header and the JSON rows' keys are all on the allow-list
        assert table.name == name
        assert set(table.columns) <= REVIEWED_COLUMNS
        assert header == list(table.columns) == document["columns"]
        assert set(document) == {"export", "generated_at", "k_anonymity", "columns", "rows"}
        for row in document["rows"]:
            assert set(row) <= REVIEWED_COLUMNS
            for column, value in row.items():
                # AND a label is a plan, a country code, a month or "other"; the rest are numbers
                if column in LABEL_VALUES:
                    assert value == OTHER or LABEL_VALUES[column].fullmatch(value), (column, value)
                elif column in FIGURES:
                    assert isinstance(value, int) and value >= 0
                else:
                    assert column in RATES and (value is None or 0.0 <= value <= 1.0)
        assert not any(stray in as_csv(table) for stray in STRAY_LABELS if len(stray) > 2)


@pytest.mark.parametrize("column", ["email", "name", "account_id", "city", "company_name"])
def test_a_table_with_a_column_outside_the_list_is_refused(column):
    # GIVEN a column that is not an aggregate WHEN a table is made with it THEN it is refused
    with pytest.raises(ColumnNotAllowed):
        Table("accounts-by-plan", ("plan", column), ({"plan": "free", column: "x"},))


def test_a_row_with_a_column_beyond_its_table_is_refused():
    with pytest.raises(ColumnNotAllowed):
        Table("accounts-by-plan", ("plan", "accounts"), ({"plan": "free", "accounts": 10, "email": "a@example.nl"},))


def test_the_files_refuse_a_table_that_slipped_past_the_check():
    # GIVEN a table whose columns were changed after it was made
    table = Table("accounts-by-plan", ("plan", "accounts"), ())
    object.__setattr__(table, "columns", ("plan", "email"))
    # WHEN it is written THEN neither format writes it
    with pytest.raises(ColumnNotAllowed):
        as_csv(table)
    with pytest.raises(ColumnNotAllowed):
        as_json(table, MOMENT)
