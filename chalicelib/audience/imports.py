"""CSV imports of contacts into a list: upload, mapping, a declared lawful basis, the background run.

1. `begin` creates the import and a presigned POST: the browser sends the file straight to S3 (the
   exports bucket, which forgets everything after two days), never through Lambda.
2. `file_received` has the file scanned for malware (`chalicelib.scanning`; until the scanner has
   judged it, the account holder is asked to wait a moment), then reads only the first 64 KB of
   exactly the object scanned: encoding, delimiter, headers, a preview and the suggested mapping
   (Mailchimp, Sendy, listmonk headers are recognised). A file that is not CSV text (a zip or a
   zip bomb, whatever its name, a gzip, PDF, Excel workbook, binary data), is too large or holds
   malware is refused here with what it is, and deleted. The job scans and checks again, as the
   file may be replaced until the upload link expires.
3. `start` stores the mapping and the account holder's declaration of the lawful basis (text, time,
   IP, browser) and queues the job. Nothing is imported without that declaration.
4. `run` (jobs queue) streams the file through `csv_import`, 100 rows a chunk, a few chunks in
   flight at once, and writes a per-row report. A new contact is ONE item (see models.py) written
   with BatchWriteItem: 25 contacts a request. An existing contact is updated item by item with
   conditional writes, never overwritten. An address on the suppression list, or one that left
   this list, is never subscribed again; the report says so. Only a row the file shows as clearly
   subscribed is imported (csv_import.RowStatus): one it marks unsubscribed, bounced, blocklisted or
   as a spam complaint goes on the suppression list with that reason, which also ends a subscription
   an earlier import made; the others (unconfirmed, soft bounced, ...) are reported and change nothing.

Running again after a crash is safe: every write is an upsert keyed by the address, and a contact
that an earlier attempt of this same import already wrote counts as imported, not updated.
"""

import csv
import io
import tempfile
import threading
import time
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from enum import Enum

from chalicelib import errors
from chalicelib.audience.audience import ConsentSource, Contact, Membership, MemberStatus, contact_id_for
from chalicelib.audience.csv_import import (EMAIL, ImportRow, MappingIncomplete, RowProblem, SAMPLE_SIZE, UnreadableCsv,
                                            open_csv, read_contacts, suggest_mapping)
from chalicelib.audience.custom_fields import typed_fields
from chalicelib.i18n import N_, gettext, use_language
from chalicelib.observability import logger
from chalicelib.scanning import MalwareFound, NotScanned, ScanPending, UploadScan
from chalicelib.storage import ObjectChanged, ObjectMissing

IMPORT_JOB = "import-contacts"
MAX_FILE_BYTES = 200 * 1024 * 1024
UPLOAD_VALID_S = 3600
CHUNK_ROWS = 100  # rows read together: one BatchGetItem of their contacts, four BatchWriteItems
IN_FLIGHT_CHUNKS = 6  # chunks written at once: DynamoDB is latency-bound, the parsing is not
PROGRESS_EVERY_S = 3.0  # live enough for a page that refreshes itself, and few writes
PREVIEW_ROWS = 5
MAX_LAWFUL_BASIS = 2000

SUPPRESSED_ADDRESS = N_("This address is on your suppression list (unsubscribed, bounced, complained or "
                        "erased): not imported.")
LEFT_THIS_LIST = N_("This person unsubscribed from this list: not subscribed again.")
FILE_REPLACED = N_("The file was replaced after its columns were read, so it was not imported. Start a new "
                   "import and upload the file again.")
FIELD_LEFT_OUT = N_("Field %(field)s left out: %(problem)s")
OVER_CONTACT_LIMIT = N_("Not imported: your plan allows %(limit)s contacts and that limit is reached. Upgrade your "
                        "plan under Settings & Options, then import the file again for the rest.")
IMPORTED, UPDATED, SKIPPED = "imported", "updated", "skipped"
# The report's header and outcomes in the account holder's language (the message ids are what an
# English report has always said, so scripts reading English reports keep working).
REPORT_HEADER = (N_("line"), N_("email"), N_("outcome"), N_("reason"))
OUTCOME_NAMES = {IMPORTED: N_("imported"), UPDATED: N_("updated"), SKIPPED: N_("skipped")}


