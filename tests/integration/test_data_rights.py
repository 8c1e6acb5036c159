"""P13: download all my data (prepared in the background), and erase my account for good."""

import io
import json
import zipfile
from urllib.parse import parse_qs, urlsplit

from tests.integration.accounts_helpers import (PASSWORD, REGISTRATION, confirm, cookie_value, csrf_token_of,
                                                deliver_mail, log_in, post_form, register)
from tests.integration.test_mail_round_trip import FakeContext, receive_all, sqs_event
from tests.integration.review_helpers import send_through_review

EXPORTS_BUCKET = "mailexpert-exports-123456789012-eu-west-1"


def signed_in(client, app_module, aws_resources, outbox, **changes):
    fields = register(client, app_module, aws_resources, outbox, **changes)
    cookie = log_in(client, email=fields["email"])
    return cookie, csrf_token_of(client.get("/settings", headers={"Cookie": cookie}).body.decode())


def run_background_jobs(app_module, aws_resources):
    _, messages = receive_all(aws_resources.client("sqs"), "mailexpert-jobs")
    for message in messages:  # batch size 1, as deployed
        assert app_module.on_job_message(sqs_event([message]), FakeContext()) == {"batchItemFailures": []}
    return len(messages)


def export_id_on(page: str) -> str:
    return page.split('href="/settings/exports/', 1)[1].split('"', 1)[0]


def test_export_is_prepared_in_the_background_and_holds_every_kind_of_data(client, app_module, aws_resources, outbox):
    # GIVEN Anna with a confirmed address, a product-news consent and a remembered device
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox)
    confirm(client, outbox, REGISTRATION["email"])
    post_form(client, "/settings/product-news", {"csrf_token": csrf, "product_news": "on"}, cookie=cookie)
    post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD, "remember_me": "on"},
              headers={"User-Agent": "Firefox on the shop laptop"})
    # WHEN she asks for her data
    response = post_form(client, "/settings/export", {"csrf_token": csrf}, cookie=cookie)
    assert response.status_code == 303
    waiting = client.get("/settings", headers={"Cookie": cookie, "Accept-Language": "en"}).body.decode()
    assert "<progress" in waiting and 'http-equiv="refresh"' in waiting
    # AND the background job runs
    assert run_background_jobs(app_module, aws_resources) == 1
    # THEN the page offers a download, which leads to a short-lived link to the zip
    page = client.get("/settings", headers={"Cookie": cookie}).body.decode()
    download = client.get(f"/settings/exports/{export_id_on(page)}", headers={"Cookie": cookie})
    assert download.status_code == 303
    location = urlsplit(download.headers["Location"])
    assert "X-Amz-Expires" in parse_qs(location.query) or "Expires" in parse_qs(location.query)
    key = location.path.split(EXPORTS_BUCKET + "/", 1)[-1].lstrip("/")
    body = aws_resources.client("s3").get_object(Bucket=EXPORTS_BUCKET, Key=key)["Body"].read()
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = set(archive.namelist())
    assert {"profile/profile.json", "consents/consents.json", "devices/remembered_devices.json",
            "audience/contacts.json", "audience/contacts.csv", "audience/lists.json",
            "audience/memberships_and_consent.json", "audience/suppression_list.json",
            "security_log/security_log.json", "security_log/security_log.csv", "mail_events/mail_events.json",
            "README.txt"} <= names
    profile = json.loads(archive.read("profile/profile.json"))
    assert profile["email"] == REGISTRATION["email"] and profile["phone"] == "+31201234567"
    assert "password_hash" not in profile
    consents = json.loads(archive.read("consents/consents.json"))
    assert consents["product_news"] is True and consents["product_news_consent"]["text"]
    assert json.loads(archive.read("devices/remembered_devices.json"))[0]["device"] == "Firefox on the shop laptop"
    assert b"login.succeeded" in archive.read("security_log/security_log.csv")


