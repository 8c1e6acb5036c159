"""The contact importer's peak memory on a file of a million rows: proof that it streams.

A generated CSV file (written to disk line by line, never built in memory) goes through what the
import worker does before it writes: open_csv, suggest_mapping, read_contacts and batches of 25,
with the writes going to a stand-in that only counts. tracemalloc measures the peak of everything
Python allocates meanwhile, the set of addresses seen included. tracemalloc makes each allocation
several times slower, so this takes minutes; the number it yields does not depend on speed.
"""

import json
import os
import sys
import tempfile
import time
import tracemalloc

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if PROJECT_DIR not in sys.path:  # `python bench/run.py` puts bench/, not the project, on the path
    sys.path.insert(0, PROJECT_DIR)

from chalicelib.audience.csv_import import (  # noqa: E402
    BATCH_SIZE, ImportRow, batched, open_csv, read_contacts, suggest_mapping)
from sizes import size  # noqa: E402

ROWS = size(1_000_000, smoke=1_000)  # smoke: broken and repeated addresses among batches of 25
MB = 1024 * 1024
HEADER = "Email Address,First Name,Last Name,Taal,TAGS,Plaats,Klantnummer,OPTIN_TIME,MEMBER_RATING\n"
FIRST_NAMES = ("Anna", "Bram", "Chloë", "Daan", "Emma", "Finn", "Julia", "Lucas", "Sanne", "Zoë")
LAST_NAMES = ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer")
CITIES = ("Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven", "Groningen", "Tilburg")
TAG_SETS = ('"Klant"', '"Klant","VIP"', '"Nieuwsbrief"', "")
EVERY_INVALID = 97  # a broken address now and then, as real files have
EVERY_DUPLICATE = 89  # and an address that came earlier


def write_contacts_csv(path: str, rows: int = ROWS) -> int:
    """Write a Mailchimp-like export of `rows` contacts to `path`; returns its size in bytes."""
    with open(path, "w", encoding="utf-8", newline="") as file:
        file.write(HEADER)
        for number in range(rows):
            if number % EVERY_INVALID == 1:
                email = f"kapot{number}@"
            elif number % EVERY_DUPLICATE == 2:
                email = f"Contact{number - 1}@Example.com"
            else:
                email = f"contact{number}@example.com"
            file.write(f"{email},{FIRST_NAMES[number % 10]},{LAST_NAMES[number % 8]},"
                       f"{'nl' if number % 5 else 'en'},\"{TAG_SETS[number % 4].replace(chr(34), chr(34) * 2)}\","
                       f"{CITIES[number % 7]},{100000 + number},2023-03-14 09:12:45,3\n")
    return os.path.getsize(path)


class CountingWriter:
    """Stands in for the DynamoDB writer: counts what it would write."""

    def __init__(self):
        self.rows = 0
        self.batches = 0

    def write_batch(self, rows: list[ImportRow]) -> None:
        self.rows += len(rows)
        self.batches += 1


def import_file(path: str, writer: CountingWriter) -> int:
    """What the import worker does with a file, minus the database; returns the rows skipped."""
    skipped = 0

    def rows_only(items):
        nonlocal skipped
        for item in items:
            if isinstance(item, ImportRow):
                yield item
            else:
                skipped += 1  # the worker writes these to the import report

    with open(path, "rb") as raw, open_csv(raw) as source:
        for batch in batched(rows_only(read_contacts(source, suggest_mapping(source.headers))), BATCH_SIZE):
            writer.write_batch(batch)
    return skipped


def import_peak_mb_1m() -> float:
    """Peak memory (MiB, as tracemalloc counts it) of importing a generated file of ROWS (a million) rows."""
    with tempfile.TemporaryDirectory(prefix="mailexpert-import-bench-") as directory:
        path = os.path.join(directory, "contacts.csv")
        size = write_contacts_csv(path)
        writer = CountingWriter()
        started = time.perf_counter()
        tracemalloc.start()
        try:
            skipped = import_file(path, writer)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        elapsed = time.perf_counter() - started
    print(f"  import_peak_mb_1m: {size / MB:.0f} MB file, {writer.rows} rows in {writer.batches} batches, "
          f"{skipped} skipped; peak {peak / MB:.1f} MB; {elapsed:.0f} s under tracemalloc")
    return peak / MB


if __name__ == "__main__":
    print(json.dumps({"import_peak_mb_1m": import_peak_mb_1m()}))
