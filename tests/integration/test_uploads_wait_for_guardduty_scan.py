"""On AWS the app trusts GuardDuty Malware Protection for S3, which tags each object under the upload
prefixes with `GuardDutyMalwareScanStatus`: an upload is used only once the tag says
NO_THREATS_FOUND; until the tag is there the account holder is asked to wait a moment (409 with
Retry-After; the page reloads itself), THREATS_FOUND deletes the object and says why, and a file
sent again after its scan waits for its own.

moto has no GuardDuty: the tests put the tag on the object as GuardDuty would, and the app is given
the scanner the AWS stages get.
"""

import io
import json
import re
from urllib.parse import urlsplit

import pytest
from PIL import Image

from chalicelib.config import settings
from chalicelib.scanning import GUARDDUTY_TAG, GuardDutyTags, UploadScan
from tests.integration.audience_helpers import EXPORTS_BUCKET, account_with_list, members

CONTACTS = b"email,first_name\nanna@example.com,Anna\n"


@pytest.fixture
def guardduty(app_module):
    """The app as the AWS stages build it: uploads judged by GuardDuty's tag."""
    from chalicelib import composition

    built = composition.services().__dict__
    for name in ("upload_scan", "assets", "contact_imports", "testimonials"):
        built.pop(name, None)
    built["upload_scan"] = UploadScan(GuardDutyTags())
    return built["upload_scan"]


def _tag(s3, bucket: str, key: str, verdict: str) -> None:
    s3.put_object_tagging(Bucket=bucket, Key=key, Tagging={"TagSet": [{"Key": GUARDDUTY_TAG, "Value": verdict}]})