def test_export_holds_the_audience_with_consent(client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox)
    list_id = post_form(client, "/lists", {"csrf_token": csrf, "name": "Klanten"}, cookie=cookie).headers[
        "Location"].rsplit("/", 1)[1]
    post_form(client, f"/lists/{list_id}/contacts", {"csrf_token": csrf, "email": "klant@example.org",
                                                     "first_name": "Kees", "lawful_basis": "shop counter"}, cookie=cookie)
    post_form(client, "/settings/export", {"csrf_token": csrf}, cookie=cookie)
    run_background_jobs(app_module, aws_resources)
    page = client.get("/settings", headers={"Cookie": cookie}).body.decode()
    location = urlsplit(client.get(f"/settings/exports/{export_id_on(page)}", headers={"Cookie": cookie}).headers["Location"])
    key = location.path.split(EXPORTS_BUCKET + "/", 1)[-1].lstrip("/")
    archive = zipfile.ZipFile(io.BytesIO(aws_resources.client("s3").get_object(Bucket=EXPORTS_BUCKET, Key=key)["Body"].read()))
    contacts = json.loads(archive.read("audience/contacts.json"))
    assert [(c["email"], c["first_name"]) for c in contacts] == [("klant@example.org", "Kees")]
    [membership] = json.loads(archive.read("audience/memberships_and_consent.json"))
    assert json.loads(membership["consent"])["lawful_basis"] == "shop counter"
    assert b"klant@example.org,Kees" in archive.read("audience/contacts.csv")
    assert json.loads(archive.read("audience/lists.json"))[0]["name"] == "Klanten"


def test_another_accounts_export_is_not_found(client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox)
    post_form(client, "/settings/export", {"csrf_token": csrf}, cookie=cookie)
    run_background_jobs(app_module, aws_resources)
    annas_export = export_id_on(client.get("/settings", headers={"Cookie": cookie}).body.decode())
    bob, _ = signed_in(client, app_module, aws_resources, outbox, email="bob@example.nl")
    assert client.get(f"/settings/exports/{annas_export}", headers={"Cookie": bob}).status_code == 404


def _send_a_campaign(client, cookie, csrf, list_id, app_module, aws_resources):
    from tests.integration.test_campaign_flow import TEMPLATE_HTML, send_campaign_batches

    saved = post_form(client, "/templates", {"csrf_token": csrf, "name": "Nieuws", "subject": "Nieuws",
                                             "html": TEMPLATE_HTML}, cookie=cookie)
    template_id = saved.headers["Location"].split("/templates/", 1)[1].split("?", 1)[0]
    created = post_form(client, "/campaigns", {"csrf_token": csrf, "name": "Maart", "template_id": template_id,
                                               "list_id": list_id, "tracking": "on"}, cookie=cookie)
    campaign_id = created.headers["Location"].rsplit("/", 1)[1]
    send_through_review(client, cookie, csrf, campaign_id)
    run_background_jobs(app_module, aws_resources)
    assert send_campaign_batches(app_module, aws_resources) == 1


def _upload_an_image(aws_resources, client, cookie):
    from PIL import Image

    page = client.get("/images", headers={"Cookie": cookie}).body.decode()
    key = page.split('name="key" value="', 1)[1].split('"', 1)[0]
    upload_id = page.split("upload_id=", 1)[1].split('"', 1)[0].split("&", 1)[0]
    image = io.BytesIO()
    Image.new("RGB", (20, 10), "red").save(image, "PNG")
    aws_resources.client("s3").put_object(Bucket="mailexpert-assets-123456789012-eu-west-1", Key=key,
                                          Body=image.getvalue())
    assert client.get(f"/images/uploaded?upload_id={upload_id}", headers={"Cookie": cookie}).status_code == 303


