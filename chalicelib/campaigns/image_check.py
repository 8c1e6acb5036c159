"""Checks an uploaded image by its content and re-encodes it into a clean file (P3, P8).

Nothing an uploader sends is stored as sent. The bytes must open in Pillow as JPEG, PNG, GIF or
WebP (only those decoders are tried, so no other parser ever sees the file), pass `verify()`,
stay under the size, pixel and frame limits, and are then decoded and encoded again into a fresh
file. What comes out holds pixels only: EXIF (GPS, camera, owner), XMP, ICC profiles, text
chunks and comments are gone, and so is anything appended after the image data.

Polyglots are refused rather than cleaned: a file that is an image and also an archive (a ZIP read
from its end) or a script or web page (markup that a browser or server would run) was made to
deceive, whatever its pixels show (P8). EXIF orientation is applied first, so photos stay upright; an embedded
colour profile is converted to sRGB first, so colours stay right.

Animations: GIF, WebP and APNG animations are kept, because animated GIFs are the one kind of
motion every mail client shows; at most `MAX_FRAMES` frames and `MAX_ANIMATION_PIXELS` pixels
over all frames, so decoding stays bounded in time and memory. A multi-picture JPEG (MPO, as
some phones write) keeps its first, main picture.

SVG is refused outright: it is a document that can carry script and external references.

Pure: no I/O, no logging; refusals are domain errors with a message for the uploader.
"""

import io
import re
import struct
import warnings
import zipfile
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, ImageSequence

from chalicelib import errors
from chalicelib.i18n import N_

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_FRAMES = 200
MAX_ANIMATION_PIXELS = 50_000_000
JPEG_QUALITY = 90
WEBP_QUALITY = 90
SNIFF_BYTES = 4096
# What no image holds, anywhere in it: markup a browser or server runs, and the start of a RAR or
# 7-Zip archive. Each is long enough (five bytes and more) never to turn up by chance in the
# compressed data or colour profile of a real image. A ZIP is found the way readers find it.
_HIDDEN_CONTENT = re.compile(rb"<(?:script|html|body|iframe|object|embed|\?php)\b|javascript:"
                             rb"|Rar!\x1a\x07|7z\xbc\xaf\x27\x1c", re.IGNORECASE)


@dataclass(frozen=True)
class ImageKind:
    pillow_format: str  # what the clean file is written as
    content_type: str
    extension: str
    animated: bool  # whether more than one frame may be kept


# What Pillow reports when opening -> what we write. MPO is a JPEG with extra pictures.
KINDS = {
    "JPEG": ImageKind("JPEG", "image/jpeg", "jpg", animated=False),
    "MPO": ImageKind("JPEG", "image/jpeg", "jpg", animated=False),
    "PNG": ImageKind("PNG", "image/png", "png", animated=True),
    "GIF": ImageKind("GIF", "image/gif", "gif", animated=True),
    "WEBP": ImageKind("WEBP", "image/webp", "webp", animated=True),
}
DECODERS = ("JPEG", "PNG", "GIF", "WEBP")  # the only plugins Pillow may try on an upload
EXTENSIONS = frozenset(kind.extension for kind in KINDS.values())

# What Pillow's decoders raise on a broken or hostile file; anything else is our bug, not theirs.
_DECODER_FAILURES = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError,
                     ZeroDivisionError, struct.error, ImageCms.PyCMSError)


class ImageRefused(errors.DomainError):
    status = 422
    code = "image-refused"
    title = N_("This image cannot be used")


class NotAnImage(ImageRefused):
    default_message = N_("This file is not an image we can use. Upload a JPEG, PNG, GIF or WebP.")


class SvgRefused(ImageRefused):
    default_message = N_("SVG images can contain scripts, so we do not accept them. "
                         "Upload a JPEG, PNG, GIF or WebP.")


class HiddenContent(ImageRefused):
    code = "image-polyglot"
    default_message = N_("This image has something else hidden in it (an archive or a script), so we do not "
                         "accept it. Open it in an image editor, save it as a new file and upload that.")