class ImportStatus(str, Enum):
    WAITING_FOR_FILE = "waiting-for-file"
    MAPPING = "mapping"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportNotFound(errors.NotFound):
    default_message = N_("There is no such import in your account.")


class ImportNotReady(errors.DomainError):
    status = 409
    code = "import-not-ready"
    title = N_("This import cannot take this step now")
    default_message = N_("This import has already started or has no file yet.")


@dataclass
class ContactImport:
    import_id: str
    account_id: str
    list_id: str
    file_name: str
    file_key: str
    status: ImportStatus
    created_at: datetime
    updated_at: datetime
    mapping: dict | None = None  # column index (as text) -> target
    headers: list | None = None
    preview: list | None = None
    encoding: str | None = None
    delimiter: str | None = None
    lawful_basis: str | None = None
    declaration: dict | None = None
    counts: dict = field(default_factory=lambda: {IMPORTED: 0, UPDATED: 0, SKIPPED: 0})
    rows_done: int = 0
    report_key: str | None = None
    problem: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)


class DynamoImports:
    """Imports are kept with the account's audience: their declarations are the proof of consent of
    every contact they brought in."""

    def __init__(self, audience_models):
        self._m = audience_models.ImportModel

    def save(self, imported: ContactImport) -> None:
        imported.updated_at = datetime.now(timezone.utc)
        self._m(pk=f"ACCOUNT#{imported.account_id}", sk=f"IMPORT#{imported.import_id}", import_id=imported.import_id,
                list_id=imported.list_id, file_name=imported.file_name, file_key=imported.file_key,
                status=imported.status.value, mapping=imported.mapping,
                headers={"headers": imported.headers, "preview": imported.preview} if imported.headers else None,
                encoding=imported.encoding, delimiter=imported.delimiter, lawful_basis=imported.lawful_basis,
                declaration=imported.declaration, counts=imported.counts, rows_done=imported.rows_done,
                report_key=imported.report_key, problem=imported.problem, created_at=imported.created_at,
                updated_at=imported.updated_at).save()

    def get(self, account_id: str, import_id: str) -> ContactImport | None:
        from pynamodb.exceptions import DoesNotExist

        try:
            return self._domain(account_id, self._m.get(f"ACCOUNT#{account_id}", f"IMPORT#{import_id}",
                                                        consistent_read=True))
        except (DoesNotExist, ValueError):
            return None

    def of_list(self, account_id: str, list_id: str, limit: int = 10) -> list[ContactImport]:
        items = self._m.query(f"ACCOUNT#{account_id}", self._m.sk.startswith("IMPORT#"),
                              filter_condition=self._m.list_id == list_id)
        found = [self._domain(account_id, i) for i in items]
        return sorted(found, key=lambda i: i.created_at, reverse=True)[:limit]

    @staticmethod
    def _domain(account_id, item) -> ContactImport:
        extra = item.headers or {}
        return ContactImport(item.import_id, account_id, item.list_id, item.file_name, item.file_key,
                             ImportStatus(item.status), item.created_at, item.updated_at, item.mapping,
                             extra.get("headers"), extra.get("preview"), item.encoding, item.delimiter,
                             item.lawful_basis, item.declaration, dict(item.counts or {}), int(item.rows_done or 0),
                             item.report_key, item.problem)


