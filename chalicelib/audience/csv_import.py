"""The pure core of the CSV contact import: a file streamed row by row, never held in memory whole.

The import worker (S3 in, DynamoDB out) sits on top of this module; here is only what needs no AWS:

- `open_csv` finds the encoding (UTF-8 with or without BOM, else Windows-1252: what Excel and the
  mail platforms write) and the delimiter from a sample at the start of the stream, then reads the
  stream with the `csv` module, replaying the sample first, so a file of any size is read in
  buffer-sized pieces.
- `suggest_mapping` recognises the column headers of Mailchimp, Sendy and listmonk exports and
  common Dutch and English headers, so the user maps only what is left.
- `read_contacts` validates and normalises each row, drops duplicates within the file, and says
  per line what it skipped and why (the import report).
- `batched` groups rows for DynamoDB's BatchWriteItem, which takes 25 items a request.

A mapping sends a column index to a target: "email", "first_name", "last_name", "language", "tags",
or "field:<name>" (a custom field, kept as text; typing happens later). Exports need a few more:
"name" (a full name, split into first and last name at the first space: Sendy, listmonk),
"last_name_prefix" (the Dutch "tussenvoegsel", put before the last name), "attributes" (listmonk's
JSON object, whose keys become custom fields), "evidence:<key>" (proof of consent from Mailchimp:
opt-in time and IP, confirmation time and IP), and what the exporting platform says of the person:
"status" and "subscription_status" (a status word, see `STATUS_WORDS`), "opted_out" (Mailchimp's
UNSUB_TIME: any value means unsubscribed) and "cleaned" (Mailchimp's CLEAN_TIME: any value means the
address bounced). Only a row that is clearly subscribed is imported; `RowStatus` says what happens to
every other one (suppressed with a reason, or reported and left out).
"""

import codecs
import csv
import hashlib
import io
import json
import re
import unicodedata
from array import array
from dataclasses import dataclass
from itertools import islice
from typing import BinaryIO, Iterable, Iterator, Protocol, TypeVar

from enum import Enum

from chalicelib.audience.audience import SuppressionReason
from chalicelib.errors import DomainError
from chalicelib.i18n import N_

SAMPLE_SIZE = 64 * 1024  # bytes read up front to find the encoding and the delimiter
STREAM_BUFFER_SIZE = 64 * 1024
MAX_LINE_CHARS = 1024 * 1024  # a longer line is a broken or non-CSV file, not a contact
DELIMITERS = (",", ";", "\t", "|")  # in order of preference when the header does not decide
BATCH_SIZE = 25  # DynamoDB BatchWriteItem's limit

MAX_ADDRESS_LENGTH = 320  # longer is never an address; also how much of a bad value a report keeps
MAX_NAME_LENGTH = 100  # as the contact form allows
MAX_TAGS = 50
MAX_TAG_LENGTH = 100
MAX_FIELD_LENGTH = 2000
MAX_FIELD_NAME_LENGTH = 64
DIGEST_SIZE = 8  # bytes of blake2b per address: compact, and a collision in 10^6 rows is ~3e-8 likely

# Mapping targets
EMAIL = "email"
FIRST_NAME = "first_name"
LAST_NAME = "last_name"
LAST_NAME_PREFIX = "last_name_prefix"
FULL_NAME = "name"
LANGUAGE = "language"
TAGS = "tags"
ATTRIBUTES = "attributes"
STATUS = "status"
SUBSCRIPTION_STATUS = "subscription_status"
OPTED_OUT = "opted_out"
CLEANED = "cleaned"
FIELD_PREFIX = "field:"
EVIDENCE_PREFIX = "evidence:"

# Why a row is not imported (English message ids, translated in the report)
NO_ADDRESS = N_("The row has no e-mail address.")
INVALID_ADDRESS = N_("The e-mail address is not valid.")
DUPLICATE_ADDRESS = N_("This address appears earlier in the file.")


