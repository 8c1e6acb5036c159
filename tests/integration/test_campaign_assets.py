"""Campaign images: presigned upload, checked and stored clean, listed, metered, served, deleted, erased.

The browser's POST to S3 cannot reach in-process moto, so the tests read the presigned policy and
then put the object under the fixed key with the S3 client, as the browser would.
"""

import base64
import io
import json
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from PIL import Image

from chalicelib.campaigns.assets import (ASSET_CACHE_CONTROL, IMAGE_URL_VALID_S, MAX_NAME_LENGTH, UPLOAD_VALID_S,
                                         AssetNotFound, AssetService, UploadNotFound)
from chalicelib.campaigns.image_check import MAX_UPLOAD_BYTES, FileTooLarge, NotAnImage, SvgRefused
from chalicelib.config import settings
from chalicelib.scanning import SignatureScanner, UploadScan
from chalicelib.storage import Bucket

BASE_URL = "https://mailexpert.test"


@pytest.fixture
def s3(aws_resources):
    return boto3.client("s3", region_name="eu-west-1")


@pytest.fixture
def assets(s3):
    return AssetService(Bucket(s3, settings().assets_bucket), BASE_URL, UploadScan(SignatureScanner()))


def _photo(size=(64, 32), colour="orange") -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 15.5)}
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _png(size=(10, 10)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (10, 20, 30, 40)).save(out, format="PNG")
    return out.getvalue()


def _browser_upload(s3, upload: dict, data: bytes) -> None:
    """What the browser's form POST does: the object lands under the key the server fixed."""
    s3.put_object(Bucket=settings().assets_bucket, Key=upload["fields"]["key"], Body=data)


def _upload(assets, s3, account_id: str, data: bytes, name: str = "Banner"):
    upload = assets.begin_upload(account_id)
    _browser_upload(s3, upload, data)
    return assets.finish_upload(account_id, upload["upload_id"], name)


def _every_key(s3) -> list[str]:
    listing = s3.list_object_versions(Bucket=settings().assets_bucket)
    return [item["Key"] for item in listing.get("Versions", []) + listing.get("DeleteMarkers", [])]


def _valid_for_s(query: dict) -> float:
    """How long a presigned URL stays valid, whichever signature the client used (v4 or v2)."""
    if "X-Amz-Expires" in query:
        return float(query["X-Amz-Expires"][0])
    return float(query["Expires"][0]) - datetime.now(timezone.utc).timestamp()


def _account() -> str:
    return uuid.uuid4().hex


def test_presigned_post_fixes_key_size_and_expiry_when_upload_begins(assets):
    # GIVEN an account
    account_id = _account()
    # WHEN it begins an upload
    upload = assets.begin_upload(account_id)
    # THEN the form posts to the assets bucket, and its signed policy fixes key, size range and status
    assert settings().assets_bucket in upload["url"]
    key = upload["fields"]["key"]
    assert key == f"incoming/{account_id}/{upload['upload_id']}"
    assert upload["fields"]["success_action_status"] == "201"
    policy = json.loads(base64.b64decode(upload["fields"]["policy"]))
    assert ["content-length-range", 1, MAX_UPLOAD_BYTES] in policy["conditions"]
    assert {"key": key} in policy["conditions"]
    assert {"success_action_status": "201"} in policy["conditions"]
    expires = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert expires <= datetime.now(timezone.utc) + timedelta(seconds=UPLOAD_VALID_S + 5)
    assert assets.begin_upload(account_id)["upload_id"] != upload["upload_id"]


