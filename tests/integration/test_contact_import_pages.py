"""The import as the account holder goes through it: pages, S3 upload, mapping, consent, progress, report;
and the same through the API."""

import json
import re
from urllib.parse import urlsplit

from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list
from tests.integration.test_data_rights import run_background_jobs

EXPORTS_BUCKET = "mailexpert-exports-123456789012-eu-west-1"
FILE = "E-mailadres;Voornaam;Achternaam\nhenk@example.com;Henk;Berg\nniet-een-adres;X;Y\n".encode()


def _hidden_fields(page: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))


def test_import_through_the_pages(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    # GIVEN the upload page: its form posts the file straight to S3, and the page's policy allows that
    upload_page = client.get(f"/lists/{list_id}/imports", headers={"Cookie": cookie})
    assert upload_page.status_code == 200
    body = upload_page.body.decode()
    action = re.search(r'action="([^"]+)" enctype="multipart/form-data"', body).group(1)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(action))
    assert f"form-action 'self' {origin}" in upload_page.headers["Content-Security-Policy"]
    fields = {k: v.replace("&amp;", "&") for k, v in _hidden_fields(body).items()}
    # WHEN the browser has posted the file (as S3 would store it) and S3 sends it back
    aws_resources.client("s3").put_object(Bucket=EXPORTS_BUCKET, Key=fields["key"], Body=FILE)
    back = urlsplit(fields["success_action_redirect"])
    mapping_page = client.get(back.path, headers={"Cookie": cookie})
    assert mapping_page.status_code == 303
    import_path = mapping_page.headers["Location"]
    page = client.get(import_path, headers={"Cookie": cookie}).body.decode()
    # THEN the mapping step shows the columns with the address column recognised
    assert "E-mailadres" in page and 'value="email" selected' in page and "henk@example.com" in page
    # AND without a declared lawful basis nothing starts
    refused = post_form(client, import_path, {"csrf_token": csrf, "column_0": "email"}, cookie=cookie)
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.body.decode()
    started = post_form(client, import_path, {"csrf_token": csrf, "column_0": "email", "column_1": "first_name",
                                              "declared": "on", "lawful_basis": "Klanten van de winkel"},
                        cookie=cookie)
    assert started.status_code == 303
    queued = client.get(import_path, headers={"Cookie": cookie}).body.decode()
    assert 'http-equiv="refresh"' in queued
    run_background_jobs(app_module, aws_resources)
    done = client.get(import_path + "?lang=en", headers={"Cookie": cookie}).body.decode()
    assert "1 imported, 0 updated, 1 skipped" in done
    report = client.get(import_path + "/report", headers={"Cookie": cookie})
    assert report.status_code == 303 and "import-report.csv" in report.headers["Location"].replace("%22", "")
    members = client.get(f"/lists/{list_id}", headers={"Cookie": cookie}).body.decode()
    assert "henk@example.com" in members


def test_import_through_the_api(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"}
    begun = client.post(f"/api/v1/lists/{list_id}/imports", headers=headers, body=b"")
    assert begun.status_code == 201, begun.body
    created = json.loads(begun.body)
    assert created["status"] == "waiting-for-file" and created["upload"]["fields"]["key"]
    aws_resources.client("s3").put_object(Bucket=EXPORTS_BUCKET, Key=created["upload"]["fields"]["key"],
                                          Body=b"email,first_name\nanna@example.com,Anna\n")
    ready = json.loads(client.get(f"/api/v1/imports/{created['import_id']}", headers=headers).body)
    assert ready["status"] == "mapping" and ready["mapping"] == {"0": "email", "1": "first_name"}
    missing = client.post(f"/api/v1/imports/{created['import_id']}/start", headers=headers,
                          body=json.dumps({"mapping": ready["mapping"], "declared": False, "lawful_basis": ""}).encode())
    assert missing.status_code == 422
    started = client.post(f"/api/v1/imports/{created['import_id']}/start", headers=headers,
                          body=json.dumps({"mapping": ready["mapping"], "declared": True,
                                           "lawful_basis": "webshop customers"}).encode())
    assert started.status_code == 202, started.body
    run_background_jobs(app_module, aws_resources)
    done = json.loads(client.get(f"/api/v1/imports/{created['import_id']}", headers=headers).body)
    assert done["status"] == "done" and done["counts"] == {"imported": 1, "updated": 0, "skipped": 0}
    report = json.loads(client.get(f"/api/v1/imports/{created['import_id']}/report", headers=headers).body)
    assert report["url"].startswith("http")