class RowStatus(Enum):
    """What the exporting platform's status of a row lets the import do. Only SUBSCRIBED is imported;
    a status with a suppression reason puts the address on the suppression list (and so ends any
    subscription it has here already, whichever file came first); the others are reported and
    change nothing. When a row has several status columns (listmonk's subscriber status beside its
    subscription status; Mailchimp's UNSUB_TIME), the highest rank wins.

    Value: (rank, suppression reason or None, the report's reason: an English message id).
    """

    SUBSCRIBED = (0, None, None)
    # A soft bounce (a full mailbox, a server down) says nothing about consent, and is no reason to
    # suppress: the row is left out, and a contact already here keeps the status it has.
    SOFT_BOUNCED = (1, None, N_("The file marks this address as soft bounced, which does not say whether the "
                                "person is subscribed: not imported, and not suppressed."))
    # Never confirmed a double opt-in. Not imported as "unconfirmed" either: here that status means
    # we sent a confirmation mail, and the import sends none.
    UNCONFIRMED = (2, None, N_("The file says this person never confirmed their subscription (pending or "
                               "unconfirmed): not imported. Add them with a confirmation mail to ask for their "
                               "consent."))
    TRANSACTIONAL = (3, None, N_("The file marks this address as transactional only: this person never agreed to "
                                 "marketing mail. Not imported."))
    ARCHIVED = (4, None, N_("The file marks this address as archived: not imported."))
    DISABLED = (5, None, N_("The file marks this subscriber as disabled: not imported."))
    NO_STATUS = (6, None, N_("The status of this row is empty, so we cannot tell whether this person is "
                             "subscribed: not imported."))
    NOT_KNOWN = (7, None, N_("The file gives this row the status \"%(status)s\", which we do not know: not "
                             "imported."))
    UNSUBSCRIBED = (8, SuppressionReason.UNSUBSCRIBED, N_("The file marks this address as unsubscribed: added to "
                                                          "your suppression list."))
    # listmonk does not say why it blocklisted someone (an unsubscribe, bounces, the sender's choice)
    # and never lets them sign up again: kept the same way, as if the account holder added it.
    BLOCKLISTED = (9, SuppressionReason.MANUAL, N_("The file marks this address as blocklisted: added to your "
                                                   "suppression list."))
    HARD_BOUNCED = (10, SuppressionReason.HARD_BOUNCE, N_("The file marks this address as bounced (it cannot "
                                                          "receive mail): added to your suppression list as a "
                                                          "hard bounce."))
    COMPLAINED = (11, SuppressionReason.COMPLAINT, N_("The file marks this address as a spam complaint: added to "
                                                      "your suppression list."))

    def __init__(self, rank: int, suppression: SuppressionReason | None, reason: str | None):
        self.rank, self.suppression, self.reason = rank, suppression, reason


# Status words of the exporting platforms (and what people write by hand), compared by `_status_key`.
STATUS_WORDS: dict[str, RowStatus] = {
    # Mailchimp: a member's status
    "subscribed": RowStatus.SUBSCRIBED,
    "unsubscribed": RowStatus.UNSUBSCRIBED,
    "cleaned": RowStatus.HARD_BOUNCED,
    "pending": RowStatus.UNCONFIRMED,
    "transactional": RowStatus.TRANSACTIONAL,
    "archived": RowStatus.ARCHIVED,
    # Sendy (Unsubscribed as above)
    "active": RowStatus.SUBSCRIBED,
    "unconfirmed": RowStatus.UNCONFIRMED,
    "bounced": RowStatus.HARD_BOUNCED,
    "soft bounced": RowStatus.SOFT_BOUNCED,
    "marked as spam": RowStatus.COMPLAINED,
    # listmonk: a subscriber's status, then a subscription's (unconfirmed, unsubscribed as above)
    "enabled": RowStatus.SUBSCRIBED,
    "disabled": RowStatus.DISABLED,
    "blocklisted": RowStatus.BLOCKLISTED,
    "confirmed": RowStatus.SUBSCRIBED,
    # other words for the same, in English and Dutch
    "complained": RowStatus.COMPLAINED, "spam complaint": RowStatus.COMPLAINED, "spam": RowStatus.COMPLAINED,
    "hard bounced": RowStatus.HARD_BOUNCED, "hard bounce": RowStatus.HARD_BOUNCED,
    "soft bounce": RowStatus.SOFT_BOUNCED,
    "blacklisted": RowStatus.BLOCKLISTED, "blocked": RowStatus.BLOCKLISTED, "geblokkeerd": RowStatus.BLOCKLISTED,
    "afgemeld": RowStatus.UNSUBSCRIBED, "uitgeschreven": RowStatus.UNSUBSCRIBED,
    "ingeschreven": RowStatus.SUBSCRIBED, "aangemeld": RowStatus.SUBSCRIBED, "actief": RowStatus.SUBSCRIBED,
    "bevestigd": RowStatus.SUBSCRIBED, "onbevestigd": RowStatus.UNCONFIRMED, "niet bevestigd": RowStatus.UNCONFIRMED,
}
MAX_STATUS_SHOWN = 100  # of a status word we do not know, as the report repeats it
_STATUS_WORD_BREAKS = re.compile(r"[\s_-]+")


