"""The CSV contact import's pure core: encodings, delimiters, the columns of Mailchimp, Sendy and
listmonk exports, row validation and deduplication, batching, and streaming a large file.

The sample files in tests/data/imports are written by hand after the column layouts those
platforms document; the large file is generated in a temporary directory.
"""

import io
import os
import tracemalloc

import pytest

from chalicelib.audience import csv_import
from chalicelib.audience.csv_import import (
    BATCH_SIZE, DUPLICATE_ADDRESS, INVALID_ADDRESS, NO_ADDRESS, STREAM_BUFFER_SIZE, RowStatus,
    AddressDigests, ImportRow, MappingIncomplete, RowProblem, UnreadableCsv, address_digest, batched,
    normalise_language, open_csv, read_contacts, split_tags, suggest_mapping)
from tests.conftest import PROJECT_DIR

SAMPLES_DIR = os.path.join(PROJECT_DIR, "tests", "data", "imports")
MB = 1024 * 1024


def import_sample(name: str):
    """(source, items) for a sample file, read with the suggested mapping."""
    with open(os.path.join(SAMPLES_DIR, name), "rb") as raw:
        source = open_csv(raw)
        return source, list(read_contacts(source, suggest_mapping(source.headers)))


def import_bytes(data: bytes, **kwargs):
    source = open_csv(io.BytesIO(data), **kwargs)
    return source, list(read_contacts(source, suggest_mapping(source.headers)))


def rows_of(items) -> dict[str, ImportRow]:
    return {item.email_key: item for item in items if isinstance(item, ImportRow)}


def problems_of(items) -> list[tuple[int, str, str]]:
    return [(item.line, item.reason, item.value) for item in items if isinstance(item, RowProblem)]