def test_finished_upload_is_stored_clean_with_cache_headers_and_the_upload_is_gone(assets, s3):
    # GIVEN a photo with GPS data uploaded by the browser
    account_id = _account()
    upload = assets.begin_upload(account_id)
    _browser_upload(s3, upload, _photo())
    # WHEN the upload is finished
    asset = assets.finish_upload(account_id, upload["upload_id"], "  Zomeractie\n<b>2025</b> \u202e ")
    # THEN the asset is described, with a URL that names neither the account nor the upload
    assert (asset.content_type, asset.width, asset.height) == ("image/jpeg", 64, 32)
    assert asset.name == "Zomeractie <b>2025</b>"
    assert asset.url == f"{BASE_URL}/i/{asset.asset_id}.jpg"
    assert account_id not in asset.url and len(asset.asset_id) == 32
    # AND the stored object is the clean JPEG, without EXIF, and cacheable for good
    stored = s3.get_object(Bucket=settings().assets_bucket, Key=f"assets/{asset.asset_id}.jpg")
    content = stored["Body"].read()
    assert stored["ContentType"] == "image/jpeg" and stored["CacheControl"] == ASSET_CACHE_CONTROL
    assert stored["Metadata"] == {}  # S3 would hand metadata to every mail reader
    assert len(content) == asset.size and not Image.open(io.BytesIO(content)).getexif()
    # AND the upload is gone, every version of it
    assert not [key for key in _every_key(s3) if key.startswith("incoming/")]
    assert assets.list_assets(account_id) == [asset]


def test_refused_upload_is_deleted_and_explained(assets, s3):
    account_id = _account()
    for data, refusal in [(b'<svg xmlns="http://www.w3.org/2000/svg"/>', SvgRefused),
                          (b"PK\x03\x04 not an image at all", NotAnImage)]:
        upload = assets.begin_upload(account_id)
        _browser_upload(s3, upload, data)
        with pytest.raises(refusal):
            assets.finish_upload(account_id, upload["upload_id"], "logo")
    assert _every_key(s3) == []
    assert assets.list_assets(account_id) == [] and assets.usage_bytes(account_id) == 0


def test_oversized_upload_is_refused_unread(assets, s3):
    # GIVEN an upload over the limit (the policy would stop a browser; the server checks anyway)
    account_id = _account()
    upload = assets.begin_upload(account_id)
    _browser_upload(s3, upload, b"\xff\xd8\xff" + b"\0" * MAX_UPLOAD_BYTES)
    # WHEN it is finished
    with pytest.raises(FileTooLarge) as refused:
        assets.finish_upload(account_id, upload["upload_id"], "huge")
    # THEN it is refused as too large, and deleted
    assert refused.value.status == 413
    assert _every_key(s3) == []


def test_upload_cannot_be_finished_twice_or_when_never_sent(assets, s3):
    account_id = _account()
    upload = assets.begin_upload(account_id)
    with pytest.raises(UploadNotFound):
        assets.finish_upload(account_id, upload["upload_id"], "nothing sent")
    _browser_upload(s3, upload, _png())
    assets.finish_upload(account_id, upload["upload_id"], "once")
    with pytest.raises(UploadNotFound):
        assets.finish_upload(account_id, upload["upload_id"], "twice")
    with pytest.raises(UploadNotFound):
        assets.finish_upload(account_id, "../" + upload["upload_id"], "traversal")


def test_usage_sums_the_stored_bytes_of_the_account_only(assets, s3):
    # GIVEN two images of one account and one of another
    account_id, other_id = _account(), _account()
    first = _upload(assets, s3, account_id, _photo())
    second = _upload(assets, s3, account_id, _png((300, 200)))
    _upload(assets, s3, other_id, _png((50, 50)))
    # WHEN the usage is metered
    usage = assets.usage_bytes(account_id)
    # THEN it is the size of the clean images of that account and their thumbnails, as stored
    stored = sum(s3.head_object(Bucket=settings().assets_bucket, Key=key)["ContentLength"]
                 for asset in (first, second) for key in (f"assets/{asset.path}", f"thumbnails/{asset.path}"))
    assert usage == stored > first.size + second.size
    assert {asset.asset_id for asset in assets.list_assets(account_id)} == {first.asset_id, second.asset_id}


def test_deleted_image_is_gone_from_list_usage_bucket_and_url(assets, s3):
    account_id = _account()
    kept = _upload(assets, s3, account_id, _png())
    gone = _upload(assets, s3, account_id, _photo())
    assets.delete_asset(account_id, gone.asset_id)
    assert assets.list_assets(account_id) == [kept]
    assert assets.usage_bytes(account_id) == kept.size + s3.head_object(
        Bucket=settings().assets_bucket, Key=f"thumbnails/{kept.path}")["ContentLength"]
    assert not [key for key in _every_key(s3) if gone.asset_id in key]  # no version nor delete marker left
    assert assets.image_redirect_url(gone.path) is None
    with pytest.raises(AssetNotFound):
        assets.delete_asset(account_id, gone.path)