def _status_key(value: str) -> str:
    """A status word as compared: lower case, words separated by one space ("Soft_Bounced" -> "soft bounced")."""
    return " ".join(_STATUS_WORD_BREAKS.split(value.casefold())).strip()


def _header_key(header: str) -> str:
    """A header as compared: without accents, case, spaces or punctuation ("E-mail Address" -> "emailaddress")."""
    decomposed = unicodedata.normalize("NFKD", header)
    return "".join(char for char in decomposed.casefold() if char.isalnum())


def _headers(*names: str) -> tuple[str, ...]:
    return tuple(_header_key(name) for name in names)


# Headers we recognise, compared by `_header_key`. None: the exporting platform's own metadata,
# not about the person; skipped unless the user maps it.
KNOWN_HEADERS: dict[str, str | None] = {
    **dict.fromkeys(_headers("Email", "Email Address", "E-mailadres", "Mail", "Mailadres"), EMAIL),
    **dict.fromkeys(_headers("First Name", "FNAME", "Given name", "Forename", "Voornaam", "Roepnaam"), FIRST_NAME),
    **dict.fromkeys(_headers("Last Name", "LNAME", "Surname", "Family name", "Achternaam", "Familienaam"),
                    LAST_NAME),
    **dict.fromkeys(_headers("Tussenvoegsel", "Tussenvoegsels", "Voorvoegsel"), LAST_NAME_PREFIX),
    **dict.fromkeys(_headers("Name", "Full name", "Naam", "Volledige naam"), FULL_NAME),
    **dict.fromkeys(_headers("Language", "Lang", "Locale", "Taal", "Voorkeurstaal"), LANGUAGE),
    **dict.fromkeys(_headers("Tags", "Tag", "Labels", "Label"), TAGS),
    **dict.fromkeys(_headers("attributes", "attribs"), ATTRIBUTES),
    _header_key("status"): STATUS,
    # listmonk's name for the status of a subscription to a list (its API, and files made from it)
    **dict.fromkeys(_headers("subscription_status", "Subscription status"), SUBSCRIPTION_STATUS),
    # Mailchimp's unsubscribed and cleaned exports: any value means the person left, or bounced.
    _header_key("UNSUB_TIME"): OPTED_OUT,
    _header_key("CLEAN_TIME"): CLEANED,
    # Mailchimp's proof of consent (GDPR Art. 7), kept with the consent record of the import.
    _header_key("OPTIN_TIME"): EVIDENCE_PREFIX + "optin_time",
    _header_key("OPTIN_IP"): EVIDENCE_PREFIX + "optin_ip",
    _header_key("CONFIRM_TIME"): EVIDENCE_PREFIX + "confirm_time",
    _header_key("CONFIRM_IP"): EVIDENCE_PREFIX + "confirm_ip",
    **dict.fromkeys(_headers(
        # Mailchimp
        "MEMBER_RATING", "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION",
        "LAST_CHANGED", "LEID", "EUID", "NOTES", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID",
        "UNSUB_REASON", "UNSUB_REASON_OTHER", "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID",
        # Sendy
        "Joined", "Last activity",
        # listmonk
        "uuid", "created_at", "updated_at",
    ), None),
}

