"""Malware scanning of uploads (P8): one interface, a scanner per place, and what the app does with a verdict.

Uploads go from the browser straight to S3; nothing the app does with one (an image re-encoded, a
CSV file imported) starts before `UploadScan.require_clean` has said the object is clean.

Scanners (chosen per stage in `chalicelib.composition`):

- `GuardDutyTags` (AWS): GuardDuty Malware Protection for S3 scans every new object under the
  upload prefixes (`infra/template.json`, `AWS::GuardDuty::MalwareProtectionPlan`) and tags it
  `GuardDutyMalwareScanStatus`. The app only reads that tag: NO_THREATS_FOUND is clean,
  THREATS_FOUND infected, no tag yet means the scan is still running (seconds, for our sizes), and
  UNSUPPORTED, ACCESS_DENIED or FAILED mean the object was not scanned and is not used.
- `ClamdScanner` (local, where a clamd socket answers): the object's bytes are streamed to ClamAV.
- `SignatureScanner` (local and tests otherwise): a stand-in that knows the EICAR test file, the
  one signature every antivirus agrees on, so the whole path (refusal, deletion, message) runs
  everywhere. It is no protection: the README says which scanner ran, and so do /health and the log.

Whatever the scanner, the verdict is about one object: `scan` returns the ETag of the object it
judged, and the upload paths read exactly that object (`Bucket.open(..., if_match=etag)`), so a
file swapped in after the scan is never used unscanned.

An infected object, or one that could not be scanned, is deleted (every version) and the user is
told why; one still being scanned stays, and the user is asked to wait a moment (409, Retry-After).
"""

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from chalicelib import errors
from chalicelib.i18n import N_
from chalicelib.observability import logger
from chalicelib.storage import Bucket, ObjectInfo, ObjectMissing

GUARDDUTY_TAG = "GuardDutyMalwareScanStatus"
RETRY_AFTER_S = 5  # GuardDuty scans a small object in a few seconds
CLAMD_SOCKET = "/var/run/clamav/clamd.ctl"  # Debian's clamav-daemon
CLAMD_TIMEOUT_S = 30
READ_CHUNK_BYTES = 1024 * 1024
# The EICAR anti-virus test file (eicar.org), split so that this source file is not itself "infected".
EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
EICAR_THREAT = "Eicar-Test-Signature"


class ScanStatus(Enum):
    CLEAN = "clean"
    INFECTED = "infected"
    PENDING = "pending"  # not scanned yet: ask again in a moment
    NOT_SCANNED = "not-scanned"  # the scanner could not or would not scan it: never used


@dataclass(frozen=True)
class ScanResult:
    status: ScanStatus
    etag: str = ""  # the object the verdict is about
    detail: str = ""  # the threat's name, or why it was not scanned (for the log, not for users)


class MalwareScanner(Protocol):
    """Judges one object in a bucket."""

    name: str  # "guardduty", "clamav" or "stand-in": what the README, /health and the log call it

    def scan(self, bucket: Bucket, key: str) -> ScanResult: ...


# --- what the user is told ---------------------------------------------------------------------------

class MalwareFound(errors.DomainError):
    status = 422
    code = "malware-found"
    title = N_("This file contains malware")
    default_message = N_("Our virus scanner found malware in this file, so we deleted it. Check your computer "
                         "with a virus scanner before you upload files again.")


class ScanPending(errors.DomainError):
    status = 409
    code = "scan-pending"
    title = N_("This file is still being checked")
    default_message = N_("We are still checking this file for viruses. Try again in a moment.")

    def __init__(self):
        super().__init__(headers={"Retry-After": str(RETRY_AFTER_S)})


class NotScanned(errors.DomainError):
    status = 422
    code = "not-scanned"
    title = N_("This file could not be checked for viruses")
    default_message = N_("We could not check this file for viruses, so we deleted it. Upload it again; if that "
                         "fails too, save it again (as a new file) or write to us.")


# --- acting on a verdict -----------------------------------------------------------------------------