class TooManyPixels(ImageRefused):
    default_message = N_("This image is too large: at most %(megapixels)d megapixels.")

    def __init__(self):
        super().__init__(megapixels=MAX_PIXELS // 1_000_000)


class TooManyFrames(ImageRefused):
    default_message = N_("This animation is too long: at most %(frames)d frames and "
                         "%(megapixels)d megapixels over all frames.")

    def __init__(self):
        super().__init__(frames=MAX_FRAMES, megapixels=MAX_ANIMATION_PIXELS // 1_000_000)


class FileTooLarge(errors.DomainError):
    status = 413
    code = "file-too-large"
    title = N_("This file is too large")
    default_message = N_("This file is too large: at most %(megabytes)d MB.")

    def __init__(self):
        super().__init__(megabytes=MAX_UPLOAD_BYTES // (1024 * 1024))


@dataclass(frozen=True)
class CheckedImage:
    content: bytes
    content_type: str
    extension: str
    width: int
    height: int


def looks_like_svg(data: bytes) -> bool:
    head = data[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") and b"<svg" in head


def has_hidden_content(data: bytes) -> bool:
    """Whether the bytes are also an archive or hold markup that runs: a polyglot."""
    return bool(_HIDDEN_CONTENT.search(data)) or zipfile.is_zipfile(io.BytesIO(data))


def check_image(data: bytes) -> CheckedImage:
    """The clean re-encoded image, or a refusal (`ImageRefused`, `FileTooLarge`)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileTooLarge()
    if looks_like_svg(data):
        raise SvgRefused()
    with warnings.catch_warnings():
        # Pillow warns (rather than fails) between its own limit and twice that: refuse there too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            _open(data).verify()  # structure and checksums; the image is unusable afterwards
            if has_hidden_content(data):
                raise HiddenContent()
            image = _open(data)
            kind = KINDS[image.format]
            frames = getattr(image, "n_frames", 1) if kind.animated else 1
            if frames > 1 and (frames > MAX_FRAMES or frames * image.width * image.height > MAX_ANIMATION_PIXELS):
                raise TooManyFrames()
            clean = _animation(image, kind) if frames > 1 else _still(image, kind)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise TooManyPixels() from exc
        except _DECODER_FAILURES as exc:
            raise NotAnImage() from exc
    return clean


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data), formats=DECODERS)
    # Only the header is read so far: refuse on the declared size, before a pixel is decoded.
    if image.width * image.height > MAX_PIXELS:
        raise TooManyPixels()
    if image.format not in KINDS:
        raise NotAnImage()
    return image


def _still(image: Image.Image, kind: ImageKind) -> CheckedImage:
    icc_profile = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)  # decodes the (first) picture into a new image
    upright = _in_srgb(upright, icc_profile)
    params = {}
    if kind.pillow_format == "JPEG":
        if upright.mode not in ("L", "RGB"):
            upright = upright.convert("RGB")
        params = {"quality": JPEG_QUALITY, "optimize": True}
    elif kind.pillow_format == "WEBP":
        params = {"quality": WEBP_QUALITY}
    elif "transparency" in image.info and upright.mode in ("P", "L", "RGB"):
        params = {"transparency": image.info["transparency"]}
    return _encode(upright, kind, params)


def _animation(image: Image.Image, kind: ImageKind) -> CheckedImage:
    frames, durations = [], []
    for frame in ImageSequence.Iterator(image):
        durations.append(frame.info.get("duration", 100))
        frames.append(frame.convert("RGBA"))  # a new image: the source's metadata stays behind
    params = {"save_all": True, "append_images": frames[1:], "duration": durations,
              "loop": image.info.get("loop", 0)}
    if kind.pillow_format == "GIF":
        params["disposal"] = 2  # each frame is a full picture: clear before drawing the next
    elif kind.pillow_format == "WEBP":
        params["quality"] = WEBP_QUALITY
    for frame in frames[1:]:
        frame.info = {}
    return _encode(frames[0], kind, params)


def _in_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Pixels as sRGB, so the colour profile can be dropped without changing how they look."""
    if image.mode == "CMYK" or (icc_profile and image.mode in ("RGB", "RGBA")):
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        if icc_profile:
            try:
                source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
                return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"),
                                                 outputMode=output_mode)
            except (ImageCms.PyCMSError, OSError, ValueError):
                pass  # a broken profile: keep the pixels as they are; the profile goes anyway
        return image.convert(output_mode)
    return image


def _encode(image: Image.Image, kind: ImageKind, params: dict) -> CheckedImage:
    """Writes a new file from pixels alone. `image` is our own copy: its metadata is cleared, since
    encoders take EXIF, ICC, XMP, text chunks and comments from `info` when it holds them."""
    image.info = {}
    out = io.BytesIO()
    image.save(out, format=kind.pillow_format, **params)
    return CheckedImage(out.getvalue(), kind.content_type, kind.extension, image.width, image.height)


# --- thumbnails ------------------------------------------------------------------------------------

THUMBNAIL_BOX = 160  # pixels, at most, on either side: the images page shows them at 80 CSS pixels
THUMBNAIL_JPEG_QUALITY = 80


@dataclass(frozen=True)
class Thumbnail:
    content: bytes
    content_type: str
    extension: str


def thumbnail_kind(extension: str) -> tuple[str, str]:
    """(extension, content type) of the thumbnail of an image with this extension: a photo's is a
    JPEG, any image that may be transparent (PNG, GIF, WebP) gets a PNG."""
    return ("jpg", "image/jpeg") if extension == "jpg" else ("png", "image/png")


def make_thumbnail(clean: bytes, extension: str) -> Thumbnail:
    """A small still picture (the first frame) of a stored, already checked image: new pixels,
    written as JPEG or PNG only, so whatever a browser is handed here is one of two plain formats."""
    thumb_extension, content_type = thumbnail_kind(extension)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _open(clean)
        image.seek(0)
        image.draft("RGB", (THUMBNAIL_BOX, THUMBNAIL_BOX))  # JPEG: decode at a reduced size
        picture = image.convert("RGBA" if thumb_extension == "png" else "RGB")
    picture.thumbnail((THUMBNAIL_BOX, THUMBNAIL_BOX))
    picture.info = {}
    out = io.BytesIO()
    if thumb_extension == "jpg":
        picture.save(out, format="JPEG", quality=THUMBNAIL_JPEG_QUALITY, optimize=True)
    else:
        picture.save(out, format="PNG", optimize=True)
    return Thumbnail(out.getvalue(), content_type, thumb_extension)
