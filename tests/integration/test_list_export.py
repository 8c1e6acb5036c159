"""A list exported as CSV, with every member's status and proof of consent, prepared in the background."""

import csv
import io
from urllib.parse import urlsplit

from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list, confirmation_token, sign_up
from tests.integration.test_data_rights import EXPORTS_BUCKET, run_background_jobs


def test_list_export_holds_every_member_with_consent_columns(client, app_module, aws_resources, outbox):
    # GIVEN a list with a confirmed sign-up, an unconfirmed one and a manual add
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    sign_up(client, app_module, aws_resources, list_id, "piet@example.org")
    post_form(client, "/f/confirm", {"token": confirmation_token(outbox, "piet@example.org")})
    sign_up(client, app_module, aws_resources, list_id, "klaas@example.org")
    post_form(client, f"/lists/{list_id}/contacts", {"csrf_token": csrf, "email": "kees@example.org",
                                                     "lawful_basis": "shop counter"}, cookie=cookie)
    # WHEN the account holder asks for the CSV and the background job runs
    assert post_form(client, f"/lists/{list_id}/export", {"csrf_token": csrf}, cookie=cookie).status_code == 303
    assert 'http-equiv="refresh"' in client.get(f"/lists/{list_id}", headers={"Cookie": cookie}).body.decode()
    assert run_background_jobs(app_module, aws_resources) == 1
    # THEN the list page offers the file, and it holds all three with their consent
    page = client.get(f"/lists/{list_id}", headers={"Cookie": cookie}).body.decode()
    export_id = page.split('href="/settings/exports/', 1)[1].split('"', 1)[0]
    location = urlsplit(client.get(f"/settings/exports/{export_id}", headers={"Cookie": cookie}).headers["Location"])
    key = location.path.split(EXPORTS_BUCKET + "/", 1)[-1].lstrip("/")
    body = aws_resources.client("s3").get_object(Bucket=EXPORTS_BUCKET, Key=key)["Body"].read().decode("utf-8")
    rows = {row["email"]: row for row in csv.DictReader(io.StringIO(body))}
    assert set(rows) == {"piet@example.org", "klaas@example.org", "kees@example.org"}
    assert rows["piet@example.org"]["status"] == "subscribed" and rows["piet@example.org"]["confirmed_at"]
    assert rows["piet@example.org"]["consent_source"] == "form" and rows["piet@example.org"]["form_text_version"]
    assert rows["klaas@example.org"]["status"] == "unconfirmed"
    assert rows["kees@example.org"]["lawful_basis"] == "shop counter"


def test_list_exports_are_not_listed_as_account_data_exports(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    post_form(client, f"/lists/{list_id}/export", {"csrf_token": csrf}, cookie=cookie)
    run_background_jobs(app_module, aws_resources)
    settings = client.get("/settings", headers={"Cookie": cookie}).body.decode()
    assert 'href="/settings/exports/' not in settings