class CountingReads(io.RawIOBase):
    """A binary stream that remembers how much was asked of it at once."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)
        self.largest_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size=-1) -> bytes:
        self.largest_read = max(self.largest_read, size if size >= 0 else len(self._data.getbuffer()))
        return self._data.read(size)

    def tell(self) -> int:
        return self._data.tell()


# --- encoding ------------------------------------------------------------------------------------

def test_encoding_is_utf8_sig_when_file_starts_with_bom():
    # GIVEN a UTF-8 file with a byte order mark, as Excel saves "CSV UTF-8"
    # WHEN it is imported
    source, items = import_sample("utf8_bom.csv")
    # THEN the mark is not part of the first header, and accented names survive
    assert source.encoding == "utf-8-sig"
    assert source.headers[0] == "Email"
    rows = rows_of(items)
    assert (rows["renee@example.com"].first_name, rows["renee@example.com"].last_name) == ("Renée", "Ålund")
    assert rows["lukasz@example.com"].last_name == "Żółć"


def test_encoding_is_cp1252_when_file_is_not_utf8():
    # GIVEN a Windows-1252 file with "Zoë", "Bjørn" and "€"
    # WHEN it is imported
    source, items = import_sample("windows1252.csv")
    # THEN every character is read as written
    assert source.encoding == "cp1252"
    rows = rows_of(items)
    assert rows["zoe@example.com"].first_name == "Zoë"
    assert rows["zoe@example.com"].fields == {"note": "€ 25 tegoed"}
    assert rows["bjorn@example.com"].first_name == "Bjørn"
    assert rows["bjorn@example.com"].fields["note"] == "Straße – “quoted” ‘text’"


def test_encoding_is_utf8_when_sample_ends_inside_a_character():
    # GIVEN a UTF-8 file whose sample ends between the two bytes of an "ë"
    data = ("email,first_name\n" + "".join(f"zoe{n}@example.com,Zoë\n" for n in range(50))).encode("utf-8")
    cut = data.index("ë".encode("utf-8")) + 1
    # WHEN it is opened with that sample size
    source, items = import_bytes(data, sample_size=cut)
    # THEN it is still UTF-8, and the name is whole
    assert source.encoding == "utf-8"
    assert {row.first_name for row in rows_of(items).values()} == {"Zoë"}
    assert len(rows_of(items)) == 50


def test_encoding_is_cp1252_when_sample_holds_an_invalid_utf8_byte():
    # GIVEN a file that is UTF-8 but for one Windows-1252 "é"
    data = "email,first_name\nrenee@example.com,Renée\n".encode("cp1252")
    # WHEN it is opened
    source, items = import_bytes(data)
    # THEN it is read as Windows-1252
    assert source.encoding == "cp1252"
    assert rows_of(items)["renee@example.com"].first_name == "Renée"


def test_encoding_is_utf16_when_file_starts_with_utf16_bom():
    # GIVEN a file as Excel saves "Unicode text": UTF-16 with a byte order mark, tab-delimited
    data = "E-mailadres\tVoornaam\r\nzoe@example.com\tZoë\r\n".encode("utf-16")
    # WHEN it is imported
    source, items = import_bytes(data)
    # THEN it is read as UTF-16 with tabs
    assert (source.encoding, source.delimiter) == ("utf-16", "\t")
    assert rows_of(items)["zoe@example.com"].first_name == "Zoë"


# --- delimiter -----------------------------------------------------------------------------------

def test_delimiter_is_semicolon_when_dutch_excel_writes_decimal_commas():
    # GIVEN a file as Dutch Excel writes it: semicolons, Windows-1252, a decimal comma in every row
    # WHEN it is imported
    source, items = import_sample("dutch_excel_semicolon.csv")
    # THEN the columns are split at the semicolons, and the Dutch headers are recognised
    assert (source.encoding, source.delimiter) == ("cp1252", ";")
    assert suggest_mapping(source.headers) == {0: "email", 1: "first_name", 2: "last_name_prefix",
                                               3: "last_name", 4: "language", 5: "tags", 6: "field:saldo"}
    rows = rows_of(items)
    henk = rows["henk@example.com"]
    assert (henk.first_name, henk.last_name, henk.language) == ("Henk", "van den Berg", "nl")
    assert henk.tags == ("klant", "nieuwsbrief")
    assert henk.fields == {"saldo": "12,50"}
    assert rows["wim@example.com"].tags == ("vip", "klant")
    assert rows["wim@example.com"].language == "fr"
    assert rows["joelle@example.com"].first_name == "Joëlle"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"])
def test_delimiter_is_detected_when_file_uses_it(delimiter):
    # GIVEN a file separated by the delimiter, with the other candidates inside quoted values
    lines = [["email", "name", "note"], ["anna@example.com", "Anna Smit", '"a, b; c | d"'],
             ["bram@example.com", "Bram", "plain"]]
    data = "".join(delimiter.join(line) + "\n" for line in lines).encode("utf-8")
    # WHEN it is imported
    source, items = import_bytes(data)
    # THEN the delimiter is found and quoted values stay whole
    assert source.delimiter == delimiter
    assert rows_of(items)["anna@example.com"].fields == {"note": "a, b; c | d"}


def test_delimiter_is_comma_when_file_has_one_column():
    # GIVEN a bare list of addresses
    data = b"E-mail\nanna@example.com\nbram@example.com\n"
    # WHEN it is imported
    source, items = import_bytes(data)
    # THEN it reads as a one-column comma-separated file
    assert source.delimiter == ","
    assert set(rows_of(items)) == {"anna@example.com", "bram@example.com"}


# --- streaming and unreadable files --------------------------------------------------------------

def test_open_reads_only_the_sample_when_rows_are_not_consumed_yet():
    # GIVEN a 2 MB upload
    data = b"email\n" + b"".join(b"contact%d@example.com\n" % n for n in range(80_000))
    raw = CountingReads(data)
    # WHEN it is opened and its header read
    source = open_csv(raw, sample_size=4096)
    # THEN only the sample and at most one buffer more have been read from the stream
    assert source.headers == ["email"]
    assert raw.tell() <= 4096 + STREAM_BUFFER_SIZE
    # AND all rows come when iterated, in pieces no larger than a buffer
    assert sum(1 for _ in source) == 80_000
    assert raw.largest_read <= STREAM_BUFFER_SIZE


def test_open_raises_unreadable_when_file_is_empty():
    # GIVEN an upload of only blank lines
    # WHEN it is opened
    # THEN the import stops with a typed error
    with pytest.raises(UnreadableCsv):
        open_csv(io.BytesIO(b"\r\n\n  \n"))


def test_reading_raises_unreadable_when_a_line_is_too_long(monkeypatch):
    # GIVEN a limit of 100 characters a line, and a file with a longer one on line 3
    monkeypatch.setattr(csv_import, "MAX_LINE_CHARS", 100)
    data = b"email\nanna@example.com\n" + b"x" * 500 + b"\n"
    source = open_csv(io.BytesIO(data))
    # WHEN its rows are read
    with pytest.raises(UnreadableCsv) as raised:
        list(source)
    # THEN the error says which line
    assert raised.value.params == {"line": 3}


def test_reading_raises_unreadable_when_an_open_quote_swallows_the_file():
    # GIVEN a file where row 2 opens a quote that never closes, over more than the csv field limit
    data = b'email,note\nanna@example.com,"oops\n' + b"bram@example.com,more\n" * 10_000
    source = open_csv(io.BytesIO(data))
    # WHEN its rows are read
    with pytest.raises(UnreadableCsv) as raised:
        list(source)
    # THEN the error points at the row where the trouble starts
    assert raised.value.params == {"line": 2}


# --- recognising columns -------------------------------------------------------------------------

def test_mapping_recognises_columns_when_file_is_a_mailchimp_audience_export():
    # GIVEN the header of Mailchimp's subscribed members export
    source, _ = import_sample("mailchimp_subscribed_members.csv")
    # WHEN a mapping is suggested
    mapping = suggest_mapping(source.headers)
    # THEN address, names, tags, address and phone are taken, opt-in proof kept as evidence,
    # and Mailchimp's own metadata (rating, location, ids, notes) is skipped
    assert mapping == {0: "email", 1: "first_name", 2: "last_name", 3: "field:address", 4: "field:phone_number",
                       6: "evidence:optin_time", 7: "evidence:optin_ip", 8: "evidence:confirm_time",
                       9: "evidence:confirm_ip", 21: "tags"}


def test_mapping_recognises_columns_when_file_is_a_sendy_export():
    # GIVEN the header of a Sendy export: name, email, custom fields, dates
    source, _ = import_sample("sendy_export.csv")
    # WHEN a mapping is suggested
    # THEN the full name and the custom fields are taken, Sendy's dates skipped
    assert suggest_mapping(source.headers) == {0: "name", 1: "email", 2: "field:bedrijf", 3: "field:plaats"}


def test_mapping_recognises_columns_when_file_is_a_listmonk_export():
    # GIVEN the header of listmonk's subscriber export
    source, _ = import_sample("listmonk_export.csv")
    # WHEN a mapping is suggested
    # THEN email, name, attributes and status are taken; uuid and timestamps skipped
    assert suggest_mapping(source.headers) == {1: "email", 2: "name", 3: "attributes", 4: "status"}


def test_mapping_recognises_headers_when_case_spaces_and_language_differ():
    # GIVEN Dutch and English headers written carelessly
    headers = ["  E-MAILADRES ", "voornaam", "Achter naam", "TAAL", "e_mail", "Geboortedatum", "", "€", "Plaats",
               "plaats"]
    # WHEN a mapping is suggested
    mapping = suggest_mapping(headers)
    # THEN each standard field goes to its first column, other named columns become custom fields
    # (one name each), and columns without a usable name are left out or numbered
    assert mapping == {0: "email", 1: "first_name", 2: "last_name", 3: "language", 5: "field:geboortedatum",
                       8: "field:plaats", 9: "field:plaats_2"}


# --- validating rows -----------------------------------------------------------------------------

def test_mailchimp_export_imports_tags_fields_and_evidence():
    # GIVEN Mailchimp's subscribed members export
    # WHEN it is imported
    _, items = import_sample("mailchimp_subscribed_members.csv")
    rows = rows_of(items)
    # THEN tags lose Mailchimp's quotes, address and phone become custom fields, and opt-in proof
    # comes along as evidence
    sanne = rows["sanne.jansen@example.com"]
    assert sanne.line == 2
    assert sanne.tags == ("Klant", "VIP")
    assert sanne.fields == {"address": "Damrak 1  Amsterdam  NH  1012 LG  NL", "phone_number": "+31 20 123 4567"}
    assert sanne.evidence == {"optin_time": "2023-03-14 09:12:45", "optin_ip": "198.51.100.23",
                              "confirm_time": "2023-03-14 09:13:02", "confirm_ip": "198.51.100.23"}
    # AND the address is normalised (the domain in lower case) and its key is all lower case
    pieter = rows["pieter.devries@example.org"]
    assert pieter.email == "Pieter.deVries@example.org"
    assert pieter.evidence == {"optin_time": "2022-11-02 17:40:00", "confirm_time": "2022-11-02 17:41:30",
                               "confirm_ip": "203.0.113.9"}
    assert rows["lotte@example.net"].last_name is None
    assert problems_of(items) == []


def test_sendy_export_splits_full_name_at_first_space():
    # GIVEN a Sendy export with a one-word name and one with extra spaces
    # WHEN it is imported
    _, items = import_sample("sendy_export.csv")
    rows = rows_of(items)
    # THEN the first word is the first name and the rest the last name
    assert (rows["jan.devries@example.com"].first_name, rows["jan.devries@example.com"].last_name) == \
        ("Jan", "de Vries")
    assert (rows["madonna@example.com"].first_name, rows["madonna@example.com"].last_name) == ("Madonna", None)
    assert (rows["fatima@example.org"].first_name, rows["fatima@example.org"].last_name) == ("Fatima", "El Amrani")
    assert rows["jan.devries@example.com"].fields == {"bedrijf": "Bakkerij De Vries", "plaats": "Haarlem"}


def test_listmonk_export_turns_attributes_into_fields():
    # GIVEN a listmonk export whose attributes hold text, a number, a boolean and a nested object
    # WHEN it is imported
    _, items = import_sample("listmonk_export.csv")
    rows = rows_of(items)
    # THEN each key is a custom field of text; nested values stay JSON; bad JSON adds nothing
    assert rows["noor@example.com"].fields == {"city": "Utrecht", "projects": "3", "beta_tester": "true",
                                               "stack": '{"languages": ["go", "python"]}'}
    assert (rows["noor@example.com"].first_name, rows["noor@example.com"].last_name) == ("Noor", "Bakker")
    assert rows["daan@example.com"].fields == {}
    assert rows["eva@example.org"].fields == {}


def test_listmonk_export_reports_address_when_status_is_blocklisted():
    # GIVEN a listmonk export with a blocklisted subscriber
    # WHEN it is imported
    _, items = import_sample("listmonk_export.csv")
    # THEN that person is reported, never imported
    assert "spamklacht@example.com" not in rows_of(items)
    assert problems_of(items) == [(4, RowStatus.BLOCKLISTED.reason, "spamklacht@example.com")]


def test_mailchimp_unsubscribed_export_reports_every_row_with_unsub_time():
    # GIVEN Mailchimp's unsubscribed members export, and the same address again further down
    data = (b"Email Address,First Name,UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_REASON\n"
            b"weg@example.com,Wim,2024-01-02 10:00:00,Nieuwsbrief januari,Too many mails\n"
            b"WEG@example.com,Wim,,,\n")
    # WHEN it is imported
    _, items = import_bytes(data)
    # THEN no row is imported: the unsubscribed one is reported, and so is its later duplicate
    assert rows_of(items) == {}
    assert problems_of(items) == [(2, RowStatus.UNSUBSCRIBED.reason, "weg@example.com"),
                                  (3, DUPLICATE_ADDRESS, "WEG@example.com")]


def test_broken_file_reports_each_problem_with_its_line():
    # GIVEN a file with broken addresses, a missing one, duplicates, blank lines and a value over two lines
    # WHEN it is imported
    _, items = import_sample("broken_and_duplicates.csv")
    # THEN the first of each address is kept, trimmed
    assert [(row.line, row.email) for row in items if isinstance(row, ImportRow)] == [
        (2, "anna@example.com"), (10, "kees@example.com"), (15, "mila@example.com")]
    # AND every other row is reported at the line where it starts, blank lines skipped silently
    assert problems_of(items) == [
        (3, INVALID_ADDRESS, "jan@"),
        (5, INVALID_ADDRESS, "geen adres"),
        (6, NO_ADDRESS, ""),
        (7, DUPLICATE_ADDRESS, "Anna@Example.com"),
        (8, INVALID_ADDRESS, "a@b@example.com"),
        (9, INVALID_ADDRESS, "piet@example..com"),
        (13, DUPLICATE_ADDRESS, "kees@example.com"),
        (14, INVALID_ADDRESS, "x" * 320),  # a value too long to be an address, cut for the report
    ]


def test_rows_are_deduplicated_against_seen_when_caller_passes_it():
    # GIVEN addresses already seen (say, in an earlier part of the same import), as digests in a set
    seen = {address_digest("anna@example.com")}
    source = open_csv(io.BytesIO(b"email\nANNA@example.com\nbram@example.com\n"))
    # WHEN the file is read against them
    items = list(read_contacts(source, {0: "email"}, seen=seen))
    # THEN the known address is a duplicate, and the new one is added to the set
    assert problems_of(items) == [(2, DUPLICATE_ADDRESS, "ANNA@example.com")]
    assert address_digest("bram@example.com") in seen


def test_read_contacts_raises_when_no_column_is_mapped_to_email():
    # GIVEN a mapping without an e-mail column
    source = open_csv(io.BytesIO(b"naam,plaats\nAnna,Delft\n"))
    # WHEN the rows are asked for
    # THEN it refuses at once, before reading anything
    with pytest.raises(MappingIncomplete):
        read_contacts(source, suggest_mapping(source.headers))


def test_cells_are_trimmed_and_empty_ones_left_out_when_row_is_short():
    # GIVEN a row with padded values, an empty custom field and fewer cells than the header
    data = b"email,first_name,last_name,city,tags\n  anna@example.com , Anna ,  Smit  ,\nbram@example.com\n"
    # WHEN it is imported
    _, items = import_bytes(data)
    rows = rows_of(items)
    # THEN values are trimmed, and empty or missing cells leave fields and tags empty
    anna = rows["anna@example.com"]
    assert (anna.first_name, anna.last_name, anna.fields, anna.tags) == ("Anna", "Smit", {}, ())
    assert rows["bram@example.com"].first_name is None


@pytest.mark.parametrize("written, expected", [
    ("nl", "nl"), ("NL", "nl"), ("nl-BE", "nl"), ("en_GB", "en"), ("Nederlands", "nl"), ("Dutch", "nl"),
    ("Engels", "en"), ("English", "en"), ("de", "de"), ("Français", "fr"), ("nld", "nl"), ("Frysk", "fy"),
    ("xx", None), ("Klingon", None), ("", None),
])
def test_language_is_normalised_when_written_as_code_locale_or_name(written, expected):
    # GIVEN a language as people write it
    # WHEN it is normalised
    # THEN it is an ISO 639-1 code, or None when it is not a language we can tell
    assert normalise_language(written) == expected


def test_tags_are_split_when_separated_by_commas_or_semicolons():
    # GIVEN tag cells in several styles
    # WHEN they are split
    # THEN each tag stands alone, without quotes or spaces
    assert split_tags('"Klant","VIP"') == ["Klant", "VIP"]
    assert split_tags("klant; nieuwsbrief,  ,vip") == ["klant", "nieuwsbrief", "vip"]
    assert split_tags("") == []


def test_address_digests_remember_every_key_when_they_grow():
    # GIVEN a digest set sized for 16 addresses
    digests = AddressDigests(capacity=16)
    keys = [address_digest(f"contact{n}@example.com") for n in range(10_000)]
    # WHEN far more are added, some twice
    for key in keys + keys[:100]:
        digests.add(key)
    # THEN each is found once, and others are not
    assert len(digests) == 10_000
    assert all(key in digests for key in keys)
    assert address_digest("stranger@example.com") not in digests


# --- batching ------------------------------------------------------------------------------------

def test_batched_yields_lists_of_25_when_rows_do_not_fill_the_last():
    # GIVEN 60 items
    # WHEN they are batched for BatchWriteItem
    batches = list(batched(range(60), BATCH_SIZE))
    # THEN they come in 25, 25 and 10, in order
    assert [len(batch) for batch in batches] == [25, 25, 10]
    assert [item for batch in batches for item in batch] == list(range(60))


def test_batched_yields_nothing_when_there_are_no_rows():
    assert list(batched([], BATCH_SIZE)) == []


def test_batched_refuses_when_size_is_not_positive():
    with pytest.raises(ValueError):
        list(batched([1], 0))


# --- a large file --------------------------------------------------------------------------------

def test_large_file_streams_with_modest_memory_when_it_is_50_mb(tmp_path):
    # GIVEN a generated 50 MB file with long notes, written to disk row by row
    path = tmp_path / "large.csv"
    note = "Klant sinds 2019, bestelt vooral in het voorjaar; wil geen mail in de zomer. " * 26
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as file:
        file.write("Email Address,First Name,Last Name,Opmerking,TAGS\n")
        while file.tell() < 50 * MB:
            file.write(f"contact{rows}@example.com,Zoë,de Vries,\"{note}\",\"\"\"Klant\"\"\"\n")
            rows += 1
    # WHEN it is imported and batched, with tracemalloc watching
    tracemalloc.start()
    try:
        imported = batches = 0
        with open(path, "rb") as raw, open_csv(raw) as source:
            for batch in batched(read_contacts(source, suggest_mapping(source.headers)), BATCH_SIZE):
                imported += sum(1 for item in batch if isinstance(item, ImportRow))
                batches += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # THEN every row arrives, and the peak is a small part of the file's size
    assert os.path.getsize(path) >= 50 * MB
    assert imported == rows
    assert batches == -(-rows // BATCH_SIZE)
    assert peak < 20 * MB, f"peak {peak / MB:.1f} MB"