ISO_639_1 = frozenset("""
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de
    dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia
    id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo
    lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl
    ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk
    tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())

# Language names and three-letter codes people write instead of the ISO 639-1 code.
LANGUAGE_NAMES = {
    **dict.fromkeys(("dutch", "nederlands", "nederlandse", "vlaams", "flemish", "nld", "dut"), "nl"),
    **dict.fromkeys(("english", "engels", "engelse", "eng"), "en"),
    **dict.fromkeys(("german", "duits", "deutsch", "deu", "ger"), "de"),
    **dict.fromkeys(("french", "frans", "francais", "fra", "fre"), "fr"),
    **dict.fromkeys(("spanish", "spaans", "espanol", "spa"), "es"),
    **dict.fromkeys(("italian", "italiaans", "italiano", "ita"), "it"),
    **dict.fromkeys(("portuguese", "portugees", "portugues", "por"), "pt"),
    **dict.fromkeys(("frisian", "fries", "frysk", "fry"), "fy"),
    **dict.fromkeys(("polish", "pools", "polski", "pol"), "pl"),
    **dict.fromkeys(("turkish", "turks", "turkce", "tur"), "tr"),
    **dict.fromkeys(("arabic", "arabisch", "ara"), "ar"),
}

_TAG_SEPARATORS = (",", ";")
_NOT_NAME_CHARS = re.compile(r"[^a-z0-9]+")

T = TypeVar("T")


class UnreadableCsv(DomainError):
    """The upload is not a CSV file we can read; the import stops and says where."""

    status = 422
    code = "unreadable-csv"
    title = N_("The file could not be read")


class NotCsv(UnreadableCsv):
    """The upload is another kind of file (an archive, a PDF, a spreadsheet, binary data)."""

    code = "not-csv"
    title = N_("This is not a CSV file")


NOT_CSV_FORMAT = N_("This is not a CSV file but a %(format)s file. Export your contacts as CSV (text with a comma "
                    "or semicolon between the columns) and upload that file.")
NOT_CSV_EXCEL = N_("This is not a CSV file but an Excel workbook. In Excel, choose File > Save As > CSV UTF-8 "
                   "(comma delimited), and upload that file.")
NOT_CSV_SPREADSHEET = N_("This is not a CSV file but an OpenDocument spreadsheet. Choose File > Save As > Text CSV "
                         "in your spreadsheet program, and upload that file.")
NOT_CSV_BINARY = N_("This is not a CSV file: it holds binary data, not text. Export your contacts as CSV (text "
                    "with a comma or semicolon between the columns) and upload that file.")
# The first bytes of what people upload instead of CSV. A zip is looked at more closely first: an
# .xlsx workbook and an .ods spreadsheet are zip files too.
FILE_SIGNATURES = ((b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", NOT_CSV_EXCEL, None),  # OLE: .xls (Excel 97-2003)
                   (b"PK\x03\x04", NOT_CSV_FORMAT, "ZIP"), (b"PK\x05\x06", NOT_CSV_FORMAT, "ZIP"),
                   (b"\x1f\x8b", NOT_CSV_FORMAT, "GZIP"), (b"%PDF-", NOT_CSV_FORMAT, "PDF"),
                   (b"7z\xbc\xaf\x27\x1c", NOT_CSV_FORMAT, "7-Zip"), (b"Rar!\x1a\x07", NOT_CSV_FORMAT, "RAR"))
MAX_CONTROL_SHARE = 0.01  # control characters (other than tab and line breaks) in text: a few at most
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_if_not_text(sample: bytes, encoding: str) -> None:
    """Raise NotCsv when the start of the file is not CSV text: a known file signature, NUL bytes
    (in anything but UTF-16, where they are half of every character) or many control characters."""
    for signature, message, file_format in FILE_SIGNATURES:
        if sample.startswith(signature):
            if signature.startswith(b"PK"):
                if b"[Content_Types].xml" in sample[:4096] and b"xl/" in sample:
                    raise NotCsv(NOT_CSV_EXCEL)
                if b"mimetypeapplication/vnd.oasis.opendocument" in sample[:200]:
                    raise NotCsv(NOT_CSV_SPREADSHEET)
            raise NotCsv(message, **({"format": file_format} if file_format else {}))
    if encoding == "utf-16":
        return
    if b"\x00" in sample:
        raise NotCsv(NOT_CSV_BINARY)
    text = sample.decode(encoding, errors="replace")
    if text and len(_CONTROL_CHARS.findall(text)) > MAX_CONTROL_SHARE * len(text):
        raise NotCsv(NOT_CSV_BINARY)


class MappingIncomplete(DomainError):
    status = 422
    code = "mapping-incomplete"
    title = N_("Choose the column that holds the e-mail addresses.")


@dataclass(frozen=True, slots=True)
class ImportRow:
    """A valid contact from the file, normalised, ready to be written."""

    line: int
    email: str
    email_key: str  # the normalised address lowercased: what makes a contact unique per account
    first_name: str | None
    last_name: str | None
    language: str | None
    tags: tuple[str, ...]
    fields: dict  # custom field name -> text; empty cells are left out, so they erase nothing
    evidence: dict  # proof of consent the exporting platform kept ("optin_time", "optin_ip", ...)


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row that is not imported, for the report."""

    line: int
    reason: str  # an English message id
    value: str  # the address as written (trimmed), at most MAX_ADDRESS_LENGTH characters
    status: RowStatus | None = None  # when the file's status of the row is why
    email: str = ""  # the address normalised, when it is one
    params: tuple = ()  # (name, value) pairs for the reason's %(name)s placeholders
    after_earlier_row: bool = False  # an earlier row of the file had this address (and may be imported)

    @property
    def suppression(self) -> SuppressionReason | None:
        return self.status.suppression if self.status is not None else None


# --- reading the file ----------------------------------------------------------------------------

class _ReplayingReader(io.RawIOBase):
    """A raw stream that returns the sample already read from `rest` first, then the rest of it."""

    def __init__(self, sample: bytes, rest: BinaryIO):
        self._sample = memoryview(sample)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._sample is not None:
            count = min(len(buffer), len(self._sample))
            buffer[:count] = self._sample[:count]
            self._sample = self._sample[count:] or None  # None lets the sample's memory go
            if count:
                return count
        data = self._rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


class CsvSource:
    """The rows of a CSV file after its header, read once, front to back.

    Iterating gives (line number, cells): the line number is where the row starts in the file (the
    header is usually line 1), so the report points at what the user sees in an editor.
    """

    def __init__(self, text: io.TextIOBase, encoding: str, delimiter: str):
        self.encoding = encoding
        self.delimiter = delimiter
        self._text = text
        self._reader = csv.reader(self._lines(text), delimiter=delimiter)
        self._rows = self._read_rows()
        self.headers = self._read_headers()

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return self._rows

    def close(self) -> None:
        self._text.close()

    def __enter__(self) -> "CsvSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @staticmethod
    def _lines(text: io.TextIOBase) -> Iterator[str]:
        """The file's lines, refusing one so long that it would have to be held in memory whole."""
        readline = text.readline
        number = 0
        while line := readline(MAX_LINE_CHARS):
            number += 1
            if len(line) == MAX_LINE_CHARS and line[-1] not in "\r\n":
                raise UnreadableCsv(N_("Line %(line)s of the file is too long to be a row of contacts."),
                                    line=number)
            yield line

    def _read_rows(self) -> Iterator[tuple[int, list[str]]]:
        reader = self._reader
        last_line = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                raise UnreadableCsv(N_("The file cannot be read as CSV from line %(line)s on."),
                                    line=last_line + 1) from None
            line, last_line = last_line + 1, reader.line_num
            if cells:  # the csv module gives [] for an empty line
                yield line, cells

    def _read_headers(self) -> list[str]:
        for _line, cells in self._rows:
            if any(cell.strip() for cell in cells):
                return [cell.strip().lstrip("\ufeff").strip() for cell in cells]
        raise UnreadableCsv(N_("The file is empty."))


def open_csv(raw: BinaryIO, sample_size: int = SAMPLE_SIZE) -> CsvSource:
    """Start reading a CSV upload: find its encoding and delimiter, read its header.

    Only `sample_size` bytes are read up front; the rest is read as the rows are consumed. Bytes
    that do not fit the detected encoding become U+FFFD rather than stopping a long import halfway.
    Raises NotCsv when the sample shows another kind of file (see `refuse_if_not_text`).
    """
    sample = _read_sample(raw, sample_size)
    encoding = detect_encoding(sample, complete=len(sample) < sample_size)
    refuse_if_not_text(sample, encoding)
    delimiter = detect_delimiter(_sample_text(sample, encoding, complete=len(sample) < sample_size))
    buffered = io.BufferedReader(_ReplayingReader(sample, raw), buffer_size=STREAM_BUFFER_SIZE)
    text = io.TextIOWrapper(buffered, encoding=encoding, errors="replace", newline="")
    return CsvSource(text, encoding, delimiter)


def _read_sample(raw: BinaryIO, size: int) -> bytes:
    """Up to `size` bytes; fewer only at the end of the stream (a socket may return less per read)."""
    parts, remaining = [], size
    while remaining > 0:
        part = raw.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def detect_encoding(sample: bytes, complete: bool = False) -> str:
    """"utf-8-sig" with a UTF-8 byte order mark, "utf-8" if the sample decodes as UTF-8, else
    "cp1252" (Windows-1252: what Excel writes on a Dutch or English Windows). "utf-16" with a
    UTF-16 byte order mark (Excel's "Unicode text"). Unless `complete`, the sample may end in the
    middle of a character; the incremental decoder keeps such a tail back instead of failing on it.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _sample_text(sample: bytes, encoding: str, complete: bool) -> str:
    """The sample as text, cut after its last whole line unless it is the whole file."""
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=complete)
    if not complete:
        end = max(text.rfind("\n"), text.rfind("\r"))
        if end > 0:
            text = text[:end]
    return text


def detect_delimiter(text: str) -> str:
    """The delimiter among `DELIMITERS`: what csv.Sniffer finds, unless another candidate splits
    the header into more columns (a Dutch file with decimal commas in every row can look
    comma-separated to the sniffer). "," when nothing splits the header."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    columns = {delimiter: _column_count(header, delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=columns.__getitem__)  # the first of equals, by preference
    if columns[best] <= 1:
        return ","
    try:
        sniffed = csv.Sniffer().sniff(text, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        return best
    return sniffed if columns.get(sniffed, 0) >= columns[best] else best


def _column_count(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter), []))
    except csv.Error:
        return 0