class ImportService:
    def __init__(self, audience, audience_service, imports: DynamoImports, bucket, jobs_queue, base_url: str,
                 scan: UploadScan):
        """`bucket` is a `chalicelib.storage.Bucket`: the exports bucket, which forgets in two days;
        `scan` judges each uploaded file before it is read."""
        self._audience, self._service, self._imports = audience, audience_service, imports
        self._bucket, self._jobs_queue = bucket, jobs_queue
        self._scan = scan
        self._base_url = base_url

    # --- steps the account holder takes ---------------------------------------------------------

    def begin(self, account, list_id: str, file_name: str = "contacts.csv") -> tuple[ContactImport, dict]:
        """A new import and the presigned POST that uploads its file; S3 sends the browser back to
        the mapping step."""
        self._service.get_list(account, list_id)
        now = datetime.now(timezone.utc)
        import_id = uuid.uuid4().hex
        imported = ContactImport(import_id, account.account_id, list_id, file_name[:200],
                                 f"imports/{account.account_id}/{import_id}.csv", ImportStatus.WAITING_FOR_FILE, now, now)
        self._imports.save(imported)
        return imported, self.upload_form(imported)

    def upload_form(self, imported: ContactImport) -> dict:
        back = f"{self._base_url}/lists/{imported.list_id}/imports/{imported.import_id}/uploaded"
        return self._bucket.upload_form(
            imported.file_key, UPLOAD_VALID_S, MAX_FILE_BYTES,
            {"success_action_redirect": back})

    def get(self, account, import_id: str) -> ContactImport:
        imported = self._imports.get(account.account_id, import_id)
        if imported is None:
            raise ImportNotFound()
        return imported

    def of_list(self, account, list_id: str) -> list[ContactImport]:
        return self._imports.of_list(account.account_id, list_id)

    def file_received(self, account, import_id: str) -> ContactImport:
        """Look at the start of the uploaded file: its encoding, delimiter, columns, first rows."""
        imported = self.get(account, import_id)
        if imported.status not in (ImportStatus.WAITING_FOR_FILE, ImportStatus.MAPPING):
            return imported
        head = self._bucket.head(imported.file_key)
        try:
            if head is None:
                raise ObjectMissing(imported.file_key)
            if head.size > MAX_FILE_BYTES:
                raise errors.ValidationFailed(N_("The file is larger than 200 MB. Split it into smaller files."))
            etag = self._scan.require_clean(self._bucket, imported.file_key)
            with self._bucket.open(imported.file_key, first_bytes=SAMPLE_SIZE, if_match=etag) as start:
                sample = start.read()
            source = open_csv(io.BytesIO(sample))
        except ObjectMissing:
            self._forget_file(imported)
            raise ImportNotReady(N_("The file has not arrived. Choose the file and upload it again.")) from None
        except ObjectChanged:  # sent again since the scan: the new file is judged on the next look
            raise ScanPending() from None
        except ScanPending:
            raise
        except errors.DomainError:  # not CSV, too large, malware, not scanned: the file goes
            self._bucket.delete_every_version(imported.file_key)
            self._forget_file(imported)
            raise
        with source:
            preview = []
            try:
                for _line, cells in source:
                    preview.append([cell[:100] for cell in cells[:30]])
                    if len(preview) == PREVIEW_ROWS:
                        break
            except UnreadableCsv:
                pass  # the sample may end halfway a row; what was read is preview enough
            imported.headers = [h[:100] for h in source.headers][:200]
            imported.encoding, imported.delimiter = source.encoding, source.delimiter
        imported.preview = preview
        imported.mapping = {str(index): target for index, target in suggest_mapping(imported.headers).items()}
        imported.status = ImportStatus.MAPPING
        self._imports.save(imported)
        return imported

    def start(self, account, import_id: str, mapping: dict, declared: bool, lawful_basis: str,
              ip: str | None, user_agent: str | None) -> ContactImport:
        """Store the mapping and the declaration of the lawful basis, and queue the import."""
        imported = self.get(account, import_id)
        if imported.status is not ImportStatus.MAPPING:
            raise ImportNotReady()
        field_errors = []
        lawful_basis = (lawful_basis or "").strip()
        if not declared:
            field_errors.append(errors.FieldError("declared", N_(
                "Confirm that every person in this file agreed to receive your mailings, or that you have "
                "another lawful basis.")))
        if not lawful_basis:
            field_errors.append(errors.FieldError("lawful_basis", N_(
                "Say how these people gave their consent, e.g. \"signed up at our shop, 2024\".")))
        elif len(lawful_basis) > MAX_LAWFUL_BASIS:
            field_errors.append(errors.FieldError("lawful_basis", N_("Keep this under 2000 characters.")))
        columns = len(imported.headers or ())
        clean = {str(int(index)): target for index, target in mapping.items()
                 if str(index).isdigit() and int(index) < columns and target}
        if EMAIL not in clean.values():
            field_errors.append(errors.FieldError("mapping", MappingIncomplete.title))
        if field_errors:
            raise errors.ValidationFailed(field_errors=field_errors)
        imported.mapping, imported.lawful_basis = clean, lawful_basis
        imported.declaration = {"text": lawful_basis, "declared_at": datetime.now(timezone.utc).isoformat(),
                                "ip": ip, "user_agent": (user_agent or "")[:300], "by": account.email}
        imported.status = ImportStatus.QUEUED
        self._imports.save(imported)
        self._jobs_queue.enqueue({"job": IMPORT_JOB, "account_id": account.account_id, "import_id": import_id})
        logger.info("import queued", import_id=import_id, list_id=imported.list_id)
        return imported

    def _forget_file(self, imported: ContactImport) -> None:
        """What an earlier file showed is gone with it: the import waits for a file again."""
        if imported.status is ImportStatus.MAPPING:
            imported.status, imported.headers, imported.preview, imported.mapping = (
                ImportStatus.WAITING_FOR_FILE, None, None, None)
            self._imports.save(imported)

    def report_url(self, account, import_id: str) -> str:
        imported = self.get(account, import_id)
        if not imported.report_key:
            raise ImportNotReady(N_("The report is not ready yet."))
        return self._bucket.download_url(imported.report_key, 300, file_name="import-report.csv")

    # --- the background job -----------------------------------------------------------------------

    def run(self, account_id: str, import_id: str, language: str = "nl") -> ContactImport | None:
        imported = self._imports.get(account_id, import_id)
        if imported is None or imported.status in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.MAPPING,
                                                   ImportStatus.WAITING_FOR_FILE):
            return imported
        imported.status, imported.rows_done = ImportStatus.RUNNING, 0
        imported.counts = {IMPORTED: 0, UPDATED: 0, SKIPPED: 0}
        self._imports.save(imported)
        started = time.perf_counter()
        try:
            with tempfile.TemporaryFile() as report_file, use_language(language):
                try:
                    etag = self._scan.require_clean(self._bucket, imported.file_key)
                    self._import_rows(imported, report_file, etag)
                except (ScanPending, ObjectChanged):  # replaced since the mapping step, not judged yet
                    raise UnreadableCsv(FILE_REPLACED) from None
                report_file.seek(0)
                imported.report_key = f"imports/{account_id}/{import_id}-report.csv"
                self._bucket.upload(imported.report_key, report_file, "text/csv; charset=utf-8")
        except (UnreadableCsv, MappingIncomplete, MalwareFound, NotScanned) as unreadable:
            # not CSV, malware (already deleted), not scanned: nothing was imported, and the file goes
            with use_language(language):  # kept as the account holder reads it
                imported.problem = errors.message_text(unreadable)
            imported.status = ImportStatus.FAILED
            self._imports.save(imported)
            self._bucket.delete_every_version(imported.file_key)
            logger.info("import stopped: file refused", import_id=import_id, error_code=unreadable.code)
            return imported
        self._bucket.delete(imported.file_key)  # the file is not kept once read
        imported.status = ImportStatus.DONE
        self._imports.save(imported)
        logger.info("import done", import_id=import_id, rows=imported.rows_done,
                    seconds=round(time.perf_counter() - started, 2), **imported.counts)
        return imported

    def _import_rows(self, imported: ContactImport, report_file, etag: str) -> None:
        body = self._bucket.open(imported.file_key, if_match=etag)
        text = io.TextIOWrapper(report_file, encoding="utf-8", newline="")
        report = csv.writer(text)
        report.writerow([gettext(name) for name in REPORT_HEADER])
        writer = _ChunkWriter(self._audience, self._service, imported)
        mapping = {int(index): target for index, target in (imported.mapping or {}).items()}
        last_progress = time.monotonic()
        with open_csv(body) as source, ThreadPoolExecutor(max_workers=IN_FLIGHT_CHUNKS) as pool:
            pending = deque()

            def settle(future) -> None:
                for line, email, outcome, reason in future.result():
                    imported.counts[outcome] += 1
                    imported.rows_done += 1
                    report.writerow([line, email, gettext(OUTCOME_NAMES[outcome]), _reason_text(reason)])

            chunk = []
            for row in read_contacts(source, mapping):
                chunk.append(row)
                if len(chunk) == CHUNK_ROWS:
                    pending.append(pool.submit(writer.write, chunk))
                    chunk = []
                    if len(pending) >= IN_FLIGHT_CHUNKS:
                        settle(pending.popleft())
                        if time.monotonic() - last_progress >= PROGRESS_EVERY_S:
                            self._imports.save(imported)
                            last_progress = time.monotonic()
            if chunk:
                pending.append(pool.submit(writer.write, chunk))
            while pending:
                settle(pending.popleft())
        # A row suppressed after an earlier row of the same address was imported: that row's chunk may
        # have written its subscription after the suppression ended the others. Now all is written.
        for email, reason, source in writer.suppress_again:
            self._service.suppress(imported.account_id, email, reason, source)
        self._service.contacts_imported(imported.account_id, writer.written)
        if writer.over_limit:
            logger.info("import stopped at the contact limit", import_id=imported.import_id, left_out=writer.over_limit)
        text.flush()
        text.detach()