class UploadScan:
    """What the upload paths call: the scanner's verdict on an object, acted upon."""

    def __init__(self, scanner: MalwareScanner):
        self.scanner = scanner

    @property
    def scanner_name(self) -> str:
        return self.scanner.name

    def require_clean(self, bucket: Bucket, key: str) -> str:
        """The ETag of the clean object under `key`; read it with `bucket.open(key, if_match=...)`.

        Raises ScanPending (the object stays), MalwareFound or NotScanned (the object is deleted
        first, every version), or `ObjectMissing` when there is nothing under `key`."""
        result = self.scanner.scan(bucket, key)
        if result.status is ScanStatus.CLEAN:
            return result.etag
        if result.status is ScanStatus.PENDING:
            logger.info("upload not scanned yet", scanner=self.scanner.name)
            raise ScanPending()
        bucket.delete_every_version(key)
        if result.status is ScanStatus.INFECTED:
            logger.warning("malware found in an upload; deleted", scanner=self.scanner.name, threat=result.detail)
            raise MalwareFound()
        logger.error("upload could not be scanned; deleted", scanner=self.scanner.name, reason=result.detail)
        raise NotScanned()


# --- scanners ----------------------------------------------------------------------------------------

class GuardDutyTags:
    """GuardDuty Malware Protection for S3's verdict, from the tag it puts on each object it scanned."""

    name = "guardduty"
    VERDICTS = {"NO_THREATS_FOUND": ScanStatus.CLEAN, "THREATS_FOUND": ScanStatus.INFECTED,
                "UNSUPPORTED": ScanStatus.NOT_SCANNED, "ACCESS_DENIED": ScanStatus.NOT_SCANNED,
                "FAILED": ScanStatus.NOT_SCANNED}

    def scan(self, bucket: Bucket, key: str) -> ScanResult:
        head = _head(bucket, key)
        tag = bucket.tags(key, head.version_id).get(GUARDDUTY_TAG)
        if tag is None:
            return ScanResult(ScanStatus.PENDING, head.etag)
        return ScanResult(self.VERDICTS.get(tag, ScanStatus.NOT_SCANNED), head.etag, tag)


class SignatureScanner:
    """The local stand-in: finds the EICAR test file in an object's bytes, read in chunks."""

    name = "stand-in"

    def scan(self, bucket: Bucket, key: str) -> ScanResult:
        head = _head(bucket, key)
        overlap = b""
        with bucket.open(key, if_match=head.etag) as body:
            while chunk := body.read(READ_CHUNK_BYTES):
                if EICAR in overlap + chunk:
                    return ScanResult(ScanStatus.INFECTED, head.etag, EICAR_THREAT)
                overlap = chunk[-(len(EICAR) - 1):]
        return ScanResult(ScanStatus.CLEAN, head.etag)


class ClamdScanner:
    """ClamAV: the object's bytes streamed to a clamd daemon (`clamd` package, INSTREAM)."""

    name = "clamav"

    def __init__(self, clamd_client):
        self._clamd = clamd_client

    def scan(self, bucket: Bucket, key: str) -> ScanResult:
        head = _head(bucket, key)
        with bucket.open(key, if_match=head.etag) as body:
            try:
                answer = self._clamd.instream(body)
            except Exception as exc:  # clamd gone, stream too long for its StreamMaxLength...
                return ScanResult(ScanStatus.NOT_SCANNED, head.etag, type(exc).__name__)
        status, detail = (answer or {}).get("stream", ("ERROR", "no answer"))
        if status == "OK":
            return ScanResult(ScanStatus.CLEAN, head.etag)
        if status == "FOUND":
            return ScanResult(ScanStatus.INFECTED, head.etag, detail or "")
        return ScanResult(ScanStatus.NOT_SCANNED, head.etag, detail or status)


def local_scanner(socket_path: str = CLAMD_SOCKET) -> MalwareScanner:
    """ClamAV when its daemon answers on `socket_path`, otherwise the stand-in."""
    try:
        import clamd

        client = clamd.ClamdUnixSocket(path=socket_path, timeout=CLAMD_TIMEOUT_S)
        client.ping()
    except Exception:  # no package, no socket, no answer: the stand-in serves
        logger.info("malware scanner chosen", scanner=SignatureScanner.name, clamd_socket=socket_path)
        return SignatureScanner()
    logger.info("malware scanner chosen", scanner=ClamdScanner.name, clamd_socket=socket_path)
    return ClamdScanner(client)


def _head(bucket: Bucket, key: str) -> ObjectInfo:
    head = bucket.head(key)
    if head is None:
        raise ObjectMissing(key)
    return head
