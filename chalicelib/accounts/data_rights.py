"""Data rights (P13): download all my data, and erase my account.

The export is prepared in the background (jobs queue), with progress, as a zip of JSON and CSV
in the exports bucket; its link works for 24 hours and the bucket deletes it after two days.
Erasure removes every piece of personal data and content of the account at once and for good;
only the audit log stays, and it names the account by its random id alone.

Each kind of account data is an `AccountData` section: later features (lists, contacts,
templates, campaigns...) add theirs to SECTIONS, and both export and erasure cover them.
"""

import csv
import io
import json
import uuid
import zipfile
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum

from chalicelib import errors
from chalicelib.accounts import passwords
from chalicelib.accounts.audit import AuditEvent
from chalicelib.dynamo import bind
from chalicelib.i18n import N_

EXPORT_PREFIX = "EXPORT#"
EXPORT_LINK_VALID_FOR = timedelta(hours=24)
EXPORT_KEPT_FOR = timedelta(days=2)  # the bucket's lifecycle rule deletes the file then too
DOWNLOAD_URL_VALID_S = 300
EXPORT_JOB = "export-account-data"


class ExportStatus(str, Enum):
    QUEUED = "queued"
    PREPARING = "preparing"
    READY = "ready"
    FAILED = "failed"


@dataclass
class Export:
    export_id: str
    account_id: str
    status: ExportStatus
    progress: int
    requested_at: datetime
    ready_at: datetime | None
    object_key: str | None
    list_id: str | None = None  # a list's CSV export; None for the export of all the account's data
    segment_id: str | None = None  # a list's CSV export of one segment's members

    @property
    def downloadable(self) -> bool:
        return self.status is ExportStatus.READY and self.ready_at is not None and \
            datetime.now(timezone.utc) - self.ready_at < EXPORT_LINK_VALID_FOR


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(type(value).__name__)


class DynamoExports:
    def __init__(self, table_name: str, region: str, host: str | None):
        from chalicelib.accounts.models import ExportModel

        bind(ExportModel, table_name, region, host)
        self._model = ExportModel

    def create(self, account_id: str, list_id: str | None = None, segment_id: str | None = None) -> Export:
        export = Export(uuid.uuid4().hex, account_id, ExportStatus.QUEUED, 0, _now(), None, None, list_id, segment_id)
        self._model(pk=EXPORT_PREFIX + export.export_id, account_id=account_id, status=export.status.value,
                    progress=0, requested_at=export.requested_at, list_id=list_id, segment_id=segment_id,
                    expires_at=int((export.requested_at + EXPORT_KEPT_FOR).timestamp())).save()
        return export

    def get(self, account_id: str, export_id: str) -> Export | None:
        """An export of this account; another account's id is simply not found."""
        from pynamodb.exceptions import DoesNotExist

        try:
            item = self._model.get(EXPORT_PREFIX + export_id, consistent_read=True)
        except (DoesNotExist, ValueError):
            return None
        return self._export(item) if item.account_id == account_id else None

    def update(self, export: Export) -> None:
        self._model(pk=EXPORT_PREFIX + export.export_id).update(actions=[
            self._model.status.set(export.status.value), self._model.progress.set(export.progress),
            self._model.object_key.set(export.object_key), self._model.ready_at.set(export.ready_at)])

    def of_account(self, account_id: str, list_id: str | None = None, every_kind: bool = False) -> list[Export]:
        """The account's data exports, or one list's CSV exports, or (`every_kind`) all of them."""
        found = []
        for key in self._model.by_account.query(account_id, self._model.pk.startswith(EXPORT_PREFIX)):
            export = self.get(account_id, key.pk.removeprefix(EXPORT_PREFIX))
            if export and (every_kind or export.list_id == list_id):
                found.append(export)
        return sorted(found, key=lambda e: e.requested_at, reverse=True)

    def delete(self, export: Export) -> None:
        self._model(pk=EXPORT_PREFIX + export.export_id).delete()

    @staticmethod
    def _export(item) -> Export:
        return Export(item.pk.removeprefix(EXPORT_PREFIX), item.account_id, ExportStatus(item.status),
                      int(item.progress or 0), item.requested_at, item.ready_at, item.object_key, item.list_id,
                      item.segment_id)


@dataclass
class Section:
    """One kind of account data: its files in the export, and how it is erased."""

    name: str
    export: callable  # (account) -> {file name: JSON-able data or list of CSV rows}
    erase: callable  # (account) -> None