# --- recognising columns -------------------------------------------------------------------------

def field_name(text: str) -> str:
    """A custom field's name from a header or attribute key: ASCII, lower case, words joined by
    underscores ("Phone Number" -> "phone_number", "Geboortedatum" -> "geboortedatum")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_NAME_CHARS.sub("_", ascii_text.lower()).strip("_")[:MAX_FIELD_NAME_LENGTH]


def suggest_mapping(headers: list[str]) -> dict[int, str]:
    """Column index -> target for the columns we recognise; every other named column becomes a
    custom field. Each standard target goes to the first column that claims it; later columns
    with the same meaning, and the exporting platform's metadata, are left out (the user can still
    map them)."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        key = _header_key(header)
        if not key:
            continue
        if key in KNOWN_HEADERS:
            target = KNOWN_HEADERS[key]
            if target is None or target in taken:
                continue
        else:
            name = field_name(header) or f"column_{index + 1}"
            target, suffix = FIELD_PREFIX + name, 2
            while target in taken:
                target, suffix = f"{FIELD_PREFIX}{name}_{suffix}", suffix + 1
        taken.add(target)
        mapping[index] = target
    return mapping


# --- validating rows -----------------------------------------------------------------------------

def address_digest(email_key: str) -> bytes:
    """The compact form in which `read_contacts` remembers an address it has seen."""
    return hashlib.blake2b(email_key.encode("utf-8"), digest_size=DIGEST_SIZE).digest()


