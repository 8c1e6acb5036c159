"""An account's images for its campaigns: uploaded, checked, stored and served by URL (P3, P8).

The browser uploads straight to S3 with a presigned POST whose key, size range and expiry the
server fixes; nothing is used until `finish_upload` has had it scanned for malware
(`chalicelib.scanning`: until the scanner has judged it, the uploader is asked to wait a moment),
read back exactly the object scanned, checked it by its content (`image_check`) and written the
clean re-encoding. A refused upload (malware, not an image, a polyglot, an SVG) is deleted at
once. The bytes stored, each image's thumbnail included, count towards the account's usage
(`usage_bytes`): a thumbnail made on upload is claimed with its image and its size kept in the
record; one made later (an image from before thumbnails, or whose thumbnail failed) is claimed
when it is made, and counted by what S3 holds. Deleting the image gives both back.

Where things live in the assets bucket (which blocks public access and keeps versions):

    incoming/<account_id>/<upload_id>       the upload as sent, unchecked; deleted when finished
                                            or refused (leftovers: a lifecycle rule on incoming/)
    assets/<asset_id>.<ext>                 the clean image that mails show, without any metadata:
                                            S3 hands an object's metadata to everyone who reads it
    asset-records/<account_id>/<asset_id>.<ext>
                                            the record: an empty object whose metadata holds the
                                            name, size, dimensions, time and the size of the
                                            thumbnail made on upload; listing it per account
                                            lists, meters and erases an account's images
    thumbnails/<asset_id>.<jpg|png>         a small still copy for the images page, made from the
                                            clean image (on upload, or when first asked for); it
                                            goes with its image

The images page shows thumbnails through the app (`thumbnail`, for the signed-in owner only),
not through the `/i/` redirect: the page's Content-Security-Policy keeps `img-src 'self'`, the
bucket's origin never enters it, and the bytes a browser gets are always a JPEG or PNG we wrote.

Mails link to `{base_url}/i/<asset_id>.<ext>`: no account id in the mail, nor in the S3 address
the app redirects to (`image_redirect_url`), and asset ids are 128 random bits, so one image
does not lead to another. The record is written before the image and removed after it, so an
image always has a record by which the account's erasure finds it.

Every delete removes all versions of a key: with bucket versioning on, a plain delete only
hides the bytes behind a delete marker, and an erased image must be gone.
"""

import base64
import dataclasses
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone

from chalicelib import errors
from chalicelib.campaigns import image_check
from chalicelib.campaigns.image_check import EXTENSIONS, KINDS, MAX_UPLOAD_BYTES
from chalicelib.i18n import N_
from chalicelib.scanning import ScanPending, UploadScan
from chalicelib.storage import Bucket, ObjectChanged, ObjectExists, ObjectMissing
from chalicelib.observability import logger

UPLOAD_VALID_S = 10 * 60
IMAGE_URL_VALID_S = 60 * 60
# How long the app may let the `/i/...` redirect be cached: well inside IMAGE_URL_VALID_S.
IMAGE_REDIRECT_MAX_AGE_S = 30 * 60
ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable"  # an asset's bytes never change
MAX_NAME_LENGTH = 200
THUMBNAIL_MAX_BYTES = 1024 * 1024  # far above what a 160-pixel JPEG or PNG takes
DEFAULT_NAME = "image"

INCOMING_PREFIX = "incoming/"
ASSETS_PREFIX = "assets/"
RECORDS_PREFIX = "asset-records/"
THUMBNAILS_PREFIX = "thumbnails/"
_ID = re.compile(r"[0-9a-f]{32}")
_ASSET_PATH = re.compile(r"([0-9a-f]{32})\.(" + "|".join(sorted(EXTENSIONS)) + r")")
_CONTENT_TYPES = {kind.extension: kind.content_type for kind in KINDS.values()}


class UploadNotFound(errors.NotFound):
    default_message = N_("This upload was not found or has expired. Please upload the image again.")


class AssetNotFound(errors.NotFound):
    default_message = N_("There is no such image.")


@dataclass(frozen=True)
class Asset:
    asset_id: str
    name: str
    content_type: str
    size: int
    width: int
    height: int
    created_at: datetime
    url: str

    @property
    def path(self) -> str:
        """What follows `/i/` in the image's URL."""
        return self.url.rsplit("/i/", 1)[1]

    def fitted(self, box: int) -> tuple[int, int]:
        """(width, height) of the image scaled to fit a square of `box` pixels, never enlarged."""
        scale = min(1.0, box / max(self.width, self.height, 1))
        return max(1, round(self.width * scale)), max(1, round(self.height * scale))


