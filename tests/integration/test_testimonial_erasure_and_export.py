"""P13 + P15: the account's data export holds its testimonials with every consent record; erasing
the account removes its testimonials, consent records and photos, and takes them off the site."""

import io
import json
import zipfile
from urllib.parse import urlsplit

from tests.integration.accounts_helpers import PASSWORD, REGISTRATION, post_form
from tests.integration.test_data_rights import EXPORTS_BUCKET, export_id_on, run_background_jobs
from tests.integration.testimonial_helpers import (TEXT, customer, only_testimonial_of, photo_bytes, public_pages,
                                                   publish, staff, submit, upload_photo)

ASSETS_BUCKET = "mailexpert-assets-123456789012-eu-west-1"


def _with_published_testimonial(client, app_module, aws_resources, outbox):
    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    uploaded = upload_photo(client, cookie, aws_resources, photo_bytes())
    photo_id = uploaded.headers["Location"].split("photo=", 1)[1].split("#", 1)[0]
    submit(client, cookie, csrf, photo_id=photo_id, show_photo="on")
    staff_cookie, staff_csrf = staff(client, app_module, aws_resources, outbox)
    publish(client, staff_cookie, staff_csrf, only_testimonial_of())
    return cookie, csrf


def test_export_holds_the_testimonials_with_their_consent_records(client, app_module, aws_resources, outbox):
    cookie, csrf = _with_published_testimonial(client, app_module, aws_resources, outbox)
    # WHEN Anna downloads her data
    post_form(client, "/settings/export", {"csrf_token": csrf}, cookie=cookie)
    run_background_jobs(app_module, aws_resources)
    page = client.get("/settings", headers={"Cookie": cookie}).body.decode()
    location = client.get(f"/settings/exports/{export_id_on(page)}", headers={"Cookie": cookie}).headers["Location"]
    key = urlsplit(location).path.split(EXPORTS_BUCKET + "/", 1)[-1].lstrip("/")
    body = aws_resources.client("s3").get_object(Bucket=EXPORTS_BUCKET, Key=key)["Body"].read()
    # THEN it holds her testimonial with who/when/IP/text/fields/wording of its consent
    [testimonial] = json.loads(zipfile.ZipFile(io.BytesIO(body)).read("testimonials/testimonials.json"))
    [consent] = testimonial["consents"]
    assert consent["text"] == TEXT and consent["given_by"] == REGISTRATION["name"] and consent["ip"] == "127.0.0.1"
    assert set(consent["fields"]) == {"name", "company", "city", "photo"} and consent["wording_version"]
    assert testimonial["publication"]["consent_id"] == consent["consent_id"]


def test_erasure_removes_testimonials_consents_and_photos_when_the_account_is_erased(
        client, app_module, aws_resources, outbox):
    cookie, csrf = _with_published_testimonial(client, app_module, aws_resources, outbox)
    account_id = only_testimonial_of().account_id
    # WHEN Anna erases her account
    response = post_form(client, "/settings/erase", {"csrf_token": csrf, "erase_password": PASSWORD,
                                                     "erase_confirm": "on"}, cookie=cookie)
    assert response.status_code == 200
    # THEN her testimonial is on no page, in no item and no photo, of any version
    assert "MailExpert keeps our lists clean" not in public_pages(client)
    dynamodb, s3 = aws_resources.client("dynamodb"), aws_resources.client("s3")
    items = json.dumps(dynamodb.scan(TableName="mailexpert-notices")["Items"])
    assert account_id not in items and "MailExpert keeps" not in items and REGISTRATION["name"] not in items
    listing = s3.list_object_versions(Bucket=ASSETS_BUCKET)
    keys = [v["Key"] for v in listing.get("Versions", []) + listing.get("DeleteMarkers", [])]
    assert not [k for k in keys if account_id in k]