class SeenAddresses(Protocol):
    """What `read_contacts` needs of the addresses seen so far: a set of digests will do."""

    def __contains__(self, digest: bytes) -> bool: ...

    def add(self, digest: bytes) -> None: ...


class AddressDigests:
    """A set of address digests in one flat array of 64-bit integers (open addressing).

    8 bytes a slot, kept at most half full: 16 to 32 bytes an address, where a Python set of 8-byte
    `bytes` takes about 75. A million addresses fit in 16 MB.
    """

    def __init__(self, capacity: int = 4096):
        size = 1 << max(4, (2 * capacity - 1).bit_length())
        self._slots = array("Q", [0]) * size
        self._mask = size - 1
        self._count = 0

    @staticmethod
    def _value(digest: bytes) -> int:
        return int.from_bytes(digest[:8], "little") or 1  # 0 marks an empty slot

    def _slot(self, value: int) -> int:
        """Where `value` is, or the empty slot where it belongs (linear probing)."""
        slots, mask = self._slots, self._mask
        index = value & mask  # a digest's low bits are as random as its high ones
        while slots[index] and slots[index] != value:
            index = (index + 1) & mask
        return index

    def __contains__(self, digest: bytes) -> bool:
        value = self._value(digest)
        return self._slots[self._slot(value)] == value

    def add(self, digest: bytes) -> None:
        value = self._value(digest)
        index = self._slot(value)
        if self._slots[index] == value:
            return
        self._slots[index] = value
        self._count += 1
        if 2 * self._count > len(self._slots):
            self._grow()

    def _grow(self) -> None:
        old = self._slots
        self._slots = array("Q", [0]) * (2 * len(old))
        self._mask = len(self._slots) - 1
        for value in old:
            if value:
                self._slots[self._slot(value)] = value

    def __len__(self) -> int:
        return self._count