class _ChunkWriter:
    """Decides and writes one chunk of rows; several chunks run at once on a thread pool."""

    def __init__(self, audience, audience_service, imported: ContactImport):
        self._audience, self._audience_service = audience, audience_service
        self._imported = imported
        self._account_id = imported.account_id
        self._list_id = imported.list_id
        self._suppressed = _SuppressedAddresses(audience, imported.account_id)
        self.suppress_again: list[tuple] = []  # (email, reason, source) to suppress once every chunk is written
        self._lock = threading.Lock()
        self.written = 0  # new contacts written (each claimed against the plan's limit)
        self.over_limit = 0  # new contacts left out: over the plan's contact limit
        self._definitions = audience_service.custom_field_definitions(imported.account_id)
        self._labels = {d.key: d.label for d in self._definitions}  # the report names a field as its owner wrote it
        now = datetime.now(timezone.utc)
        self._now = now
        self._consent = {"source": ConsentSource.IMPORT.value, "at": now.isoformat(), "import_id": imported.import_id,
                         "file_name": imported.file_name, "lawful_basis": imported.lawful_basis,
                         "declared_by": (imported.declaration or {}).get("by"),
                         "ip": (imported.declaration or {}).get("ip")}

    def write(self, chunk: list) -> list[tuple]:
        outcomes, candidates = [], []
        for row in chunk:
            if isinstance(row, RowProblem):
                if row.suppression is not None:
                    source = f"import: {row.status.name.lower().replace('_', ' ')} in the file"
                    self._audience_service.suppress(self._account_id, row.email, row.suppression, source)
                    if row.after_earlier_row:
                        self.suppress_again.append((row.email, row.suppression, source))
                reason = Reason(row.reason, dict(row.params)) if row.params else row.reason
                outcomes.append((row.line, row.value, SKIPPED, reason))
            elif self._suppressed.contains(row.email_key):
                outcomes.append((row.line, row.email, SKIPPED, SUPPRESSED_ADDRESS))
            else:
                fields, left_out = typed_fields(self._definitions, row.fields)
                named = tuple((self._labels.get(key, key), message) for key, message in left_out)
                candidates.append((replace(row, fields=fields), FieldsLeftOut(named) if named else None))
        existing = self._audience.existing_contact_ids(
            self._account_id, [contact_id_for(self._account_id, r.email_key) for r, _ in candidates])
        new_contacts, consents, new_rows = [], [], []
        for row, left_out in candidates:
            cid = contact_id_for(self._account_id, row.email_key)
            if cid in existing:
                outcome, reason = self._update_existing(row, cid)
                outcomes.append((row.line, row.email, outcome, reason or (left_out if outcome != SKIPPED else None)))
            elif cid not in {c.contact_id for c in new_contacts}:
                new_contacts.append(Contact(cid, self._account_id, row.email, row.email_key, row.first_name,
                                            row.last_name, row.language, dict(row.fields or {}), list(row.tags or ()),
                                            self._now, self._now))
                consents.append(dict(self._consent, evidence=row.evidence) if row.evidence else self._consent)
                new_rows.append((row, left_out))
            else:  # the same address twice in one chunk: one contact, written once
                outcomes.append((row.line, row.email, IMPORTED, left_out))
        # The plan's contact limit (P7): claimed before the write; what does not fit is reported, not written.
        room = self._audience_service.claim_contacts_up_to(self._account_id, len(new_contacts))
        for row, left_out in new_rows[:room]:
            outcomes.append((row.line, row.email, IMPORTED, left_out))
        if room < len(new_contacts):
            over = Reason(OVER_CONTACT_LIMIT, {"limit": self._audience_service.contact_limit(self._account_id)})
            outcomes.extend((row.line, row.email, SKIPPED, over) for row, _ in new_rows[room:])
        self._audience.add_subscribed_contacts(new_contacts[:room], self._list_id, consents[:room])
        with self._lock:  # chunks are written on several threads at once
            self.written += room
            self.over_limit += len(new_contacts) - room
        return outcomes

    def _update_existing(self, row: ImportRow, contact_id: str) -> tuple[str, str | None]:
        audience = self._audience
        contact = audience.get_contact(self._account_id, contact_id)
        if contact is None:  # erased a moment ago
            return SKIPPED, SUPPRESSED_ADDRESS
        membership = audience.membership(self._account_id, self._list_id, contact.contact_id)
        if membership is not None and (membership.consent or {}).get("import_id") == self._imported.import_id:
            return IMPORTED, None  # written by an earlier attempt of this same import
        if membership is not None and membership.status is MemberStatus.UNSUBSCRIBED:
            return SKIPPED, LEFT_THIS_LIST
        if _merge_details(contact, row):
            audience.save_contact(contact)
        if membership is None or membership.status is MemberStatus.UNCONFIRMED:
            consent = dict(self._consent, evidence=row.evidence) if row.evidence else dict(self._consent)
            audience.save_membership(Membership(self._account_id, self._list_id, contact.contact_id,
                                                MemberStatus.SUBSCRIBED, consent, self._now))
        return UPDATED, None


