"""Shared steps for the audience tests."""

import re

from tests.integration.accounts_helpers import (confirm, csrf_token_of, deliver_mail, log_in, mails_to, post_form,
                                                register)


def account_with_list(client, app_module, aws_resources, outbox, email="anna@example.nl", list_name="Nieuwsbrief"):
    """A signed-in account holder with one list; returns (cookie, csrf token, list id)."""
    register(client, app_module, aws_resources, outbox, email=email)
    confirm(client, outbox, email)  # only a confirmed sender may collect sign-ups
    cookie = log_in(client, email=email)
    csrf = csrf_token_of(client.get("/lists", headers={"Cookie": cookie}).body.decode())
    response = post_form(client, "/lists", {"csrf_token": csrf, "name": list_name}, cookie=cookie)
    assert response.status_code == 303, response.body
    return cookie, csrf, response.headers["Location"].rsplit("/", 1)[1]


def confirmation_token(outbox, address):
    mail = [m for m in mails_to(outbox, address) if "/f/confirm?token=" in (m["text"] or "")][0]
    return re.search(r"/f/confirm\?token=([A-Za-z0-9_\-]+)", mail["text"]).group(1)


def sign_up(client, app_module, aws_resources, list_id, email, headers=None, **extra):
    response = post_form(client, f"/f/{list_id}", {"email": email, "first_name": "Piet", **extra},
                         headers={"User-Agent": "Firefox/140", **(headers or {})})
    deliver_mail(app_module, aws_resources)
    return response


def members(aws_resources, list_id, status="subscribed"):
    table = aws_resources.resource("dynamodb").Table("mailexpert-audience")
    items = table.scan()["Items"]
    return [i for i in items if i.get("gsi1pk") == f"LIST#{list_id}" and i["status"] == status]


EXPORTS_BUCKET = "mailexpert-exports-123456789012-eu-west-1"


def import_file(client, app_module, aws_resources, cookie, csrf, list_id, data: bytes, lawful_basis="webshop customers"):
    """Import a CSV file into a list through the API with its suggested mapping, as a customer's
    script would, and run the job; returns (the import as the API shows it, its report rows)."""
    import csv
    import io
    import json

    from tests.integration.test_data_rights import run_background_jobs

    headers = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"}
    begun = client.post(f"/api/v1/lists/{list_id}/imports", headers=headers, body=b"")
    assert begun.status_code == 201, begun.body
    created = json.loads(begun.body)
    s3 = aws_resources.client("s3")
    s3.put_object(Bucket=EXPORTS_BUCKET, Key=created["upload"]["fields"]["key"], Body=data)
    ready = client.get(f"/api/v1/imports/{created['import_id']}", headers=headers)
    assert ready.status_code == 200, ready.body
    started = client.post(f"/api/v1/imports/{created['import_id']}/start", headers=headers, body=json.dumps(
        {"mapping": json.loads(ready.body)["mapping"], "declared": True, "lawful_basis": lawful_basis}).encode())
    assert started.status_code == 202, started.body
    run_background_jobs(app_module, aws_resources)
    done = json.loads(client.get(f"/api/v1/imports/{created['import_id']}", headers=headers).body)
    assert done["status"] == "done", done
    report_key = created["upload"]["fields"]["key"].removesuffix(".csv") + "-report.csv"
    report = s3.get_object(Bucket=EXPORTS_BUCKET, Key=report_key)["Body"].read().decode("utf-8")
    return done, [in_english(row) for row in csv.DictReader(io.StringIO(report))]


def in_english(report_row: dict) -> dict:
    """A report row of a Dutch account's import with the English header and outcome it has for an
    English one (the report is written in the account holder's language)."""
    from chalicelib import i18n
    from chalicelib.audience.imports import OUTCOME_NAMES, REPORT_HEADER

    english = {i18n.translations("nl").gettext(m): m for m in (*REPORT_HEADER, *OUTCOME_NAMES.values())}
    row = {english.get(name, name): value for name, value in report_row.items()}
    return {**row, "outcome": english.get(row["outcome"], row["outcome"])}


def member_addresses(client, cookie, list_id, status) -> set[str]:
    """Every address the API lists as a member of the list with this status, over all pages."""
    import json
    from urllib.parse import quote

    found, cursor = set(), None
    while True:
        query = f"?status={status}" + (f"&cursor={quote(cursor)}" if cursor else "")
        response = client.get(f"/api/v1/lists/{list_id}/members{query}", headers={"Cookie": cookie})
        assert response.status_code == 200, response.body
        page = json.loads(response.body)
        found |= {contact["email"] for contact in page["contacts"]}
        cursor = page.get("next_cursor")
        if not cursor:
            return found