def normalise_language(value: str) -> str | None:
    """An ISO 639-1 code ("nl", "en", ...) from a code, a locale ("nl-BE", "en_GB") or a language
    name in English, Dutch or the language itself; None when we cannot tell."""
    text = unicodedata.normalize("NFKD", value.strip()).encode("ascii", "ignore").decode("ascii").casefold()
    if not text:
        return None
    code = text.replace("_", "-").split("-", 1)[0]
    if code in ISO_639_1:
        return code
    return LANGUAGE_NAMES.get(code) or LANGUAGE_NAMES.get(text)


def split_tags(value: str) -> list[str]:
    """Tags from a cell: separated by commas or semicolons. Mailchimp writes a quoted list
    ("Klant","Webinar, april"), so a tag may hold the separator: the cell is read as one CSV line."""
    tags = (tag.strip()[:MAX_TAG_LENGTH] for tag in _tag_cells(value))
    return [tag for tag in tags if tag]


def _tag_cells(value: str) -> list[str]:
    if '"' not in value:  # nothing quoted: either separator splits
        return [part for cell in _csv_line(value, ",") for part in cell.split(";")]
    # quoted: the separator is the one that gives the most cells, as the quotes delimit them
    return max((_csv_line(value, delimiter) for delimiter in _TAG_SEPARATORS), key=len)


def _csv_line(value: str, delimiter: str) -> list[str]:
    try:
        return [cell for row in csv.reader(io.StringIO(value), delimiter=delimiter, skipinitialspace=True)
                for cell in row]
    except csv.Error:
        return [value]


def _attribute_text(value) -> str | None:
    """A listmonk attribute as the text of a custom field; nested values stay JSON."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip()
    return json.dumps(value, ensure_ascii=False)


class _Columns:
    """The mapping turned into column indices per target, once per import rather than per row."""

    def __init__(self, mapping: dict[int, str]):
        by_target: dict[str, list[int]] = {}
        for index, target in sorted(mapping.items()):
            by_target.setdefault(target, []).append(index)
        self.email = tuple(by_target.pop(EMAIL, ()))
        if not self.email:
            raise MappingIncomplete()
        self.first_name = tuple(by_target.pop(FIRST_NAME, ()))
        self.last_name = tuple(by_target.pop(LAST_NAME, ()))
        self.last_name_prefix = tuple(by_target.pop(LAST_NAME_PREFIX, ()))
        self.full_name = tuple(by_target.pop(FULL_NAME, ()))
        self.language = tuple(by_target.pop(LANGUAGE, ()))
        self.tags = tuple(by_target.pop(TAGS, ()))
        self.attributes = tuple(by_target.pop(ATTRIBUTES, ()))
        self.statuses = tuple(by_target.pop(STATUS, ())) + tuple(by_target.pop(SUBSCRIPTION_STATUS, ()))
        self.opted_out = tuple(by_target.pop(OPTED_OUT, ()))
        self.cleaned = tuple(by_target.pop(CLEANED, ()))
        self.fields = tuple((target[len(FIELD_PREFIX):], tuple(indices)) for target, indices in by_target.items()
                            if target.startswith(FIELD_PREFIX) and len(target) > len(FIELD_PREFIX))
        self.evidence = tuple((target[len(EVIDENCE_PREFIX):], tuple(indices)) for target, indices in by_target.items()
                              if target.startswith(EVIDENCE_PREFIX) and len(target) > len(EVIDENCE_PREFIX))


def _cell(cells: list[str], indices: tuple[int, ...]) -> str:
    """The first non-empty value among the columns, trimmed; "" if none."""
    for index in indices:
        if index < len(cells):
            value = cells[index].strip()
            if value:
                return value
    return ""


def _name(value: str) -> str | None:
    return " ".join(value.split())[:MAX_NAME_LENGTH] or None


def read_contacts(source: Iterable[tuple[int, list[str]]], mapping: dict[int, str],
                  seen: SeenAddresses | None = None) -> Iterator[ImportRow | RowProblem]:
    """Each non-empty row of `source` as an ImportRow, or as a RowProblem saying why it is skipped.

    An address counts once: the first row with it is kept, later ones are reported. `seen` holds the
    `address_digest` of every address met so far; pass one to dedupe against addresses beyond this
    file (it is added to). Raises MappingIncomplete at once if no column is mapped to "email".
    """
    columns = _Columns(mapping)
    return _contacts(source, columns, AddressDigests() if seen is None else seen)


def _contacts(source, columns: _Columns, seen: SeenAddresses) -> Iterator[ImportRow | RowProblem]:
    from email_validator import EmailNotValidError, validate_email  # imported here: keeps cold starts short

    for line, cells in source:
        if not any(cell.strip() for cell in cells):
            continue
        written = _cell(cells, columns.email)
        if not written:
            yield RowProblem(line, NO_ADDRESS, "")
            continue
        if len(written) > MAX_ADDRESS_LENGTH:
            yield RowProblem(line, INVALID_ADDRESS, written[:MAX_ADDRESS_LENGTH])
            continue
        try:
            email = validate_email(written, check_deliverability=False).normalized
        except EmailNotValidError:
            yield RowProblem(line, INVALID_ADDRESS, written)
            continue
        email_key = email.lower()
        digest = address_digest(email_key)
        status, written_status = _row_status(cells, columns)
        earlier = digest in seen
        if status.suppression is not None:  # suppressed whatever came before
            seen.add(digest)  # and a later row with this address must not bring it back
            yield RowProblem(line, status.reason, written, status, email, after_earlier_row=earlier)
            continue
        if earlier:
            yield RowProblem(line, DUPLICATE_ADDRESS, written)
            continue
        seen.add(digest)
        if status is not RowStatus.SUBSCRIBED:
            params = (("status", written_status[:MAX_STATUS_SHOWN]),) if status is RowStatus.NOT_KNOWN else ()
            yield RowProblem(line, status.reason, written, status, email, params)
            continue
        yield _row(line, email, email_key, cells, columns)


def _row_status(cells: list[str], columns: _Columns) -> tuple[RowStatus, str]:
    """What the row's status columns say, the highest rank winning, with the status as written. No
    status column at all: subscribed, on the account holder's declaration for the whole file."""
    found = [(RowStatus.SUBSCRIBED, "")]
    for index in columns.statuses:
        written = cells[index].strip() if index < len(cells) else ""
        found.append((STATUS_WORDS.get(_status_key(written), RowStatus.NOT_KNOWN) if written else RowStatus.NO_STATUS,
                      written))
    if columns.opted_out and _cell(cells, columns.opted_out):
        found.append((RowStatus.UNSUBSCRIBED, ""))
    if columns.cleaned and _cell(cells, columns.cleaned):
        found.append((RowStatus.HARD_BOUNCED, ""))
    return max(found, key=lambda status: status[0].rank)


