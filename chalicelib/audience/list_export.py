"""A list's members as CSV, with their consent columns, prepared in the background; or only the
members of one of its segments (every status, the same columns).

The file is written row by row to a temporary file and uploaded in parts, so a list of any size
passes through in little memory; the download link is the same 24-hour one as for data exports.
"""

import csv
import io
import tempfile

from chalicelib.audience.audience import MemberStatus
from chalicelib.observability import logger

EXPORT_LIST_JOB = "export-list"
PAGE = 500
COLUMNS = ["email", "first_name", "last_name", "language", "tags", "status", "consent_source", "consent_at",
           "consent_ip", "consent_user_agent", "form_text_version", "lawful_basis", "confirmed_at", "confirmed_ip",
           "withdrawn_at"]


def member_row(contact, membership) -> list[str]:
    consent = membership.consent or {}
    return [contact.email, contact.first_name or "", contact.last_name or "", contact.language or "",
            ";".join(contact.tags), membership.status.value, consent.get("source") or "", consent.get("at") or "",
            consent.get("ip") or "", consent.get("user_agent") or "", consent.get("form_version") or "",
            consent.get("lawful_basis") or "", consent.get("confirmed_at") or "", consent.get("confirmed_ip") or "",
            consent.get("withdrawn_at") or ""]


class ListExports:
    def __init__(self, audience, exports, bucket, jobs_queue, segments=None):
        """`bucket` is a `chalicelib.storage.Bucket`: the exports bucket."""
        self._audience, self._exports = audience, exports
        self._bucket, self._jobs_queue = bucket, jobs_queue
        self._segments = segments

    def request(self, account, audience_list, segment=None):
        export = self._exports.create(account.account_id, list_id=audience_list.list_id,
                                      segment_id=segment.segment_id if segment is not None else None)
        self._jobs_queue.enqueue({"job": EXPORT_LIST_JOB, "account_id": account.account_id,
                                  "export_id": export.export_id})
        return export

    def of_list(self, account, list_id: str):
        return [e for e in self._exports.of_account(account.account_id, list_id=list_id) if not e.segment_id]

    def of_segment(self, account, segment):
        return [e for e in self._exports.of_account(account.account_id, list_id=segment.list_id)
                if e.segment_id == segment.segment_id]

    def prepare(self, account_id: str, export_id: str):
        """The background job: every member, every status, one CSV row each."""
        from datetime import datetime, timezone

        from chalicelib.accounts.data_rights import ExportStatus

        export = self._exports.get(account_id, export_id)
        if export is None or export.list_id is None:
            return None
        wanted = None
        if export.segment_id:
            wanted = self._segments.member_filter(account_id, export.segment_id)
            if wanted is None:  # the segment was deleted in the meantime
                export.status = ExportStatus.FAILED
                self._exports.update(export)
                return export
        export.status = ExportStatus.PREPARING
        self._exports.update(export)
        rows = 0
        with tempfile.TemporaryFile() as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            writer = csv.writer(text)
            writer.writerow(COLUMNS)
            for status in MemberStatus:
                cursor = None
                while True:
                    page, cursor = self._audience.member_page(account_id, export.list_id, status, cursor, PAGE)
                    for contact, membership in page:
                        if wanted is not None and not wanted(contact, membership):
                            continue
                        writer.writerow(member_row(contact, membership))
                        rows += 1
                    if not cursor:
                        break
            text.flush()
            text.detach()  # hand the file back without closing it
            raw.seek(0)
            export.object_key = f"exports/{account_id}/{export_id}.csv"
            self._bucket.upload(export.object_key, raw, "text/csv; charset=utf-8")
        export.status, export.progress, export.ready_at = ExportStatus.READY, 100, datetime.now(timezone.utc)
        self._exports.update(export)
        logger.info("list exported", list_id=export.list_id, segment=bool(export.segment_id), rows=rows)
        return export
