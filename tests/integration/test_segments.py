"""Segments on moto through the API and the pages: who is in one, what a campaign to it mails, its CSV."""

import csv
import io
import json
from urllib.parse import urlsplit

from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list
from tests.integration.test_data_rights import EXPORTS_BUCKET, run_background_jobs

UTRECHT_VIPS = {"name": "Utrechtse vips", "match": "all",
                "conditions": [{"field": "field:city", "op": "equals", "value": "Utrecht"},
                               {"field": "tag", "op": "has", "value": "vip"}]}


def _api(cookie, csrf):
    return {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json", "Accept-Language": "en"}


def _mixed_list(client, app_module, aws_resources, outbox):
    """A list whose members differ in city, tag, status and suppression; returns (headers, list id, account id)."""
    from chalicelib.composition import services

    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    headers = _api(cookie, csrf)
    assert client.post("/api/v1/fields", headers=headers,
                       body=json.dumps({"label": "City", "field_type": "text"}).encode()).status_code == 201
    people = {"in@example.org": ("Utrecht", ["vip"]), "lower@example.org": ("utrecht", ["VIP", "klant"]),
              "amsterdam@example.org": ("Amsterdam", ["vip"]), "notag@example.org": ("Utrecht", []),
              "left@example.org": ("Utrecht", ["vip"]), "blocked@example.org": ("Utrecht", ["vip"])}
    for email, (city, tags) in people.items():
        added = client.post(f"/api/v1/lists/{list_id}/contacts", headers=headers, body=json.dumps(
            {"email": email, "fields": {"city": city}, "tags": tags, "confirm": False,
             "lawful_basis": "shop counter"}).encode())
        assert added.status_code == 201, added.body
    account_id = json.loads(client.get("/api/v1/me", headers=headers).body)["account_id"]
    service = services().audience_service
    left = services().audience.contact_by_email(account_id, "left@example.org")
    service.unsubscribe(service.unsubscribe_token(account_id, left.contact_id, list_id), "192.0.2.1")
    assert client.post("/api/v1/suppression", headers=headers,
                       body=json.dumps({"emails": ["blocked@example.org"]}).encode()).status_code == 200
    return headers, list_id, account_id


def test_segment_holds_exactly_the_matching_subscribed_members(client, app_module, aws_resources, outbox):
    from chalicelib.composition import services

    # GIVEN a list with mixed contacts, and the segment "city = Utrecht AND tag has vip"
    headers, list_id, account_id = _mixed_list(client, app_module, aws_resources, outbox)
    created = client.post(f"/api/v1/lists/{list_id}/segments", headers=headers, body=json.dumps(UTRECHT_VIPS).encode())
    assert created.status_code == 201, created.body
    segment_id = json.loads(created.body)["segment_id"]
    # WHEN its members are read, and the recipients a campaign to it would mail
    members = json.loads(client.get(f"/api/v1/segments/{segment_id}/members", headers=headers).body)
    recipients = [c.email for page, _ in services().segments.recipient_pages(account_id, segment_id) for c in page]
    # THEN the members are the subscribed ones that match, whatever the capitals; the suppressed
    # address is no longer subscribed (suppressing it ended its membership)
    assert {c["email"] for c in members["contacts"]} == {"in@example.org", "lower@example.org"}
    assert members["next_cursor"] is None
    # AND the campaign mails exactly those
    assert sorted(recipients) == ["in@example.org", "lower@example.org"]


def test_segment_is_read_changed_and_deleted_through_the_api(client, app_module, aws_resources, outbox):
    headers, list_id, _ = _mixed_list(client, app_module, aws_resources, outbox)
    segment_id = json.loads(client.post(f"/api/v1/lists/{list_id}/segments", headers=headers,
                                        body=json.dumps(UTRECHT_VIPS).encode()).body)["segment_id"]
    listed = json.loads(client.get(f"/api/v1/lists/{list_id}/segments", headers=headers).body)
    assert [s["segment_id"] for s in listed] == [segment_id]
    changed = client.put(f"/api/v1/segments/{segment_id}", headers=headers, body=json.dumps(
        {"name": "Amsterdam", "match": "any", "conditions": [{"field": "field:city", "op": "equals",
                                                             "value": "amsterdam"}]}).encode())
    assert changed.status_code == 200, changed.body
    members = json.loads(client.get(f"/api/v1/segments/{segment_id}/members", headers=headers).body)
    assert [c["email"] for c in members["contacts"]] == ["amsterdam@example.org"]
    assert client.delete(f"/api/v1/segments/{segment_id}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/segments/{segment_id}", headers=headers).status_code == 404


def test_segment_with_unknown_field_or_operator_is_refused_with_a_message(client, app_module, aws_resources, outbox):
    headers, list_id, _ = _mixed_list(client, app_module, aws_resources, outbox)
    refused = client.post(f"/api/v1/lists/{list_id}/segments", headers=headers, body=json.dumps(
        {"name": "Fout", "conditions": [{"field": "field:shoe", "op": "equals", "value": "42"},
                                        {"field": "field:city", "op": "greater_than", "value": "3"}]}).encode())
    assert refused.status_code == 422
    problems = {e["field"]: e["message"] for e in json.loads(refused.body)["errors"]}
    assert problems == {"conditions.0.field": "Choose a field that exists.",
                        "conditions.1.op": "This comparison does not fit this field."}


def test_segment_export_holds_exactly_the_matching_members_with_consent(client, app_module, aws_resources, outbox):
    # GIVEN the segment, made on the pages
    headers, list_id, _ = _mixed_list(client, app_module, aws_resources, outbox)
    cookie, csrf = headers["Cookie"], headers["X-CSRF-Token"]
    form = {"csrf_token": csrf, "name": "Utrechtse vips", "match": "all", "condition_0_field": "field:city",
            "condition_0_op": "equals", "condition_0_value": "Utrecht", "condition_2_field": "tag",
            "condition_2_op": "has", "condition_2_value": "vip"}
    created = post_form(client, f"/lists/{list_id}/segments", form, cookie=cookie)
    assert created.status_code == 303
    segment_path = created.headers["Location"]
    # WHEN its CSV is asked for and the background job runs
    assert post_form(client, segment_path + "/export", {"csrf_token": csrf}, cookie=cookie).status_code == 303
    assert run_background_jobs(app_module, aws_resources) == 1
    # THEN the file holds the matching members of every status, with their consent
    page = client.get(segment_path, headers={"Cookie": cookie}).body.decode()
    export_id = page.split('href="/settings/exports/', 1)[1].split('"', 1)[0]
    location = urlsplit(client.get(f"/settings/exports/{export_id}", headers={"Cookie": cookie}).headers["Location"])
    key = location.path.split(EXPORTS_BUCKET + "/", 1)[-1].lstrip("/")
    body = aws_resources.client("s3").get_object(Bucket=EXPORTS_BUCKET, Key=key)["Body"].read().decode("utf-8")
    rows = {row["email"]: row for row in csv.DictReader(io.StringIO(body))}
    assert set(rows) == {"in@example.org", "lower@example.org", "blocked@example.org", "left@example.org"}
    assert rows["left@example.org"]["status"] == "unsubscribed" and rows["left@example.org"]["withdrawn_at"]
    assert rows["in@example.org"]["lawful_basis"] == "shop counter"
    assert rows["in@example.org"]["consent_source"] == "api"
    # AND the list's own exports do not list it
    list_page = client.get(f"/lists/{list_id}", headers={"Cookie": cookie}).body.decode()
    assert 'href="/settings/exports/' not in list_page


def test_segment_pages_render_and_the_form_validates(client, app_module, aws_resources, outbox):
    headers, list_id, _ = _mixed_list(client, app_module, aws_resources, outbox)
    cookie, csrf = headers["Cookie"], headers["X-CSRF-Token"]
    # GIVEN the list page links to its segments
    list_page = client.get(f"/lists/{list_id}", headers={"Cookie": cookie}).body.decode()
    assert f'href="/lists/{list_id}/segments"' in list_page
    page = client.get(f"/lists/{list_id}/segments", headers={"Cookie": cookie, "Accept-Language": "en"})
    assert page.status_code == 200 and 'name="add_field"' in page.body.decode()
    assert 'name="condition_0_field"' not in page.body.decode()  # no empty condition rows until one is added
    # WHEN a condition compares text as a number
    refused = post_form(client, f"/lists/{list_id}/segments", {
        "csrf_token": csrf, "name": "Fout", "match": "all", "condition_3_field": "field:city",
        "condition_3_op": "greater_than", "condition_3_value": "1"}, cookie=cookie)
    # THEN the form comes back with that row's comparison marked
    body = refused.body.decode()
    assert refused.status_code == 422
    assert 'id="condition_3_op" name="condition_3_op" aria-invalid="true"' in body
    # AND a good one leads to the segment's page with its members and conditions in words
    created = post_form(client, f"/lists/{list_id}/segments", {
        "csrf_token": csrf, "name": "Vips", "match": "any", "condition_0_field": "tag", "condition_0_op": "has",
        "condition_0_value": "vip"}, cookie=cookie)
    segment_page = client.get(created.headers["Location"], headers={"Cookie": cookie, "Accept-Language": "en"})
    text = segment_page.body.decode()
    assert segment_page.status_code == 200 and "Tags include <q>vip</q>" in text and "in@example.org" in text
    assert "left@example.org" not in text
    overview = client.get(f"/lists/{list_id}/segments", headers={"Cookie": cookie}).body.decode()
    assert "Vips</a></td><td>3</td>" in overview  # in, lower and amsterdam: subscribed, tagged vip
    deleted = post_form(client, created.headers["Location"] + "/delete", {"csrf_token": csrf, "confirmed": "yes"},
                        cookie=cookie)
    assert deleted.status_code == 303 and client.get(created.headers["Location"],
                                                     headers={"Cookie": cookie}).status_code == 404