def _signed_in(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    return list_id, {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json",
                     "Accept-Language": "en"}


def test_image_is_used_only_once_guardduty_found_no_threats(client, app_module, aws_resources, outbox, guardduty):
    # GIVEN an image uploaded through the API that GuardDuty has not tagged yet
    _, headers = _signed_in(client, app_module, aws_resources, outbox)
    upload = json.loads(client.post("/api/v1/images", headers=headers, body=b"").body)
    photo = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(photo, format="PNG")
    s3 = aws_resources.client("s3")
    s3.put_object(Bucket=settings().assets_bucket, Key=upload["fields"]["key"], Body=photo.getvalue())
    finish = f"/api/v1/images/{upload['upload_id']}/finish"
    # WHEN it is finished before the scan ends
    early = client.post(finish, headers=headers, body=b"")
    # THEN the answer is "still being checked, try again in a moment", and the upload stays
    problem = json.loads(early.body)
    assert early.status_code == 409 and problem["type"].endswith("/scan-pending"), problem
    assert "still checking this file for viruses" in problem["detail"] and int(early.headers["Retry-After"]) > 0
    assert s3.head_object(Bucket=settings().assets_bucket, Key=upload["fields"]["key"])
    # AND once GuardDuty tagged it clean, finishing stores it
    _tag(s3, settings().assets_bucket, upload["fields"]["key"], "NO_THREATS_FOUND")
    done = client.post(finish, headers=headers, body=b"")
    assert done.status_code == 201, done.body
    assert [image["asset_id"] for image in json.loads(client.get("/api/v1/images", headers=headers).body)] == [
        json.loads(done.body)["asset_id"]]


@pytest.mark.parametrize("verdict, code", [("THREATS_FOUND", "malware-found"), ("FAILED", "not-scanned"),
                                           ("UNSUPPORTED", "not-scanned")])
def test_image_guardduty_did_not_find_clean_is_deleted_and_explained(client, app_module, aws_resources, outbox,
                                                                     guardduty, verdict, code):
    _, headers = _signed_in(client, app_module, aws_resources, outbox)
    upload = json.loads(client.post("/api/v1/images", headers=headers, body=b"").body)
    s3 = aws_resources.client("s3")
    s3.put_object(Bucket=settings().assets_bucket, Key=upload["fields"]["key"], Body=b"\x89PNG whatever")
    # GIVEN GuardDuty's verdict on the upload is not "no threats found"
    _tag(s3, settings().assets_bucket, upload["fields"]["key"], verdict)
    # WHEN it is finished
    answer = client.post(f"/api/v1/images/{upload['upload_id']}/finish", headers=headers, body=b"")
    # THEN it is refused with the reason, and gone from the bucket
    assert answer.status_code == 422 and json.loads(answer.body)["type"].endswith("/" + code), answer.body
    listing = s3.list_object_versions(Bucket=settings().assets_bucket)
    assert listing.get("Versions", []) + listing.get("DeleteMarkers", []) == []


def test_import_page_waits_for_the_scan_then_shows_the_mapping(client, app_module, aws_resources, outbox, guardduty):
    # GIVEN an account holder whose browser sent a contacts file that GuardDuty has not tagged yet
    list_id, headers = _signed_in(client, app_module, aws_resources, outbox)
    cookie = {"Cookie": headers["Cookie"]}
    page = client.get(f"/lists/{list_id}/imports", headers=cookie).body.decode()
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    s3 = aws_resources.client("s3")
    s3.put_object(Bucket=EXPORTS_BUCKET, Key=fields["key"], Body=CONTACTS)
    back = urlsplit(fields["success_action_redirect"].replace("&amp;", "&")).path
    # WHEN S3 sends the browser back before the scan ends
    waiting = client.get(back + "?lang=en", headers=cookie)
    # THEN a page says the file is still being checked, and reloads itself
    body = waiting.body.decode()
    assert waiting.status_code == 409 and "still checking this file for viruses" in body
    assert '<meta http-equiv="refresh" content="' in body
    # AND once GuardDuty tagged it clean, the same address leads to the mapping step
    _tag(s3, EXPORTS_BUCKET, fields["key"], "NO_THREATS_FOUND")
    ready = client.get(back, headers=cookie)
    assert ready.status_code == 303
    assert "anna@example.com" in client.get(ready.headers["Location"], headers=cookie).body.decode()


def test_contacts_file_sent_again_after_its_scan_waits_for_its_own(client, app_module, aws_resources, outbox,
                                                                   guardduty):
    # GIVEN an import whose file GuardDuty found clean, read at the mapping step
    list_id, headers = _signed_in(client, app_module, aws_resources, outbox)
    created = json.loads(client.post(f"/api/v1/lists/{list_id}/imports", headers=headers, body=b"").body)
    key = created["upload"]["fields"]["key"]
    s3 = aws_resources.client("s3")
    s3.put_object(Bucket=EXPORTS_BUCKET, Key=key, Body=CONTACTS)
    _tag(s3, EXPORTS_BUCKET, key, "NO_THREATS_FOUND")
    assert json.loads(client.get(f"/api/v1/imports/{created['import_id']}", headers=headers).body)["status"] == "mapping"
    # WHEN another file is sent under the same key (the upload link is still valid), not yet scanned
    s3.put_object(Bucket=EXPORTS_BUCKET, Key=key, Body=b"email\nbert@example.com\n")
    answer = client.get(f"/api/v1/imports/{created['import_id']}", headers=headers)
    # THEN the new file waits for its own scan; nothing of it is read or imported
    assert answer.status_code == 409 and json.loads(answer.body)["type"].endswith("/scan-pending"), answer.body
    assert members(aws_resources, list_id) == []


def test_testimonial_photo_waits_for_the_scan_then_is_kept(client, app_module, aws_resources, outbox, guardduty):
    # GIVEN a customer whose browser sent a photo that GuardDuty has not tagged yet
    from tests.integration.testimonial_helpers import customer, photo_bytes

    cookie, _ = customer(client, app_module, aws_resources, outbox)
    page = client.get("/settings/testimonials", headers={"Cookie": cookie}).body.decode()
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    back = re.search(r'name="success_action_redirect" value="([^"]+)"', page).group(1).replace("&amp;", "&")
    back = back.split("127.0.0.1:8000", 1)[1]
    s3 = aws_resources.client("s3")
    s3.put_object(Bucket=settings().assets_bucket, Key=key, Body=photo_bytes())
    # WHEN S3 sends the browser back before the scan ends
    waiting = client.get(back, headers={"Cookie": f"{cookie}; lang=en"})
    # THEN a self-reloading page says the file is still being checked
    assert waiting.status_code == 409 and '<meta http-equiv="refresh"' in waiting.body.decode()
    # AND once GuardDuty tagged it clean, the same address keeps the photo
    _tag(s3, settings().assets_bucket, key, "NO_THREATS_FOUND")
    kept = client.get(back, headers={"Cookie": cookie})
    assert kept.status_code == 303 and "photo=" in kept.headers["Location"]
