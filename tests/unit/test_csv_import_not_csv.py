"""A file that is not CSV (a zip, gzip or PDF file, an Excel workbook, binary data) is refused as
soon as its first bytes are read, with a message that says what it is, instead of showing junk
columns at the mapping step."""

import gzip
import io
import os
import zipfile

import pytest

from chalicelib.audience.csv_import import NotCsv, UnreadableCsv, open_csv


def _zip(entries: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


CSV = b"email,first_name\nanna@example.com,Anna\n"
XLSX = _zip({"[Content_Types].xml": "<Types/>", "_rels/.rels": "<Relationships/>", "xl/workbook.xml": "<workbook/>",
             "xl/worksheets/sheet1.xml": "<worksheet/>"})
XLS = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 24 + b"\x3e\x00\x03\x00\xfe\xff" + os.urandom(2000)
ODS = _zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<office/>"})
NOT_CSV = {
    "zip": _zip({"contacts.csv": CSV}),
    "gzip": gzip.compress(CSV),
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    "binary with NUL bytes": b"email\n" + bytes(range(256)) * 8,
    "binary without NUL bytes": b"email\n" + bytes(range(1, 32)) * 40 + b"anna@example.com\n",
    "ods": ODS,
}


@pytest.mark.parametrize("kind", sorted(NOT_CSV))
def test_file_is_refused_as_not_csv_when_it_is_an_archive_a_pdf_or_binary(kind):
    # GIVEN an upload that is not a CSV file
    # WHEN it is opened
    # THEN it is refused at once as not a CSV file
    with pytest.raises(NotCsv) as refused:
        open_csv(io.BytesIO(NOT_CSV[kind]))
    assert isinstance(refused.value, UnreadableCsv) and refused.value.status == 422
    assert "not a CSV file" in refused.value.message


@pytest.mark.parametrize("workbook", [XLSX, XLS])
def test_excel_workbook_is_refused_with_how_to_save_it_as_csv(workbook):
    # GIVEN an Excel workbook (.xlsx is a zip, .xls an OLE file) uploaded as the contacts file
    # WHEN it is opened
    with pytest.raises(NotCsv) as refused:
        open_csv(io.BytesIO(workbook))
    # THEN the message says to save it as CSV from Excel
    assert "Excel" in refused.value.message and "CSV" in refused.value.message


@pytest.mark.parametrize("data", [
    CSV, "email;naam\nrenée@example.com;Renée\n".encode("utf-16"), "email\nzoë@example.com\n".encode("cp1252"),
    b"email,note\r\nanna@example.com,\"tab\there\"\r\n", b"\xef\xbb\xbfemail\nanna@example.com\n",
])
def test_text_files_are_still_read_when_they_are_csv(data):
    # GIVEN CSV files in UTF-8, UTF-16 (with its NUL bytes), Windows-1252, with tabs and a BOM
    # WHEN they are opened
    with open_csv(io.BytesIO(data)) as source:
        # THEN they are read as before
        assert source.headers[0] == "email"
