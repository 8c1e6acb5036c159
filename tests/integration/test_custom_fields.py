"""Custom fields on moto: defined on a page or through the API, typed on every way a contact comes in."""

import csv
import io
import json
from types import SimpleNamespace

import pytest

from chalicelib import errors
from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list

EXPORTS_BUCKET = "mailexpert-exports-123456789012-eu-west-1"


def test_number_field_refuses_text_through_the_api_with_a_message_for_that_field(client, app_module, aws_resources,
                                                                               outbox):
    # GIVEN a number field
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json", "Accept-Language": "en"}
    created = client.post("/api/v1/fields", headers=headers,
                          body=json.dumps({"label": "Amount", "field_type": "number"}).encode())
    assert created.status_code == 201 and json.loads(created.body)["key"] == "amount"
    contact = {"email": "anna@example.org", "confirm": False, "lawful_basis": "shop counter"}
    # WHEN a contact comes in with "abc" in it
    refused = client.post(f"/api/v1/lists/{list_id}/contacts", headers=headers,
                          body=json.dumps({**contact, "fields": {"amount": "abc"}}).encode())
    # THEN the request is refused, naming the field and what it takes
    assert refused.status_code == 422
    assert json.loads(refused.body)["errors"] == [{"field": "fields.amount",
                                                   "message": "Enter a number, such as 12, 12,50 or 1.234,00."}]
    # AND a Dutch amount is stored as a number, other keys as text
    added = client.post(f"/api/v1/lists/{list_id}/contacts", headers=headers,
                        body=json.dumps({**contact, "fields": {"amount": "1.234,50", "shoe": "42"}}).encode())
    assert added.status_code == 201, added.body
    assert json.loads(added.body)["fields"] == {"amount": "1234.5", "shoe": "42"}
    listed = json.loads(client.get("/api/v1/fields", headers=headers).body)
    assert listed == [{"key": "amount", "label": "Amount", "field_type": "number"}]
    assert client.delete("/api/v1/fields/amount", headers=headers).status_code == 204
    assert client.delete("/api/v1/fields/amount", headers=headers).status_code == 404


def test_fields_page_adds_and_deletes_and_its_form_validates(client, app_module, aws_resources, outbox):
    cookie, csrf, _ = account_with_list(client, app_module, aws_resources, outbox)
    page = client.get("/fields", headers={"Cookie": cookie, "Accept-Language": "en"})
    assert page.status_code == 200 and 'href="/fields" aria-current' in page.body.decode().replace('"\n', '"')
    refused = post_form(client, "/fields", {"csrf_token": csrf, "label": "", "field_type": "date"}, cookie=cookie)
    assert refused.status_code == 422 and 'id="label" name="label" type="text" value="" required aria-describedby' \
        in refused.body.decode() and 'aria-invalid="true"' in refused.body.decode()
    assert post_form(client, "/fields", {"csrf_token": csrf, "label": "Geboortedatum", "field_type": "date"},
                     cookie=cookie).status_code == 303
    twice = post_form(client, "/fields", {"csrf_token": csrf, "label": "geboortedatum", "field_type": "text"},
                      cookie=cookie)
    assert twice.status_code == 422
    listed = client.get("/fields", headers={"Cookie": cookie}).body.decode()
    assert "<code>geboortedatum</code>" in listed
    assert post_form(client, "/fields/geboortedatum/delete", {"csrf_token": csrf, "confirmed": "yes"},
                     cookie=cookie).status_code == 303
    assert "<code>geboortedatum</code>" not in client.get("/fields", headers={"Cookie": cookie}).body.decode()


def _account(account_id="acc-1"):
    return SimpleNamespace(account_id=account_id, email="owner@example.nl", may_send=True, language="en",
                           company_name="Bakkerij", name="B")


def test_an_account_has_at_most_fifty_fields(aws_resources):
    from chalicelib.composition import services

    account = _account()
    for number in range(50):
        services().custom_fields.create(account, f"Veld {number}", "text")
    with pytest.raises(errors.ValidationFailed) as refused:
        services().custom_fields.create(account, "Eén te veel", "text")
    assert [e.field for e in refused.value.field_errors] == ["label"]


def test_import_keeps_a_row_with_a_bad_date_but_leaves_that_field_out(aws_resources):
    from chalicelib.composition import services

    # GIVEN a date field, and a file with an impossible date in one row
    account = _account()
    services().custom_fields.create(account, "Geboortedatum", "date")
    audience_list = services().audience_service.create_list(account, SimpleNamespace(name="Klanten", description=None))
    imports, s3 = services().contact_imports, aws_resources.client("s3")
    imported, form = imports.begin(account, audience_list.list_id, "klanten.csv")
    s3.put_object(Bucket=EXPORTS_BUCKET, Key=form["fields"]["key"], Body=b"email,geboortedatum,stad\n"
                  b"anna@example.com,31-02-1990,Utrecht\nbob@example.com,15-06-1985,Gouda\n")
    imported = imports.file_received(account, imported.import_id)
    assert imported.mapping == {"0": "email", "1": "field:geboortedatum", "2": "field:stad"}
    # WHEN it is imported
    imports.start(account, imported.import_id, imported.mapping, True, "Shop counter", None, None)
    done = imports.run(account.account_id, imported.import_id, "en")
    # THEN both rows are imported, the bad date left out and the report says why
    assert done.counts == {"imported": 2, "updated": 0, "skipped": 0}
    report = s3.get_object(Bucket=EXPORTS_BUCKET, Key=done.report_key)["Body"].read().decode()
    rows = {row["email"]: row for row in csv.DictReader(io.StringIO(report))}
    assert rows["anna@example.com"]["outcome"] == "imported"
    assert rows["anna@example.com"]["reason"] == ("Field Geboortedatum left out: Enter a date as DD-MM-YYYY, "
                                                  "DD/MM/YYYY or YYYY-MM-DD.")
    assert rows["bob@example.com"]["reason"] == ""
    audience = services().audience
    assert audience.contact_by_email(account.account_id, "anna@example.com").fields == {"stad": "Utrecht"}
    assert audience.contact_by_email(account.account_id, "bob@example.com").fields == {
        "geboortedatum": "1985-06-15", "stad": "Gouda"}
