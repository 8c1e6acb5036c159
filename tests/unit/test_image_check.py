"""Uploaded images are checked by content and come back as clean re-encodings, or are refused.

Every image here is made by Pillow in the test; the hostile ones are built byte by byte.
"""

import io
import os
import struct
import zipfile
import zlib

import pytest
from PIL import Image, ImageCms

from chalicelib.campaigns.image_check import (MAX_PIXELS, MAX_UPLOAD_BYTES, FileTooLarge, HiddenContent, NotAnImage,
                                              SvgRefused, TooManyFrames, TooManyPixels, check_image)

GPS_IFD = 0x8825
ORIENTATION = 0x0112
ROTATED_90_CW = 6


def _encode(image: Image.Image, image_format: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, format=image_format, **params)
    return out.getvalue()


def _reopen(content: bytes) -> Image.Image:
    return Image.open(io.BytesIO(content))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_declaring(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG whose header claims `width` x `height` RGB pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + _png_chunk(b"IEND", b""))


def _message(error) -> str:
    return error.message % error.params if error.params else error.message


def test_jpeg_comes_back_without_exif_and_upright_when_it_carries_gps():
    # GIVEN a photo 40 wide and 20 high with GPS coordinates, a comment and "rotate 90°" in its EXIF
    exif = Image.Exif()
    exif[ORIENTATION] = ROTATED_90_CW
    exif[GPS_IFD] = {1: "N", 2: (52.0, 22.0, 15.5), 3: "E", 4: (4.0, 53.0, 40.2)}
    photo = _encode(Image.new("RGB", (40, 20), "red"), "JPEG", exif=exif.tobytes(), comment=b"Jan's holiday")
    assert _reopen(photo).getexif().get_ifd(GPS_IFD)
    # WHEN it is checked
    checked = check_image(photo)
    # THEN it is a JPEG turned upright, with no EXIF, GPS or comment left in it
    clean = _reopen(checked.content)
    assert (checked.content_type, checked.extension) == ("image/jpeg", "jpg")
    assert (checked.width, checked.height) == clean.size == (20, 40)
    assert not clean.getexif() and "exif" not in clean.info and "comment" not in clean.info
    assert b"Exif" not in checked.content and b"holiday" not in checked.content


def test_png_is_accepted_with_its_dimensions_and_without_text_or_profile():
    # GIVEN a PNG with transparency, a text chunk and an ICC profile
    from PIL.PngImagePlugin import PngInfo

    text = PngInfo()
    text.add_text("Author", "Jan Jansen")
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    logo = _encode(Image.new("RGBA", (120, 45), (0, 90, 200, 128)), "PNG", pnginfo=text, icc_profile=srgb)
    # WHEN it is checked
    checked = check_image(logo)
    # THEN it stays a PNG of 120 x 45 with its alpha, and the text and profile are gone
    clean = _reopen(checked.content)
    assert (checked.content_type, checked.extension, checked.width, checked.height) == ("image/png", "png", 120, 45)
    assert clean.mode == "RGBA" and clean.getpixel((0, 0)) == (0, 90, 200, 128)
    assert "Author" not in clean.info and "icc_profile" not in clean.info
    assert b"Jan Jansen" not in checked.content


def test_png_is_refused_when_a_zip_is_appended_making_it_a_polyglot():
    # GIVEN a PNG with a ZIP archive appended: still a valid PNG, and a valid ZIP too
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as payload:
        payload.writestr("evil.exe", os.urandom(64))
    polyglot = _encode(Image.new("RGB", (16, 16), "blue"), "PNG") + archive.getvalue()
    assert zipfile.is_zipfile(io.BytesIO(polyglot)) and Image.open(io.BytesIO(polyglot)).size == (16, 16)
    # WHEN it is checked THEN it is refused as a polyglot, not cleaned and kept
    with pytest.raises(HiddenContent):
        check_image(polyglot)


@pytest.mark.parametrize("payload", [b"<script>alert(document.cookie)</script>", b"<?php system($_GET['c']); ?>",
                                     b"<HTML><body onload=alert(1)>"])
def test_jpeg_is_refused_when_a_script_is_appended(payload):
    # GIVEN a valid JPEG with a script or web page after its end
    polyglot = _encode(Image.new("RGB", (16, 16), "red"), "JPEG") + payload
    assert Image.open(io.BytesIO(polyglot)).size == (16, 16)
    # WHEN it is checked THEN it is refused as a polyglot
    with pytest.raises(HiddenContent):
        check_image(polyglot)