def _row(line: int, email: str, email_key: str, cells: list[str], columns: _Columns) -> ImportRow:
    first_name = _name(_cell(cells, columns.first_name))
    last_name = _name(" ".join(filter(None, (_cell(cells, columns.last_name_prefix),
                                              _cell(cells, columns.last_name)))))
    if columns.full_name and not (first_name or last_name):
        first, _, last = " ".join(_cell(cells, columns.full_name).split()).partition(" ")
        first_name, last_name = _name(first), _name(last)

    tags: dict[str, None] = {}  # ordered, without repeats
    for index in columns.tags:
        if index < len(cells):
            tags.update(dict.fromkeys(split_tags(cells[index])))

    fields = {}
    for name, indices in columns.fields:
        value = _cell(cells, indices)
        if value:
            fields[name] = value[:MAX_FIELD_LENGTH]
    for index in columns.attributes:
        for key, value in _attributes(cells[index] if index < len(cells) else "").items():
            name, text = field_name(key), _attribute_text(value)
            if name and text and name not in fields:  # a column of its own wins
                fields[name] = text[:MAX_FIELD_LENGTH]

    evidence = {}
    for key, indices in columns.evidence:
        value = _cell(cells, indices)
        if value:
            evidence[key] = value[:MAX_FIELD_LENGTH]

    language = _cell(cells, columns.language)
    return ImportRow(line=line, email=email, email_key=email_key, first_name=first_name, last_name=last_name,
                     language=normalise_language(language) if language else None,
                     tags=tuple(islice(tags, MAX_TAGS)), fields=fields, evidence=evidence)


def _attributes(text: str) -> dict:
    """listmonk's attributes column: a JSON object. Anything else holds no fields."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# --- writing -------------------------------------------------------------------------------------

def batched(iterable: Iterable[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    """Consecutive lists of `size` items (the last may be shorter), read lazily from `iterable`."""
    if size < 1:
        raise ValueError("size must be at least 1")
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch
