"""Testimonial photos in the assets bucket: uploaded, checked, made small, stored, linked, erased.

The browser uploads straight to S3 with a presigned POST (as campaign images do, `campaigns.assets`)
under `incoming/<account_id>/testimonial-<upload_id>`, where the bucket's lifecycle rule removes
leftovers. `finish_upload` has it scanned for malware (`chalicelib.scanning`: until the scanner has
judged it, the uploader is asked to wait a moment), reads back exactly the object scanned, puts it
through the same checks as every image
(`campaigns.image_check.check_image`: by content, no metadata, no polyglots), makes a small JPEG
portrait of it and stores that as

    testimonials/<account_id>/<photo_id>.jpg      metadata: sha256, width, height (nothing personal)

The upload itself is deleted either way. Photos are private: pages link to them through the app's
routes, which hand out a short-lived presigned link only for a photo the reader may see.
Deletes remove every version (the bucket keeps versions).
"""

import hashlib
import io
import re
import secrets

from chalicelib import errors
from chalicelib.campaigns.image_check import MAX_UPLOAD_BYTES, check_image
from chalicelib.i18n import N_
from chalicelib.observability import logger
from chalicelib.scanning import ScanPending, UploadScan
from chalicelib.storage import Bucket, ObjectChanged, ObjectMissing
from chalicelib.testimonials.testimonial import Photo

PHOTOS_PREFIX = "testimonials/"
INCOMING_PREFIX = "incoming/"
UPLOAD_NAME = "testimonial-"
UPLOAD_VALID_S = 10 * 60
PHOTO_URL_VALID_S = 10 * 60
PHOTO_MAX_SIDE = 400  # pixels: a portrait beside a quote, no more
PHOTO_JPEG_QUALITY = 85
_ID = re.compile(r"[0-9a-f]{32}")


class PhotoUploadNotFound(errors.NotFound):
    default_message = N_("This upload was not found or has expired. Please upload the photo again.")


class TestimonialPhotos:
    __test__ = False  # not a pytest test class

    def __init__(self, bucket: Bucket, scan: UploadScan):
        """`scan` judges each upload before it is read (`chalicelib.scanning`)."""
        self._bucket, self._scan = bucket, scan

    def upload_form(self, account_id: str, redirect_to: str) -> dict:
        """A presigned POST for one photo; S3 sends the browser back to `redirect_to?upload_id=...`."""
        upload_id = secrets.token_hex(16)
        back = f"{redirect_to}{'&' if '?' in redirect_to else '?'}upload_id={upload_id}"
        post = self._bucket.upload_form(_incoming_key(account_id, upload_id), UPLOAD_VALID_S, MAX_UPLOAD_BYTES,
                                        {"success_action_redirect": back})
        return {**post, "upload_id": upload_id}

    def finish_upload(self, account_id: str, upload_id: str) -> Photo:
        """Checks the upload and stores a small clean portrait of it; the upload goes either way.
        Refusals are the scanner's (malware: deleted; not scanned yet: `ScanPending`, the upload
        stays) and `image_check`'s errors (not an image, SVG, a polyglot, too large...)."""
        if not _ID.fullmatch(upload_id or ""):
            raise PhotoUploadNotFound()
        key = _incoming_key(account_id, upload_id)
        try:
            etag = self._scan.require_clean(self._bucket, key)
            upload = self._bucket.open(key, if_match=etag)
        except ObjectMissing:
            raise PhotoUploadNotFound() from None
        except ObjectChanged:  # sent again since the scan: the new file is judged on the next try
            raise ScanPending() from None
        try:
            with upload as body:
                checked = check_image(body.read(MAX_UPLOAD_BYTES + 1))
        except errors.DomainError as refused:
            logger.info("testimonial photo refused", code=refused.code)
            raise
        finally:
            self._bucket.delete_every_version(key)
        content, width, height = _portrait(checked.content)
        photo = Photo(secrets.token_hex(16), hashlib.sha256(content).hexdigest(), width, height)
        self._bucket.put(_photo_key(account_id, photo.photo_id), content, content_type="image/jpeg",
                         metadata={"sha256": photo.sha256, "width": str(width), "height": str(height)},
                         cache_control="private, max-age=600")
        logger.info("testimonial photo stored", photo_id=photo.photo_id, size=len(content))
        return photo

    def get(self, account_id: str, photo_id: str) -> Photo | None:
        """The account's stored photo, or None (also for anything not shaped like a photo id)."""
        if not _ID.fullmatch(photo_id or ""):
            return None
        head = self._bucket.head(_photo_key(account_id, photo_id))
        if head is None:
            return None
        meta = head.metadata
        return Photo(photo_id, meta["sha256"], int(meta["width"]), int(meta["height"]))

    def link(self, account_id: str, photo: Photo) -> str | None:
        """A short-lived link to the photo, if it is still stored as it was consented to."""
        stored = self.get(account_id, photo.photo_id)
        if stored != photo:
            return None
        return self._bucket.download_url(_photo_key(account_id, photo.photo_id), PHOTO_URL_VALID_S)

    def photo_ids(self, account_id: str) -> list[str]:
        prefix = _photo_key(account_id, "")
        return [key[len(prefix):].removesuffix(".jpg") for key in self._bucket.keys(prefix)]

    def delete(self, account_id: str, photo_id: str) -> None:
        if _ID.fullmatch(photo_id or ""):
            self._bucket.delete_every_version(_photo_key(account_id, photo_id))

    def erase_account(self, account_id: str) -> None:
        """Every photo and pending upload of the account, every version."""
        self._bucket.delete_every_version(_photo_key(account_id, ""), whole_prefix=True)
        self._bucket.delete_every_version(_incoming_key(account_id, ""), whole_prefix=True)

    def origin(self) -> str:
        """Where the links point (scheme://host), for the pages' Content-Security-Policy."""
        from urllib.parse import urlsplit

        target = urlsplit(self._bucket.download_url(PHOTOS_PREFIX, 60))
        return f"{target.scheme}://{target.netloc}"


def _incoming_key(account_id: str, upload_id: str) -> str:
    return f"{INCOMING_PREFIX}{account_id}/{UPLOAD_NAME}{upload_id}"


def _photo_key(account_id: str, photo_id: str) -> str:
    return f"{PHOTOS_PREFIX}{account_id}/{photo_id}.jpg" if photo_id else f"{PHOTOS_PREFIX}{account_id}/"


def _portrait(clean: bytes) -> tuple[bytes, int, int]:
    """A small JPEG of the first frame of an image `check_image` already passed (so decoding is bounded)."""
    from PIL import Image

    with Image.open(io.BytesIO(clean)) as image:
        image.seek(0)
        frame = image.convert("RGBA")
    flat = Image.new("RGB", frame.size, "white")
    flat.paste(frame, mask=frame.getchannel("A"))
    flat.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    out = io.BytesIO()
    flat.save(out, format="JPEG", quality=PHOTO_JPEG_QUALITY, optimize=True)
    return out.getvalue(), flat.width, flat.height