@dataclass(frozen=True)
class AssetRecord:
    account_id: str
    asset_id: str
    extension: str
    name: str
    size: int
    width: int
    height: int
    created_at: datetime
    thumbnail_size: int | None = None  # the thumbnail claimed with the image; None: made later, or never

    @property
    def path(self) -> str:
        return f"{self.asset_id}.{self.extension}"


def clean_name(name: str | None) -> str:
    """A user's name for an image as plain text: no control or format characters, spaces
    collapsed, at most MAX_NAME_LENGTH characters. Markup stays text; pages escape it."""
    text = unicodedata.normalize("NFC", name or "")
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    return " ".join(text.split())[:MAX_NAME_LENGTH].strip() or DEFAULT_NAME


class S3AssetRecords:
    """Asset records as empty objects under `asset-records/<account_id>/`, data in their metadata.

    S3 user metadata is ASCII, so the name is stored as base64 of its UTF-8."""

    def __init__(self, bucket: Bucket):
        self._bucket = bucket

    @staticmethod
    def key(account_id: str, path: str) -> str:
        return f"{RECORDS_PREFIX}{account_id}/{path}"

    def put(self, record: AssetRecord) -> None:
        metadata = {"name": base64.urlsafe_b64encode(record.name.encode("utf-8")).decode("ascii"),
                    "size": str(record.size), "width": str(record.width), "height": str(record.height),
                    "created-at": record.created_at.isoformat()}
        if record.thumbnail_size is not None:
            metadata["thumbnail-size"] = str(record.thumbnail_size)
        self._bucket.put(self.key(record.account_id, record.path), b"", metadata=metadata)

    def get(self, account_id: str, path: str) -> AssetRecord | None:
        head = self._bucket.head(self.key(account_id, path))
        if head is None:
            return None
        meta = head.metadata
        asset_id, extension = path.split(".", 1)
        return AssetRecord(account_id, asset_id, extension,
                           base64.urlsafe_b64decode(meta["name"]).decode("utf-8"), int(meta["size"]),
                           int(meta["width"]), int(meta["height"]), datetime.fromisoformat(meta["created-at"]),
                           int(meta["thumbnail-size"]) if "thumbnail-size" in meta else None)

    def paths(self, account_id: str, starting_with: str = "") -> list[str]:
        prefix = self.key(account_id, "")
        return [key[len(prefix):] for key in self._bucket.keys(prefix + starting_with)]

    def of_account(self, account_id: str) -> list[AssetRecord]:
        records = (self.get(account_id, path) for path in self.paths(account_id))
        return [record for record in records if record is not None]

    def delete(self, account_id: str, path: str) -> None:
        self._bucket.delete_every_version(self.key(account_id, path))


