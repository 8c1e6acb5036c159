"""An account switches counting opens and clicks off for all its campaigns (P14): campaigns not yet
sent follow at once, new ones cannot switch it on, and the mail carries no tracked link or pixel."""

import json

from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list
from tests.integration.test_campaign_flow import _add, _campaign_with_template, send_campaign_batches
from tests.integration.test_data_rights import run_background_jobs
from tests.integration.review_helpers import send_through_review


def _api(cookie, csrf):
    return {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json", "Accept-Language": "en"}


def test_switching_tracking_off_reaches_drafts_new_campaigns_and_the_mail(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    headers = _api(cookie, csrf)
    _add(client, cookie, csrf, list_id, "klant@example.com", "Klant")
    # GIVEN a draft campaign that counts opens and clicks
    campaign_id = _campaign_with_template(client, cookie, csrf, list_id, tracking=True)
    assert json.loads(client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).body)["tracking"] is True
    # WHEN the holder switches counting off under Settings & Options
    saved = post_form(client, "/settings/campaign-tracking", {"csrf_token": csrf}, cookie=cookie)
    assert saved.status_code == 303 and saved.headers["Location"].endswith("#campaign-tracking")
    settings = client.get("/settings?lang=en", headers={"Cookie": cookie}).body.decode()
    assert 'name="campaign_tracking" checked' not in settings
    # THEN the draft follows, a new campaign asking for tracking does not get it, and the form says why
    assert json.loads(client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).body)["tracking"] is False
    template_id = json.loads(client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).body)["template_id"]
    created = client.post("/api/v1/campaigns", headers=headers, body=json.dumps(
        {"name": "April", "list_id": list_id, "template_id": template_id, "tracking": True}).encode())
    assert created.status_code == 201 and json.loads(created.body)["tracking"] is False
    page = client.get(f"/campaigns/{campaign_id}?lang=en", headers={"Cookie": cookie}).body.decode()
    assert 'id="tracking-off"' in page and 'name="tracking"' not in page
    # AND the mail goes out without a tracked link or open pixel
    outbox.clear()
    send_through_review(client, cookie, csrf, campaign_id)
    run_background_jobs(app_module, aws_resources)
    send_campaign_batches(app_module, aws_resources)
    [mail] = [m for m in outbox.mails() if m["tags"].get("campaign") == campaign_id]
    assert "/t/c/" not in mail["html"] and "/t/o/" not in mail["html"] and "/t/c/" not in mail["text"]


def test_the_api_switches_tracking_and_refuses_a_malformed_choice(client, app_module, aws_resources, outbox):
    cookie, csrf, _ = account_with_list(client, app_module, aws_resources, outbox)
    headers = _api(cookie, csrf)
    assert json.loads(client.get("/api/v1/me", headers=headers).body)["campaign_tracking"] is True
    off = client.put("/api/v1/me/campaign-tracking", headers=headers, body=b'{"on": false}')
    assert off.status_code == 200 and json.loads(off.body)["campaign_tracking"] is False
    assert json.loads(client.get("/api/v1/me", headers=headers).body)["campaign_tracking"] is False
    bad = client.put("/api/v1/me/campaign-tracking", headers=headers, body=b'{"on": "misschien"}')
    assert bad.status_code == 422
    on = client.put("/api/v1/me/campaign-tracking", headers=headers, body=b'{"on": true}')
    assert json.loads(on.body)["campaign_tracking"] is True
