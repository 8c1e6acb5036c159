"""Thumbnails on the images page: served by the app to the image's owner only, always a small JPEG or
PNG with headers that keep a browser from reading it as anything else, stored beside the image and
erased with it. The page keeps `img-src 'self'`: the assets bucket never enters its policy."""

import io

from PIL import Image

from chalicelib.campaigns.image_check import THUMBNAIL_BOX
from chalicelib.config import settings
from tests.integration.audience_helpers import account_with_list
from tests.integration.accounts_helpers import post_form

IMAGE_ACCEPT = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"  # what Chromium sends for <img>


def _upload(aws_resources, client, cookie, image: Image.Image, kind: str) -> str:
    """Uploads an image as the browser would (straight to S3, then back to the app); returns its path."""
    page = client.get("/images", headers={"Cookie": cookie}).body.decode()
    key = page.split('name="key" value="', 1)[1].split('"', 1)[0]
    upload_id = page.split("upload_id=", 1)[1].split('"', 1)[0].split("&", 1)[0]
    data = io.BytesIO()
    image.save(data, kind)
    aws_resources.client("s3").put_object(Bucket=settings().assets_bucket, Key=key, Body=data.getvalue())
    assert client.get(f"/images/uploaded?upload_id={upload_id}", headers={"Cookie": cookie}).status_code == 303
    page = client.get("/images", headers={"Cookie": cookie}).body.decode()
    return page.split('action="/images/', 1)[1].split("/delete", 1)[0]


def _keys(aws_resources, prefix: str) -> list[str]:
    listing = aws_resources.client("s3").list_object_versions(Bucket=settings().assets_bucket, Prefix=prefix)
    return [item["Key"] for item in listing.get("Versions", []) + listing.get("DeleteMarkers", [])]


def _thumbnail(client, cookie, path):
    return client.get(f"/images/{path}/thumbnail", headers={"Cookie": cookie, "Accept": IMAGE_ACCEPT})


def test_owner_gets_a_small_png_thumbnail_with_safe_headers(client, app_module, aws_resources, outbox):
    # GIVEN Anna's transparent PNG of 800 x 400 pixels
    cookie, _, _ = account_with_list(client, app_module, aws_resources, outbox)
    path = _upload(aws_resources, client, cookie, Image.new("RGBA", (800, 400), (200, 30, 30, 128)), "PNG")
    # WHEN her images page and its thumbnail are fetched
    page = client.get("/images", headers={"Cookie": cookie})
    response = _thumbnail(client, cookie, path)
    # THEN the page shows the thumbnail from its own origin, sized to fit, and its policy still allows only that
    body = page.body.decode()
    assert f'src="/images/{path}/thumbnail"' in body and 'width="80" height="40"' in body
    assert f'src="/i/{path}"' not in body
    assert "img-src 'self' data:;" in page.headers["Content-Security-Policy"]
    # AND the thumbnail is a PNG of at most 160 pixels, kept transparent, and nothing a browser may sniff or run
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, max-age=86400"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    picture = Image.open(io.BytesIO(response.body))
    assert picture.format == "PNG" and picture.size == (THUMBNAIL_BOX, THUMBNAIL_BOX // 2)
    assert picture.mode == "RGBA"
    assert len(response.body) < 20_000


def test_a_photo_gets_a_jpeg_thumbnail_stored_beside_it(client, app_module, aws_resources, outbox):
    # GIVEN a JPEG photo, taller than wide
    cookie, _, _ = account_with_list(client, app_module, aws_resources, outbox)
    path = _upload(aws_resources, client, cookie, Image.new("RGB", (300, 600), "orange"), "JPEG")
    asset_id = path.split(".", 1)[0]
    # WHEN its thumbnail is fetched
    response = _thumbnail(client, cookie, path)
    # THEN it is a JPEG that fits the box, stored under thumbnails/ at upload
    assert response.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(response.body)).size == (THUMBNAIL_BOX // 2, THUMBNAIL_BOX)
    assert _keys(aws_resources, "thumbnails/") == [f"thumbnails/{asset_id}.jpg"]


def test_thumbnail_is_made_when_first_asked_for_an_older_image(client, app_module, aws_resources, outbox):
    # GIVEN an image whose thumbnail is not there (stored before thumbnails were)
    cookie, _, _ = account_with_list(client, app_module, aws_resources, outbox)
    path = _upload(aws_resources, client, cookie, Image.new("RGB", (40, 20), "blue"), "PNG")
    s3 = aws_resources.client("s3")
    [key] = _keys(aws_resources, "thumbnails/")
    s3.delete_object(Bucket=settings().assets_bucket, Key=key)
    # WHEN it is asked for
    response = _thumbnail(client, cookie, path)
    # THEN it is made from the image (never enlarged) and kept for next time
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.body)).size == (40, 20)
    assert _keys(aws_resources, "thumbnails/") == [key]