def test_another_account_cannot_finish_or_delete_what_is_not_its_own(assets, s3):
    # GIVEN an upload in progress and a stored image, both of one account
    owner_id, intruder_id = _account(), _account()
    asset = _upload(assets, s3, owner_id, _png())
    upload = assets.begin_upload(owner_id)
    _browser_upload(s3, upload, _photo())
    # WHEN another account tries to finish the upload or delete or read the image
    with pytest.raises(UploadNotFound):
        assets.finish_upload(intruder_id, upload["upload_id"], "mine now")
    with pytest.raises(AssetNotFound):
        assets.delete_asset(intruder_id, asset.asset_id)
    with pytest.raises(AssetNotFound):
        assets.delete_asset(intruder_id, asset.path)
    with pytest.raises(AssetNotFound):
        assets.get_asset(intruder_id, asset.asset_id)
    # THEN nothing changed for the owner, who can still finish and keep both
    assert assets.list_assets(intruder_id) == []
    assert assets.finish_upload(owner_id, upload["upload_id"], "second").width == 64
    assert len(assets.list_assets(owner_id)) == 2


def test_image_url_redirects_to_a_presigned_get_of_the_clean_image(assets, s3):
    # GIVEN a stored image
    account_id = _account()
    asset = _upload(assets, s3, account_id, _png((12, 7)))
    # WHEN the address its URL redirects to is asked for
    target = assets.image_redirect_url(asset.path)
    # THEN it is a presigned GET of the image, valid for an hour, without the account id in it
    query = parse_qs(urlsplit(target).query)
    assert urlsplit(target).path.endswith(f"/assets/{asset.path}")
    assert _valid_for_s(query) == pytest.approx(IMAGE_URL_VALID_S, abs=5)
    assert "X-Amz-Signature" in query or "Signature" in query
    assert account_id not in target
    # AND unknown or malformed paths lead nowhere
    assert assets.image_redirect_url(f"{uuid.uuid4().hex}.png") is None
    assert assets.image_redirect_url(f"{asset.asset_id}.svg") is None
    assert assets.image_redirect_url(f"../asset-records/{account_id}/{asset.path}") is None


def test_long_or_empty_names_are_kept_plain_and_short(assets, s3):
    account_id = _account()
    long_named = _upload(assets, s3, account_id, _png(), name="Ĳsjes 🍦 " * 100)
    unnamed = _upload(assets, s3, account_id, _png(), name="\x00\t ")
    assert len(long_named.name) <= MAX_NAME_LENGTH and long_named.name.startswith("Ĳsjes 🍦 Ĳsjes")
    assert unnamed.name == "image"
    assert {asset.name for asset in assets.list_assets(account_id)} == {long_named.name, "image"}


def test_erasing_an_account_removes_all_its_images_uploads_and_records(assets, s3):
    # GIVEN an account with two images and an unfinished upload, and another account with one image
    account_id, other_id = _account(), _account()
    _upload(assets, s3, account_id, _png())
    _upload(assets, s3, account_id, _photo())
    _browser_upload(s3, assets.begin_upload(account_id), _png())
    kept = _upload(assets, s3, other_id, _png())
    # WHEN the account is erased
    erased = assets.erase_account(account_id)
    # THEN its two images went, with every version, and nothing of it is left in the bucket
    assert erased == 2
    assert assets.list_assets(account_id) == [] and assets.usage_bytes(account_id) == 0
    assert not [key for key in _every_key(s3) if account_id in key]
    assert sorted(_every_key(s3)) == sorted([f"assets/{kept.path}", f"asset-records/{other_id}/{kept.path}",
                                             f"thumbnails/{kept.asset_id}.png"])
    # AND the other account keeps its image, and erasing again finds nothing
    assert assets.list_assets(other_id) == [kept]
    assert assets.erase_account(account_id) == 0