def test_erasure_leaves_no_personal_data_in_any_table_or_bucket(client, app_module, aws_resources, outbox):
    # GIVEN Anna's account with data in every place the account has: sessions, a remembered device,
    # an export in the bucket, mail events of mails sent to her; the buckets versioned, as deployed
    s3 = aws_resources.client("s3")
    for bucket in s3.list_buckets()["Buckets"]:
        s3.put_bucket_versioning(Bucket=bucket["Name"], VersioningConfiguration={"Status": "Enabled"})
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox)
    remembered = post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD,
                                              "remember_me": "on"})
    # ... and an audience: a list with a subscriber, and a suppressed address
    list_page = post_form(client, "/lists", {"csrf_token": csrf, "name": "Klanten"}, cookie=cookie)
    list_id = list_page.headers["Location"].rsplit("/", 1)[1]
    post_form(client, f"/lists/{list_id}/contacts", {"csrf_token": csrf, "email": "klant@example.org",
                                                     "first_name": "Kees", "lawful_basis": "shop"}, cookie=cookie)
    post_form(client, "/suppression", {"csrf_token": csrf, "emails": "weg@example.org"}, cookie=cookie)
    post_form(client, f"/lists/{list_id}/export", {"csrf_token": csrf}, cookie=cookie)  # a CSV in the bucket too
    post_form(client, "/settings/export", {"csrf_token": csrf}, cookie=cookie)
    run_background_jobs(app_module, aws_resources)
    deliver_mail(app_module, aws_resources)
    # ... and a campaign sent to that list, from a template, with an image uploaded
    confirm(client, outbox, REGISTRATION["email"])
    _send_a_campaign(client, cookie, csrf, list_id, app_module, aws_resources)
    _upload_an_image(aws_resources, client, cookie)
    from devstack.devtools.mailbox_simulator import simulated_events
    from tests.integration.test_mail_round_trip import sns_event

    for mail in outbox.mails():
        for event in simulated_events(mail):
            app_module.on_ses_event(sns_event(json.dumps(event)), FakeContext())
    # WHEN she erases her account, confirming with her password
    response = post_form(client, "/settings/erase", {"csrf_token": csrf, "erase_password": PASSWORD,
                                                     "erase_confirm": "on"}, cookie=cookie)
    assert response.status_code == 200
    # THEN no table and no bucket holds anything of hers
    personal = [REGISTRATION["email"], REGISTRATION["name"], "+31201234567", "Keizersgracht", "De Vries Bloemen",
                "NL123456789B01", "devriesbloemen.nl", "klant@example.org", "Kees", "weg@example.org", list_id]
    dynamodb, s3 = aws_resources.client("dynamodb"), aws_resources.client("s3")
    for table in dynamodb.list_tables()["TableNames"]:
        dump = json.dumps(dynamodb.scan(TableName=table)["Items"])
        assert not [p for p in personal if p in dump], table
    for bucket in s3.list_buckets()["Buckets"]:  # not even as an older version or behind a delete marker
        versions = s3.list_object_versions(Bucket=bucket["Name"])
        assert versions.get("Versions", []) + versions.get("DeleteMarkers", []) == [], bucket["Name"]
    # AND the security log remains, without her name or address, ending with the erasure
    audit = dynamodb.scan(TableName="mailexpert-audit-log")["Items"]
    assert any(e["event"]["S"] == "data.account_erased" for e in audit)
    # AND nothing signs in as her any more, and the address is free again
    assert client.get("/app", headers={"Cookie": cookie}).status_code == 303
    remember = cookie_value(remembered, "__Host-remember")
    assert client.get("/app", headers={"Cookie": f"__Host-remember={remember}"}).status_code == 303
    assert post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD}).status_code == 401
    register(client, app_module, aws_resources, outbox)


def test_erasure_needs_the_password_and_the_tick(client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox)
    no_tick = post_form(client, "/settings/erase", {"csrf_token": csrf, "erase_password": PASSWORD}, cookie=cookie)
    wrong = post_form(client, "/settings/erase", {"csrf_token": csrf, "erase_password": "nope",
                                                  "erase_confirm": "on"}, cookie=cookie)
    assert (no_tick.status_code, wrong.status_code) == (422, 403)
    assert client.get("/app", headers={"Cookie": cookie}).status_code == 200