def test_nobody_but_the_owner_gets_a_thumbnail(client, app_module, aws_resources, outbox):
    # GIVEN Anna's image, and Bob signed in
    cookie, _, _ = account_with_list(client, app_module, aws_resources, outbox)
    path = _upload(aws_resources, client, cookie, Image.new("RGB", (40, 20), "blue"), "PNG")
    bob, _, _ = account_with_list(client, app_module, aws_resources, outbox, email="bob@example.nl")
    # WHEN Bob, someone not signed in, and Anna with a made-up path ask for it
    as_bob = _thumbnail(client, bob, path)
    anonymous = client.get(f"/images/{path}/thumbnail", headers={"Accept": IMAGE_ACCEPT})
    made_up = _thumbnail(client, cookie, "0" * 32 + ".png")
    not_a_path = _thumbnail(client, cookie, "..%2Fasset-records")
    # THEN Bob and the made-up paths find nothing, and the visitor is sent to log in
    assert (as_bob.status_code, made_up.status_code, not_a_path.status_code) == (404, 404, 404)
    assert anonymous.status_code in (302, 303) and anonymous.headers["Location"].startswith("/login")
    assert b"\x89PNG" not in as_bob.body + anonymous.body


def test_thumbnail_goes_with_its_image(client, app_module, aws_resources, outbox):
    # GIVEN an image with its thumbnail
    cookie, csrf, _ = account_with_list(client, app_module, aws_resources, outbox)
    path = _upload(aws_resources, client, cookie, Image.new("RGB", (40, 20), "blue"), "PNG")
    assert _keys(aws_resources, "thumbnails/")
    # WHEN the image is deleted
    assert post_form(client, f"/images/{path}/delete", {"csrf_token": csrf, "confirmed": "yes"}, cookie=cookie).status_code == 303
    # THEN its thumbnail is gone too, every version, and asking for it finds nothing
    assert _keys(aws_resources, "thumbnails/") == []
    assert _thumbnail(client, cookie, path).status_code == 404


def test_an_upload_is_kept_when_its_thumbnail_cannot_be_stored(client, app_module, aws_resources, outbox,
                                                              monkeypatch):
    from chalicelib.campaigns import image_check

    # GIVEN an account holder, and a thumbnail maker that fails once
    cookie, _, _ = account_with_list(client, app_module, aws_resources, outbox)
    real = image_check.make_thumbnail
    monkeypatch.setattr(image_check, "make_thumbnail", lambda *args: (_ for _ in ()).throw(OSError("broken")))
    # WHEN an image is uploaded
    path = _upload(aws_resources, client, cookie, Image.new("RGB", (40, 20), "blue"), "PNG")
    # THEN the image is kept without a thumbnail, and the thumbnail is made when it is first asked for
    assert _keys(aws_resources, "thumbnails/") == []
    monkeypatch.setattr(image_check, "make_thumbnail", real)
    assert _thumbnail(client, cookie, path).status_code == 200
    assert _keys(aws_resources, "thumbnails/") == [f"thumbnails/{path.split('.')[0]}.png"]
