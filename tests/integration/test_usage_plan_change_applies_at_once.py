"""A plan change in Settings & Options applies at once (P7, P13): an upgrade lets the refused work
through on the next request; a downgrade below the current use keeps what exists, refuses new work
over the limit, and says so."""

import json

from chalicelib.composition import services
from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list
from tests.integration.test_campaign_flow import _add
from tests.integration.usage_helpers import account_of, api_headers, small_free_plan


def _add_by_api(client, cookie, csrf, list_id, email):
    return client.post(f"/api/v1/lists/{list_id}/contacts", headers=api_headers(cookie, csrf), body=json.dumps(
        {"email": email, "lawful_basis": "klant van de winkel"}).encode())


def test_upgrade_applies_at_once_and_downgrade_below_use_refuses_new_work_and_says_so(
        client, app_module, aws_resources, outbox, monkeypatch):
    # GIVEN a Free plan of one contact, which is there: a second is refused
    small_free_plan(monkeypatch, contacts=1)
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    _add(client, cookie, csrf, list_id, "eerst@example.com", "Eerst")
    assert _add_by_api(client, cookie, csrf, list_id, "tweede@example.com").status_code == 403
    # WHEN the account holder chooses Starter in Settings & Options
    changed = post_form(client, "/settings/plan", {"csrf_token": csrf, "plan": "starter"}, cookie=cookie)
    assert changed.status_code == 303 and "notice=plan-changed#plan" in changed.headers["Location"]
    # THEN the very next request may add the second contact
    assert _add_by_api(client, cookie, csrf, list_id, "tweede@example.com").status_code == 201
    # WHEN they go back to Free, below their use
    changed = post_form(client, "/settings/plan", {"csrf_token": csrf, "plan": "free"}, cookie=cookie)
    # THEN they are told their use is above the limits: what they have stays, new work is refused
    assert "notice=plan-changed-over-limit" in changed.headers["Location"]
    page = client.get(changed.headers["Location"], headers={"Cookie": cookie}).body.decode()
    assert "Je gebruik ligt boven enkele van de limieten ervan (zie Gebruik)" in page
    usage_page = client.get("/usage", headers={"Cookie": cookie}).body.decode()
    assert 'id="over-limit"' in usage_page
    refused = _add_by_api(client, cookie, csrf, list_id, "derde@example.com")
    assert refused.status_code == 403
    assert json.loads(refused.body)["errors"][0]["message"].startswith("Your plan allows 1 contacts and you have 2")
    account_id = account_of().account_id
    assert services().audience.count_contacts(account_id) == 2
