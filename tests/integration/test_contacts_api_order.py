"""GET /api/v1/contacts?order=newest|oldest|az|za (newest the default once the by-added index is
backfilled) and GET /api/v1/lists/{id}/members?status=&order=newest|oldest, paged with the cursor,
documented in the OpenAPI document; any other value is a 400 naming the ones there are."""

import pytest

from tests.integration.conftest import json_body
from tests.integration.test_accounts_api import api, register_and_log_in
from tests.integration.test_contacts_by_date_added import backfill, store_contacts

EXPECTED = [f"add{n:03d}@example.com" for n in range(55)]  # by date added, oldest first


@pytest.fixture
def account(client, app_module, aws_resources, outbox):
    cookie, session = register_and_log_in(client, app_module, aws_resources)
    created = api(client, "POST", "/api/v1/lists", {"name": "Klanten"}, cookie=cookie, csrf=session["csrf_token"])
    list_id = json_body(created)["list_id"]
    account_id = app_module.services().audience.list_owner(list_id)
    backfill(app_module)
    # GIVEN 55 contacts added an hour apart, stored in an order unlike that
    store_contacts(app_module, account_id, list_id, [*range(1, 55, 2), *range(0, 55, 2)])
    return cookie, list_id


def every_page(client, cookie, path) -> list[str]:
    """The addresses of every page, following next_cursor."""
    shown, cursor = [], None
    while True:
        joiner = "&" if "?" in path else "?"
        response = api(client, "GET", path + (f"{joiner}cursor={cursor}" if cursor else ""), cookie=cookie)
        assert response.status_code == 200, response.body
        page = json_body(response)
        shown += [contact["email"] for contact in page["contacts"]]
        cursor = page["next_cursor"]
        if not cursor:
            return shown


def test_contacts_come_in_the_order_asked_for_across_pages(client, account):
    cookie, _ = account
    # WHEN a script pages through the contacts without an order, and in each order
    # THEN they come newest first by default, else as asked, each once
    assert every_page(client, cookie, "/api/v1/contacts") == list(reversed(EXPECTED))
    assert every_page(client, cookie, "/api/v1/contacts?order=newest") == list(reversed(EXPECTED))
    assert every_page(client, cookie, "/api/v1/contacts?order=oldest") == EXPECTED
    assert every_page(client, cookie, "/api/v1/contacts?order=az") == sorted(EXPECTED)
    assert every_page(client, cookie, "/api/v1/contacts?order=za") == sorted(EXPECTED, reverse=True)
    # AND a search keeps the order asked for
    assert every_page(client, cookie, "/api/v1/contacts?search=add05&order=oldest") == EXPECTED[50:]


def test_an_unknown_order_gets_a_400_naming_the_orders_there_are(client, account):
    cookie, list_id = account
    # WHEN a script asks for an order there is not
    for path, choices in (("/api/v1/contacts?order=newest-first", "newest, oldest, az, za"),
                          ("/api/v1/contacts?order=", "newest, oldest, az, za"),
                          (f"/api/v1/lists/{list_id}/members?status=subscribed&order=az", "newest, oldest")):
        response = api(client, "GET", path, cookie=cookie)
        # THEN it gets a 400 problem saying which values there are, never a 500
        assert response.status_code == 400, (path, response.body)
        assert json_body(response)["detail"] == f"The parameter order must be one of: {choices}.", path
    # AND an order of a list's members without a status is refused as clearly
    response = api(client, "GET", f"/api/v1/lists/{list_id}/members?order=newest", cookie=cookie)
    assert response.status_code == 400
    assert "needs a status" in json_body(response)["detail"]


def test_a_lists_members_come_by_date_joined_in_the_order_asked_for(client, app_module, account):
    from chalicelib.operations.jobs import run_job

    cookie, list_id = account
    services = app_module.services()
    run_job("audience-joined-index", services.job_runs, services.scheduled_jobs())  # the by-joined index is ready
    path = f"/api/v1/lists/{list_id}/members?status=subscribed"
    assert every_page(client, cookie, f"{path}&order=newest") == list(reversed(EXPECTED))
    assert every_page(client, cookie, f"{path}&order=oldest") == EXPECTED


def test_the_order_parameters_are_documented_with_their_values(client):
    document = json_body(client.get("/api/v1/openapi.json"))

    def parameters(path):
        return {p["name"]: p for p in document["paths"][path]["get"]["parameters"] if p["in"] == "query"}

    contacts = parameters("/api/v1/contacts")
    assert contacts["order"]["schema"] == {"type": "string", "enum": ["newest", "oldest", "az", "za"]}
    assert "newest" in contacts["order"]["description"] and {"search", "cursor"} <= set(contacts)
    members = parameters("/api/v1/lists/{list_id}/members")
    assert members["order"]["schema"]["enum"] == ["newest", "oldest"]
    assert members["status"]["schema"]["enum"] == ["unconfirmed", "subscribed", "unsubscribed"]
    assert "400" in document["paths"]["/api/v1/contacts"]["get"]["responses"]
