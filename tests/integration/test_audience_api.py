"""Lists, contacts and the suppression list through /api/v1."""

from tests.integration.test_accounts_api import api, register_and_log_in
from tests.integration.conftest import json_body


def test_lists_contacts_and_members_through_the_api(client, app_module, aws_resources, outbox):
    from tests.integration.accounts_helpers import REGISTRATION, confirm

    cookie, session = register_and_log_in(client, app_module, aws_resources)
    confirm(client, outbox, REGISTRATION["email"])  # confirmation mails go out only for a confirmed sender
    csrf = session["csrf_token"]
    created = api(client, "POST", "/api/v1/lists", {"name": "Klanten"}, cookie=cookie, csrf=csrf)
    assert created.status_code == 201
    list_id = json_body(created)["list_id"]
    assert json_body(created)["signup_form_url"].endswith(f"/f/{list_id}")
    added = api(client, "POST", f"/api/v1/lists/{list_id}/contacts",
                {"email": "Klant@Example.org", "first_name": "Kees", "confirm": False, "lawful_basis": "customer",
                 "tags": ["vip"]}, cookie=cookie, csrf=csrf)
    assert added.status_code == 201
    contact = json_body(added)
    assert contact["email"] == "Klant@example.org" and contact["lists"] == {list_id: "subscribed"}
    double = api(client, "POST", f"/api/v1/lists/{list_id}/contacts", {"email": "nieuw@example.org"},
                 cookie=cookie, csrf=csrf)
    assert json_body(double)["lists"] == {list_id: "unconfirmed"}
    page = json_body(api(client, "GET", f"/api/v1/lists/{list_id}/members?status=subscribed", cookie=cookie))
    assert [c["email"] for c in page["contacts"]] == ["Klant@example.org"]
    found = json_body(api(client, "GET", "/api/v1/contacts?search=klant", cookie=cookie))
    assert [c["first_name"] for c in found["contacts"]] == ["Kees"]


def test_contacts_page_through_with_a_cursor(client, app_module, aws_resources, outbox):
    cookie, session = register_and_log_in(client, app_module, aws_resources)
    csrf = session["csrf_token"]
    list_id = json_body(api(client, "POST", "/api/v1/lists", {"name": "Groot"}, cookie=cookie, csrf=csrf))["list_id"]
    for n in range(55):
        api(client, "POST", f"/api/v1/lists/{list_id}/contacts",
            {"email": f"c{n:02d}@example.org", "confirm": False, "lawful_basis": "test"}, cookie=cookie, csrf=csrf)
    first = json_body(api(client, "GET", "/api/v1/contacts", cookie=cookie))
    second = json_body(api(client, "GET", f"/api/v1/contacts?cursor={first['next_cursor']}", cookie=cookie))
    assert len(first["contacts"]) == 50 and len(second["contacts"]) == 5 and second["next_cursor"] is None
    seen = {c["email"] for c in first["contacts"] + second["contacts"]}
    assert len(seen) == 55


def test_suppression_list_through_the_api(client, app_module, aws_resources, outbox):
    cookie, session = register_and_log_in(client, app_module, aws_resources)
    response = api(client, "POST", "/api/v1/suppression", {"emails": ["weg@example.org", "not an address"]},
                   cookie=cookie, csrf=session["csrf_token"])
    assert json_body(response) == {"added": 1, "not_addresses": ["not an address"]}
    listed = json_body(api(client, "GET", "/api/v1/suppression", cookie=cookie))
    assert [(e["email"], e["reason"]) for e in listed["suppressions"]] == [("weg@example.org", "manual")]


def test_bad_cursor_is_a_clear_400_not_a_crash(client, app_module, aws_resources, outbox):
    import base64
    import json

    cookie, _ = register_and_log_in(client, app_module, aws_resources)
    elsewhere = base64.urlsafe_b64encode(json.dumps({"pk": {"S": "ACCOUNT#someone-else"},
                                                     "sk": {"S": "CONTACT#x"}}).encode()).decode()
    for cursor in ("%%%garbage", base64.urlsafe_b64encode(b"[1,2]").decode(), elsewhere):
        response = api(client, "GET", f"/api/v1/contacts?cursor={cursor}", cookie=cookie)
        assert response.status_code == 400, cursor
        assert "not valid any more" in json_body(response)["detail"]
