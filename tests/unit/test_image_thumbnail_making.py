"""Thumbnails are made from a checked image, purely: a still JPEG (photos) or PNG (anything that may be
transparent) that fits THUMBNAIL_BOX, never enlarged, holding pixels only."""

import io

from PIL import Image

from chalicelib.campaigns.image_check import THUMBNAIL_BOX, check_image, make_thumbnail


def _encoded(image: Image.Image, kind: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, format=kind, **params)
    return out.getvalue()


def test_photo_becomes_a_small_jpeg_without_metadata():
    # GIVEN a checked 1200 x 800 JPEG photo
    checked = check_image(_encoded(Image.new("RGB", (1200, 800), "orange"), "JPEG"))
    # WHEN its thumbnail is made
    thumbnail = make_thumbnail(checked.content, checked.extension)
    # THEN it is a JPEG fitting the box, keeping the proportions, with nothing but pixels
    picture = Image.open(io.BytesIO(thumbnail.content))
    assert (thumbnail.content_type, thumbnail.extension) == ("image/jpeg", "jpg")
    assert picture.format == "JPEG" and picture.size == (THUMBNAIL_BOX, round(THUMBNAIL_BOX * 800 / 1200))
    assert not picture.getexif() and "icc_profile" not in picture.info


def test_animation_becomes_a_still_transparent_png():
    # GIVEN a checked animated GIF with a transparent first frame, and a WebP
    frames = [Image.new("RGBA", (300, 300), (255, 0, 0, 0)), Image.new("RGBA", (300, 300), (0, 0, 255, 255))]
    gif = check_image(_encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100))
    webp = check_image(_encoded(Image.new("RGBA", (200, 100), (0, 128, 0, 100)), "WEBP"))
    # WHEN their thumbnails are made
    from_gif, from_webp = make_thumbnail(gif.content, gif.extension), make_thumbnail(webp.content, webp.extension)
    # THEN each is a single-frame PNG that keeps transparency
    for thumbnail in (from_gif, from_webp):
        picture = Image.open(io.BytesIO(thumbnail.content))
        assert thumbnail.content_type == "image/png" and picture.format == "PNG"
        assert getattr(picture, "n_frames", 1) == 1 and picture.mode == "RGBA"
    assert Image.open(io.BytesIO(from_gif.content)).size == (THUMBNAIL_BOX, THUMBNAIL_BOX)
    assert Image.open(io.BytesIO(from_webp.content)).size == (THUMBNAIL_BOX, THUMBNAIL_BOX // 2)


def test_small_image_is_not_enlarged():
    # GIVEN a checked 20 x 10 PNG
    checked = check_image(_encoded(Image.new("RGB", (20, 10), "blue"), "PNG"))
    # WHEN its thumbnail is made
    picture = Image.open(io.BytesIO(make_thumbnail(checked.content, checked.extension).content))
    # THEN it keeps its size
    assert picture.size == (20, 10)