def test_an_ordinary_photo_is_not_taken_for_a_polyglot():
    # GIVEN a photo of noise (compressed data looks random: no marker may match by chance)
    noise = Image.frombytes("RGB", (256, 256), os.urandom(256 * 256 * 3))
    # WHEN it is checked THEN it is accepted
    assert check_image(_encode(noise, "JPEG")).width == 256


def test_gif_keeps_its_animation_without_comment_when_it_is_animated():
    # GIVEN an animated GIF of three differently coloured frames with a comment
    frames = [Image.new("RGB", (30, 20), colour) for colour in ("red", "lime", "blue")]
    gif = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=150, loop=0,
                  comment=b"made by Jan")
    # WHEN it is checked
    checked = check_image(gif)
    # THEN all three frames play as before, and the comment is gone
    clean = _reopen(checked.content)
    assert (checked.content_type, clean.n_frames, clean.size) == ("image/gif", 3, (30, 20))
    colours = []
    for index in range(clean.n_frames):
        clean.seek(index)
        colours.append(clean.convert("RGB").getpixel((5, 5)))
    assert colours == [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    assert "comment" not in clean.info and b"made by Jan" not in checked.content


def test_webp_is_accepted_as_webp():
    checked = check_image(_encode(Image.new("RGB", (64, 48), "green"), "WEBP"))
    assert (checked.content_type, checked.extension, checked.width, checked.height) == ("image/webp", "webp", 64, 48)


@pytest.mark.parametrize("svg", [
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    (b'\xef\xbb\xbf<?xml version="1.0"?>\n<!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg">'
     b'<script>alert(1)</script></svg>'),
])
def test_svg_is_refused_with_a_reason(svg):
    with pytest.raises(SvgRefused) as refused:
        check_image(svg)
    assert refused.value.status == 422
    assert "SVG images can contain scripts" in _message(refused.value)


def test_decompression_bomb_is_refused_before_decoding_when_it_declares_too_many_pixels(monkeypatch):
    # GIVEN a PNG of a few hundred bytes declaring 20000 x 20000 pixels (1.2 GB decoded)
    bomb = _png_declaring(20_000, 20_000)
    assert len(bomb) < 1000
    # WHEN it is checked, with decoding made to fail loudly
    from PIL import ImageFile

    def no_decoding(image):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    monkeypatch.setattr(Image.Image, "load", no_decoding)
    with pytest.raises(TooManyPixels) as refused:
        check_image(bomb)
    # THEN it is refused with the megapixel limit, and nothing the size of the image was allocated
    assert refused.value.status == 422
    assert _message(refused.value) == f"This image is too large: at most {MAX_PIXELS // 1_000_000} megapixels."


def test_image_just_over_the_pixel_limit_is_refused_although_pillow_itself_would_allow_it():
    with pytest.raises(TooManyPixels):
        check_image(_png_declaring(8000, MAX_PIXELS // 8000 + 1))


def test_animation_with_too_many_frames_is_refused():
    frames = [Image.new("L", (4, 4), index % 256) for index in range(201)]
    gif = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    with pytest.raises(TooManyFrames):
        check_image(gif)


@pytest.mark.parametrize("data", [
    os.urandom(4096),
    b"",
    b"%PDF-1.7\n1 0 obj << >> endobj\n",
    b"GIF89a\x10\x00\x10\x00",  # a GIF header and nothing after it
    _encode(Image.new("RGB", (50, 50), "red"), "JPEG")[:200],  # a JPEG cut short
    _encode(Image.new("RGB", (8, 8), "red"), "BMP"),  # an image, but not a kind we take
])
def test_what_is_not_a_usable_image_is_refused(data):
    with pytest.raises(NotAnImage) as refused:
        check_image(data)
    assert refused.value.status == 422
    assert _message(refused.value).startswith("This file is not an image we can use.")


def test_png_with_a_broken_checksum_is_refused_by_verify():
    png = bytearray(_encode(Image.new("RGB", (8, 8), "red"), "PNG"))
    idat = png.index(b"IDAT")
    png[idat + 6] ^= 0xFF  # a byte of compressed data: the chunk's CRC no longer matches
    with pytest.raises(NotAnImage):
        check_image(bytes(png))


def test_upload_over_the_byte_limit_is_refused_as_too_large():
    with pytest.raises(FileTooLarge) as refused:
        check_image(b"\xff\xd8\xff" + b"\0" * MAX_UPLOAD_BYTES)
    assert refused.value.status == 413
    assert _message(refused.value) == "This file is too large: at most 5 MB."