@dataclass(frozen=True)
class Reason:
    """A report row's reason with values for its placeholders."""

    message: str
    params: dict


@dataclass(frozen=True)
class FieldsLeftOut:
    """A row's values that did not fit their custom field's type: (field label, message id) each."""

    problems: tuple


def _reason_text(reason) -> str:
    """A report row's reason in the account holder's language."""
    if not reason:
        return ""
    if isinstance(reason, FieldsLeftOut):
        return " ".join(gettext(FIELD_LEFT_OUT) % {"field": key, "problem": gettext(message)}
                        for key, message in reason.problems)
    if isinstance(reason, Reason):
        return errors.message_text(reason)
    return gettext(reason)


def _merge_details(contact: Contact, row: ImportRow) -> bool:
    """Fill in what the file has; empty cells erase nothing. True when anything changed."""
    changed = False
    for name in ("first_name", "last_name", "language"):
        value = getattr(row, name)
        if value and value != getattr(contact, name):
            setattr(contact, name, value)
            changed = True
    for tag in row.tags:
        if tag not in contact.tags:
            contact.tags.append(tag)
            changed = True
    for key, value in row.fields.items():
        if contact.fields.get(key) != value:
            contact.fields[key] = value
            changed = True
    return changed


class _SuppressedAddresses:
    """The account's suppression list, read once when the import starts (8 bytes an address), and
    checked again by a direct read for every hit, so a stale entry never wrongly skips anyone.
    An address suppressed while the import runs is still never mailed: sending checks the list."""

    def __init__(self, audience, account_id: str):
        self._audience, self._account_id = audience, account_id
        self._digests = {bytes.fromhex(h[:16]) for h in audience.suppressed_hashes(account_id)}

    def contains(self, email_key: str) -> bool:
        from chalicelib.audience.audience import address_hash

        return bytes.fromhex(address_hash(email_key)[:16]) in self._digests and \
            self._audience.suppression(self._account_id, email_key) is not None