class DataRights:
    def __init__(self, accounts, auth, remembered, audit, mail_events, exports, bucket, jobs_queue,
                 audience=None, campaigns=None, assets=None, sending_domains=None, testimonials=None):
        """`bucket` is a `chalicelib.storage.Bucket`: the exports bucket (imports' files are there too)."""
        self._accounts, self._auth, self._remembered = accounts, auth, remembered
        self._sending_domains = sending_domains
        self._testimonials = testimonials
        self._audience, self._campaigns, self._assets = audience, campaigns, assets
        self._audit, self._mail_events, self._exports = audit, mail_events, exports
        self._bucket, self._jobs_queue = bucket, jobs_queue

    def sections(self) -> list[Section]:
        from chalicelib.accounts.account import Account

        def profile(account: Account):
            data = {k: v for k, v in asdict(account).items() if k not in ("password_hash", "version")}
            return {"profile.json": data}

        def consents(account: Account):
            history = [e for e in self._audit.entries(account.account_id, limit=1000)
                       if e["event"].startswith("consent.")]
            return {"consents.json": {"product_news": account.product_news,
                                      "product_news_consent": account.product_news_consent, "history": history}}

        def devices(account: Account):
            return {"remembered_devices.json": [asdict(d) for d in self._remembered.devices(account.account_id)]}

        def security_log(account: Account):
            entries = self._audit.entries(account.account_id, limit=10000)
            rows = [["at", "event", "ip_prefix"]] + [[e["at"], e["event"], e["ip_prefix"] or ""] for e in entries]
            return {"security_log.json": entries, "security_log.csv": rows}

        def mail_to_you(account: Account):
            return {"mail_events.json": [{**asdict(e), "event_type": e.event_type.value, "tags": None}
                                         for e in self._mail_events.for_account(account.account_id)]}

        def audience(account: Account):
            kinds = {"LIST#": "lists", "CONTACT#": "contacts", "MEMBER#": "memberships_and_consent",
                     "SUPPRESSED#": "suppression_list", "FIELD#": "custom_fields", "SEGMENT#": "segments",
                     "IMPORT#": "imports"}
            files = {f"{name}.json": [] for name in kinds.values()}
            for sort_key, item in self._audience.account_items(account.account_id):
                if sort_key.startswith("CONTACT#") and item.get("list_id"):
                    # a contact's first list is stored on the contact item: exported as a membership
                    files["memberships_and_consent.json"].append({
                        "list_id": item.pop("list_id"), "contact_id": item["contact_id"], "status": item.pop("status"),
                        "consent": item.pop("consent", None), "updated_at": item.pop("member_updated_at", None)})
                for prefix, name in kinds.items():
                    if sort_key.startswith(prefix):
                        files[f"{name}.json"].append(item)
            contacts = files["contacts.json"]
            files["contacts.csv"] = [["email", "first_name", "last_name", "language", "tags"]] + [
                [c.get("email"), c.get("first_name") or "", c.get("last_name") or "", c.get("language") or "",
                 ";".join(c.get("tags") or [])] for c in contacts]
            return files

        def campaigns(account: Account):
            if self._campaigns is None:
                return {}
            return {"templates.json": [{"name": t.name, "subject": t.subject, "html": t.html, "text": t.text}
                                       for t in self._campaigns.templates(account.account_id)],
                    "campaigns.json": [{"name": c.name, "subject": c.subject, "from_name": c.from_name,
                                        "from_email": c.from_email, "reply_to": c.reply_to, "state": c.state.value,
                                        "recipients": c.fanout.recipients, "created_at": c.created_at.isoformat()}
                                       for c in self._campaigns.campaigns(account.account_id)]}

        def sending_domains(account: Account):
            if self._sending_domains is None:
                return {}
            return {"sending_domains.json": [
                {"domain": d.domain, "status": d.status.value, "created_at": d.created_at.isoformat(),
                 "verified_at": d.verified_at.isoformat() if d.verified_at else None}
                for d in self._sending_domains.domains(account)]}

        def images(account: Account):
            if self._assets is None:
                return {}
            return {"images.json": [{"name": a.name, "url": a.url, "size": a.size, "width": a.width,
                                     "height": a.height, "created_at": a.created_at.isoformat()}
                                    for a in self._assets.list_assets(account.account_id)]}

        def testimonials(account: Account):
            if self._testimonials is None:
                return {}
            return {"testimonials.json": self._testimonials.export(account.account_id)}

        return [
            Section("profile", profile, lambda account: None),  # the account itself goes last, in erase()
            Section("audience", audience, lambda account: self._audience.erase_account(account.account_id)),
            Section("consents", consents, lambda account: None),
            Section("devices", devices, lambda account: self._remembered.forget_all(account.account_id)),
            Section("security_log", security_log, lambda account: None),  # kept: the law asks for it
            Section("mail_events", mail_to_you, lambda account: self._mail_events.erase_account(account.account_id)),
            Section("exports", lambda account: {}, self._erase_exports),
            # before the campaigns: their erasure takes the domain items with it, not the claims and SES identities
            Section("sending_domains", sending_domains, lambda account: self._sending_domains.erase_account(account)
                    if self._sending_domains else None),
            Section("campaigns", campaigns, lambda account: self._campaigns.erase_account(account.account_id)
                    if self._campaigns else None),
            Section("images", images, lambda account: self._assets.erase_account(account.account_id)
                    if self._assets else None),
            Section("testimonials", testimonials, lambda account: self._testimonials.erase_account(account.account_id)
                    if self._testimonials else None),
            Section("sessions", lambda account: {}, lambda account: self._auth.end_all_sessions(account.account_id)),
            Section("links", lambda account: {}, lambda account: self._auth.delete_links(account.account_id)),
        ]

    # --- export --------------------------------------------------------------------------------

    def request_export(self, account, ip: str | None) -> Export:
        export = self._exports.create(account.account_id)
        self._jobs_queue.enqueue({"job": EXPORT_JOB, "export_id": export.export_id, "account_id": account.account_id})
        self._audit.record(account.account_id, AuditEvent.EXPORT_REQUESTED, ip)
        return export

    def prepare_export(self, account_id: str, export_id: str) -> Export | None:
        """The background job: collect every section, zip it, store it, report progress."""
        export = self._exports.get(account_id, export_id)
        account = self._accounts.get(account_id)
        if export is None or account is None:
            return None  # erased meanwhile: nothing to prepare
        export.status, export.progress = ExportStatus.PREPARING, 0
        self._exports.update(export)
        archive = io.BytesIO()
        sections = self.sections()
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
            for done, section in enumerate(sections, start=1):
                for name, content in section.export(account).items():
                    zipped.writestr(f"{section.name}/{name}", _file(name, content))
                export.progress = int(done * 90 / len(sections))
                self._exports.update(export)
            zipped.writestr("README.txt", README)
        export.object_key = f"exports/{account_id}/{export_id}.zip"
        self._bucket.put(export.object_key, archive.getvalue(), content_type="application/zip")
        export.status, export.progress, export.ready_at = ExportStatus.READY, 100, _now()
        self._exports.update(export)
        self._audit.record(account_id, AuditEvent.EXPORT_READY, None)
        return export

    def export(self, account, export_id: str) -> Export | None:
        return self._exports.get(account.account_id, export_id)

    def exports(self, account) -> list[Export]:
        return self._exports.of_account(account.account_id)

    def download_url(self, account, export_id: str, ip: str | None) -> str:
        export = self._exports.get(account.account_id, export_id)
        if export is None:
            raise errors.NotFound(N_("There is no such export of your data."))
        if not export.downloadable:
            raise errors.Conflict(N_("This export is not ready, or its 24 hours have passed. Ask for a new one."))
        self._audit.record(account.account_id, AuditEvent.EXPORT_DOWNLOADED, ip)
        return self._bucket.download_url(export.object_key, DOWNLOAD_URL_VALID_S, file_name=_file_name(export))

    # --- erasure -------------------------------------------------------------------------------

    def erase(self, account, password: str, ip: str | None) -> None:
        """Remove all personal data and content of the account, irreversibly (re-authenticated)."""
        if not passwords.verify_password(account.password_hash, password):
            from chalicelib.accounts.service import WrongPassword

            raise WrongPassword()
        for section in self.sections():
            section.erase(account)
        self._accounts.delete(account)
        self._audit.record(account.account_id, AuditEvent.ERASED, ip)

    def _erase_exports(self, account) -> None:
        for export in self._exports.of_account(account.account_id, every_kind=True):
            if export.object_key:
                self._bucket.delete(export.object_key)
            self._exports.delete(export)
        # import files and their reports (they expire in two days anyway)
        for key in list(self._bucket.keys(f"imports/{account.account_id}/")):
            self._bucket.delete(key)


def _file_name(export: Export) -> str:
    if export.list_id:
        return f"mailexpert-list-{export.list_id[:8]}-{export.requested_at:%Y%m%d}.csv"
    return f"mailexpert-data-{export.requested_at:%Y%m%d}.zip"


def _file(name: str, content) -> str:
    if name.endswith(".csv"):
        out = io.StringIO()
        csv.writer(out).writerows(content)
        return out.getvalue()
    return json.dumps(content, ensure_ascii=False, indent=2, default=_jsonable)


README = """MailExpert: all data of your account

Each folder holds one kind of data, as JSON (and CSV where it is a table):
profile/            your details as you gave them
consents/           your choices about product news, with the words you agreed to
devices/            the devices that remember your login
security_log/       security-relevant events on your account (logins, changes, exports)
mail_events/        what happened to the mails we sent you (delivered, bounced...)
audience/           your lists, contacts (also as CSV), their consent records, your suppression list
sending_domains/    your own sending domains and their status
campaigns/          your templates and campaigns (settings, state, number of recipients)
images/             the images you uploaded: name, address, size
testimonials/       your testimonials, with each permission you gave to publish them (who, when,
                    from which IP address, the exact text and details, the words you agreed to)
"""