class AssetService:
    def __init__(self, bucket: Bucket, base_url: str, scan: UploadScan, store=None, usage=None):
        """`scan` judges each upload before it is read (`chalicelib.scanning`); `usage` (the usage
        service, optional) holds the bytes stored against the plan's storage limit."""
        self._bucket, self._base_url = bucket, base_url.rstrip("/")
        self._scan = scan
        self._records = store or S3AssetRecords(bucket)
        self._usage = usage

    # --- upload ----------------------------------------------------------------------------------

    def begin_upload(self, account_id: str, redirect_to: str | None = None) -> dict:
        """A presigned POST for one image: the browser sends the file with these form fields
        (the file last), and S3 answers 201, or sends a page's form back to `redirect_to` (with
        `upload_id` added to it). Then `finish_upload` with the upload id."""
        upload_id = secrets.token_hex(16)
        if redirect_to:
            back = f"{redirect_to}{'&' if '?' in redirect_to else '?'}upload_id={upload_id}"
            answer = {"success_action_redirect": back}
        else:
            answer = {"success_action_status": "201"}
        post = self._bucket.upload_form(_incoming_key(account_id, upload_id), UPLOAD_VALID_S, MAX_UPLOAD_BYTES, answer)
        return {**post, "upload_id": upload_id}

    def finish_upload(self, account_id: str, upload_id: str, name: str | None) -> Asset:
        """Checks the uploaded file and stores its clean re-encoding; the upload itself goes."""
        if not _ID.fullmatch(upload_id or ""):
            raise UploadNotFound()
        key = _incoming_key(account_id, upload_id)
        try:
            etag = self._scan.require_clean(self._bucket, key)  # ScanPending: the upload stays for now
            upload = self._bucket.open(key, if_match=etag)
        except ObjectMissing:
            raise UploadNotFound() from None
        except ObjectChanged:  # sent again since the scan: the new file is judged on the next try
            raise ScanPending() from None
        try:
            with upload as body:  # one byte past the limit is enough to refuse it
                checked = image_check.check_image(body.read(MAX_UPLOAD_BYTES + 1))
        except errors.DomainError as exc:
            logger.info("image refused", code=exc.code)
            raise
        finally:
            self._bucket.delete_every_version(key)
        record = AssetRecord(account_id, secrets.token_hex(16), checked.extension, clean_name(name),
                             len(checked.content), checked.width, checked.height, datetime.now(timezone.utc))
        thumbnail = self._made_thumbnail(record, checked.content)
        if thumbnail is not None:
            record = dataclasses.replace(record, thumbnail_size=len(thumbnail.content))
        claimed = record.size + (record.thumbnail_size or 0)
        if self._usage is not None:  # over the plan's storage: refused, nothing stored (the upload is gone)
            from chalicelib.usage.plans import Meter

            self._usage.claim(account_id, Meter.STORAGE_BYTES, claimed, field="file")
        try:
            self._records.put(record)
            try:
                self._bucket.put(_asset_key(record.path), checked.content, content_type=checked.content_type,
                                 cache_control=ASSET_CACHE_CONTROL)
            except Exception:
                self._records.delete(account_id, record.path)  # no record without its image
                raise
        except Exception:
            self._give_back(account_id, claimed)
            raise
        if thumbnail is not None:  # not kept now: its bytes stay claimed, `thumbnail` makes it again
            self._keep_thumbnail(record, thumbnail)
        logger.info("image stored", asset_id=record.asset_id, size=record.size)
        return self._asset(record)

    # --- the account's images --------------------------------------------------------------------

    def list_assets(self, account_id: str) -> list[Asset]:
        """Newest first."""
        records = sorted(self._records.of_account(account_id), key=lambda r: r.created_at, reverse=True)
        return [self._asset(record) for record in records]

    def get_asset(self, account_id: str, asset: str) -> Asset:
        """`asset` is an asset id or its path `<asset_id>.<ext>`; only the owner's record leads to it."""
        return self._asset(self._record(account_id, asset))

    def delete_asset(self, account_id: str, asset: str) -> None:
        """`asset` is an asset id or its path `<asset_id>.<ext>`; only the owner's record leads to it."""
        record = self._record(account_id, asset)
        thumbnail_bytes = self._thumbnail_bytes(record)
        self._bucket.delete_every_version(_asset_key(record.path))
        self._bucket.delete_every_version(_thumbnail_key(record.path))
        self._records.delete(account_id, record.path)
        self._give_back(account_id, record.size + thumbnail_bytes)
        logger.info("image deleted", asset_id=record.asset_id)

    def _give_back(self, account_id: str, size: int) -> None:
        if self._usage is not None:
            from chalicelib.usage.plans import Meter

            self._usage.release(account_id, Meter.STORAGE_BYTES, size)

    def usage_bytes(self, account_id: str) -> int:
        """Bytes of stored images and their thumbnails, counted from their records: where the storage
        gauge of an account from before metering starts, and what the recount sets it to
        (chalicelib.usage); the gauge is kept as images come and go."""
        return sum(record.size + self._thumbnail_bytes(record) for record in self._records.of_account(account_id))

    def _thumbnail_bytes(self, record: AssetRecord) -> int:
        """The thumbnail's bytes as counted: the size its record keeps (claimed with the image), else
        what S3 holds (a thumbnail made later, claimed when it was made; 0 when there is none)."""
        if record.thumbnail_size is not None:
            return record.thumbnail_size
        stored = self._bucket.head(_thumbnail_key(record.path))
        return stored.size if stored is not None else 0

    def erase_account(self, account_id: str) -> int:
        """Every image, record and pending upload of the account, every version. Returns how many
        images went. Safe to run again after a failure: records go last."""
        paths = self._records.paths(account_id)
        for path in paths:
            self._bucket.delete_every_version(_asset_key(path))
            self._bucket.delete_every_version(_thumbnail_key(path))
            self._records.delete(account_id, path)
        self._bucket.delete_every_version(_incoming_key(account_id, ""), whole_prefix=True)
        logger.info("images erased", count=len(paths))
        return len(paths)

    # --- serving -----------------------------------------------------------------------------------

    def image_url(self, asset_path: str) -> str:
        return f"{self._base_url}/i/{asset_path}"

    def image_redirect_url(self, asset_path: str) -> str | None:
        """Where `/i/<asset_path>` redirects: a presigned GET, valid IMAGE_URL_VALID_S, or None
        when there is no such image. Anything not shaped like an asset path never reaches S3."""
        if not _ASSET_PATH.fullmatch(asset_path or ""):
            return None
        key = _asset_key(asset_path)
        if self._bucket.head(key) is None:
            return None
        return self._bucket.download_url(key, IMAGE_URL_VALID_S)

    def thumbnail(self, account_id: str, asset: str) -> image_check.Thumbnail:
        """The small copy of one of the account's images (`AssetNotFound` for anyone else's): the
        stored one, or made now from the image and kept, for images stored before thumbnails were."""
        record = self._record(account_id, asset)
        extension, content_type = image_check.thumbnail_kind(record.extension)
        try:
            with self._bucket.open(_thumbnail_key(record.path)) as body:
                return image_check.Thumbnail(body.read(THUMBNAIL_MAX_BYTES), content_type, extension)
        except ObjectMissing:
            pass
        try:
            with self._bucket.open(_asset_key(record.path)) as body:
                clean = body.read(MAX_UPLOAD_BYTES)
        except ObjectMissing:
            raise AssetNotFound() from None
        thumbnail = image_check.make_thumbnail(clean, record.extension)
        if record.thumbnail_size is not None:  # claimed with its image, but not kept then
            self._keep_thumbnail(record, thumbnail)
        elif self._claim_thumbnail(record, len(thumbnail.content)):
            if not self._keep_thumbnail(record, thumbnail, if_absent=True):
                self._give_back(record.account_id, len(thumbnail.content))
        return thumbnail

    # --- helpers -----------------------------------------------------------------------------------

    @staticmethod
    def _made_thumbnail(record: AssetRecord, clean: bytes) -> image_check.Thumbnail | None:
        """The thumbnail of a new image; None when it cannot be made: that costs only the thumbnail,
        which `thumbnail` makes again when it is asked for."""
        try:
            return image_check.make_thumbnail(clean, record.extension)
        except Exception:  # never lose an upload over its thumbnail
            logger.exception("thumbnail not made", asset_id=record.asset_id)
            return None

    def _claim_thumbnail(self, record: AssetRecord, size: int) -> bool:
        """Room for a thumbnail made after its upload; at the plan's storage limit it is shown without
        being kept (made again on each view) rather than refused: the image itself is stored."""
        if self._usage is None:
            return True
        from chalicelib.usage.plans import Meter
        from chalicelib.usage.service import QuotaExceeded

        try:
            self._usage.claim(record.account_id, Meter.STORAGE_BYTES, size)
        except QuotaExceeded:
            logger.info("thumbnail not kept: storage limit reached", asset_id=record.asset_id)
            return False
        return True

    def _keep_thumbnail(self, record: AssetRecord, thumbnail: image_check.Thumbnail, if_absent: bool = False) -> bool:
        """Whether it was stored now (`if_absent`: not when another request stored it meanwhile)."""
        try:
            self._bucket.put(_thumbnail_key(record.path), thumbnail.content, content_type=thumbnail.content_type,
                             cache_control=ASSET_CACHE_CONTROL, if_absent=if_absent)
        except ObjectExists:
            return False
        except Exception:  # the S3 error is logged; the thumbnail is made again next time
            logger.exception("thumbnail not stored", asset_id=record.asset_id)
            return False
        return True

    def _record(self, account_id: str, asset: str) -> AssetRecord:
        """The account's record of an asset named by its path (`<asset_id>.<ext>`) or its id alone."""
        record = None
        if _ID.fullmatch(asset or ""):
            paths = self._records.paths(account_id, starting_with=asset + ".")
            asset = paths[0] if paths else ""
        if _ASSET_PATH.fullmatch(asset or ""):
            record = self._records.get(account_id, asset)
        if record is None:
            raise AssetNotFound()
        return record

    def _asset(self, record: AssetRecord) -> Asset:
        return Asset(record.asset_id, record.name, _CONTENT_TYPES[record.extension], record.size, record.width,
                     record.height, record.created_at, self.image_url(record.path))


def _incoming_key(account_id: str, upload_id: str) -> str:
    return f"{INCOMING_PREFIX}{account_id}/{upload_id}"


def _asset_key(asset_path: str) -> str:
    return f"{ASSETS_PREFIX}{asset_path}"


def _thumbnail_key(asset_path: str) -> str:
    asset_id, extension = asset_path.split(".", 1)
    return f"{THUMBNAILS_PREFIX}{asset_id}.{image_check.thumbnail_kind(extension)[0]}"
