"""A zip, a PDF or an Excel workbook uploaded as the contacts file: the mapping step says this is not a
CSV file (4xx, translated), on the pages and through the API; a file swapped for one after the
mapping step is refused by the job."""

import io
import json
import re
import zipfile
from urllib.parse import urlsplit

from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import EXPORTS_BUCKET, account_with_list
from tests.integration.test_data_rights import run_background_jobs


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet><row><c>email</c></row></worksheet>")
    return buffer.getvalue()


def _upload_on_the_pages(client, aws_resources, cookie, list_id, data: bytes, language="en"):
    page = client.get(f"/lists/{list_id}/imports", headers={"Cookie": cookie}).body.decode()
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    aws_resources.client("s3").put_object(Bucket=EXPORTS_BUCKET, Key=fields["key"], Body=data)
    back = urlsplit(fields["success_action_redirect"].replace("&amp;", "&"))
    return client.get(f"{back.path}?lang={language}", headers={"Cookie": cookie})


def test_excel_workbook_uploaded_on_the_pages_says_to_save_it_as_csv(client, app_module, aws_resources, outbox):
    # GIVEN an account holder on the import page
    cookie, _, list_id = account_with_list(client, app_module, aws_resources, outbox)
    # WHEN they upload an .xlsx workbook and S3 sends them back to the mapping step
    answer = _upload_on_the_pages(client, aws_resources, cookie, list_id, _xlsx())
    # THEN the page refuses it clearly: not a CSV file, save it as CSV from Excel
    body = answer.body.decode()
    assert answer.status_code == 422, body[:500]
    assert "This is not a CSV file" in body and "Save As" in body and "CSV UTF-8" in body


def test_pdf_uploaded_on_the_pages_is_refused_in_dutch(client, app_module, aws_resources, outbox):
    # GIVEN an account holder reading Dutch
    cookie, _, list_id = account_with_list(client, app_module, aws_resources, outbox)
    # WHEN they upload a PDF
    answer = _upload_on_the_pages(client, aws_resources, cookie, list_id, b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "nl")
    # THEN the page says so in Dutch, never with a server error
    body = answer.body.decode()
    assert answer.status_code == 422 and "Dit is geen CSV-bestand" in body and "PDF" in body


def test_zip_uploaded_through_the_api_is_refused_at_the_mapping_step(client, app_module, aws_resources, outbox):
    # GIVEN an import begun through the API, with a zip uploaded
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json", "Accept-Language": "en"}
    created = json.loads(client.post(f"/api/v1/lists/{list_id}/imports", headers=headers, body=b"").body)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("contacts.csv", "email\nanna@example.com\n")
    aws_resources.client("s3").put_object(Bucket=EXPORTS_BUCKET, Key=created["upload"]["fields"]["key"],
                                          Body=buffer.getvalue())
    # WHEN the client asks for the suggested mapping
    answer = client.get(f"/api/v1/imports/{created['import_id']}", headers=headers)
    # THEN it is a 422 problem saying the file is not CSV, and the import cannot be started
    problem = json.loads(answer.body)
    assert answer.status_code == 422 and problem["type"].endswith("not-csv"), problem
    assert "ZIP" in problem["detail"] and "not a CSV file" in problem["detail"]
    started = client.post(f"/api/v1/imports/{created['import_id']}/start", headers=headers, body=json.dumps(
        {"mapping": {"0": "email"}, "declared": True, "lawful_basis": "webshop"}).encode())
    assert started.status_code == 409, started.body


def test_file_swapped_for_a_workbook_after_the_mapping_step_is_refused_by_the_job(client, app_module, aws_resources,
                                                                                  outbox):
    # GIVEN an import whose CSV file was read at the mapping step
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"}
    created = json.loads(client.post(f"/api/v1/lists/{list_id}/imports", headers=headers, body=b"").body)
    key = created["upload"]["fields"]["key"]
    s3 = aws_resources.client("s3")
    s3.put_object(Bucket=EXPORTS_BUCKET, Key=key, Body=b"email\nanna@example.com\n")
    ready = json.loads(client.get(f"/api/v1/imports/{created['import_id']}", headers=headers).body)
    assert ready["status"] == "mapping"
    post = client.post(f"/api/v1/imports/{created['import_id']}/start", headers=headers, body=json.dumps(
        {"mapping": ready["mapping"], "declared": True, "lawful_basis": "webshop"}).encode())
    assert post.status_code == 202
    # WHEN the file is replaced by a workbook before the job reads it
    s3.put_object(Bucket=EXPORTS_BUCKET, Key=key, Body=_xlsx())
    run_background_jobs(app_module, aws_resources)
    # THEN the job stops with the reason, and imports nobody
    done = json.loads(client.get(f"/api/v1/imports/{created['import_id']}", headers=headers).body)
    assert done["status"] == "failed" and "Excel" in done["problem"], done
    assert done["counts"]["imported"] == 0
    page = client.get(f"/lists/{list_id}/imports/{created['import_id']}", headers={"Cookie": cookie})
    assert page.status_code == 200 and "Excel" in page.body.decode()
