"""A campaign whose template breaks a render limit (loops, output size, time) for a representative
recipient is refused when it is scheduled or sent now, naming the problem, instead of failing mail by
mail; a template that renders for that recipient is still guarded per mail when it is sent."""

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.composition import services
from tests.integration.accounts_helpers import REGISTRATION, confirm, post_form
from tests.integration.audience_helpers import account_with_list
from tests.integration.conftest import json_body
from tests.integration.test_accounts_api import api, register_and_log_in
from tests.integration.test_campaign_flow import send_campaign_batches
from tests.integration.test_data_rights import run_background_jobs

TOO_MANY_ITERATIONS = "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}<p>Hallo</p>"
TOO_LARGE_OUTPUT = "{% for i in range(1000) %}<p>" + "x" * 2_100 + "</p>{% endfor %}"
HEAVY_FOR_SOME = ('{% if contact.first_name == "Groot" %}{% for i in range(1000) %}{% for j in range(1000) %}'
                  "{% endfor %}{% endfor %}{% endif %}<p>Hallo {{ contact.first_name }}</p>")


def _api_campaign(client, app_module, aws_resources, outbox, html, contacts=("Klein",)):
    """A confirmed API caller with a list of `contacts` (first names) and a draft campaign of `html`."""
    cookie, session = register_and_log_in(client, app_module, aws_resources)
    confirm(client, outbox, REGISTRATION["email"])
    csrf = session["csrf_token"]
    list_id = json_body(api(client, "POST", "/api/v1/lists", {"name": "Klanten"}, cookie=cookie, csrf=csrf))["list_id"]
    for first_name in contacts:
        add_contact(client, cookie, csrf, list_id, first_name)
    saved = api(client, "POST", "/api/v1/templates", {"name": "Nieuws", "subject": "Nieuws", "html": html},
                cookie=cookie, csrf=csrf)
    assert saved.status_code == 201, saved.body
    created = api(client, "POST", "/api/v1/campaigns", {"name": "Maart", "template_id": json_body(saved)["template_id"],
                                                        "list_id": list_id}, cookie=cookie, csrf=csrf)
    assert created.status_code == 201, created.body
    return cookie, csrf, list_id, json_body(created)["campaign_id"]


def add_contact(client, cookie, csrf, list_id, first_name):
    added = api(client, "POST", f"/api/v1/lists/{list_id}/contacts",
                {"email": f"{first_name.lower()}@example.org", "first_name": first_name, "confirm": False,
                 "lawful_basis": "klant"}, cookie=cookie, csrf=csrf)
    assert added.status_code == 201, added.body


@pytest.mark.parametrize("html, words", [(TOO_MANY_ITERATIONS, "loops"), (TOO_LARGE_OUTPUT, "larger than")])
def test_template_over_a_render_limit_is_refused_when_sent_now_through_the_api(
        client, app_module, aws_resources, outbox, html, words):
    # GIVEN a draft campaign whose template can never render within the limits
    cookie, csrf, _, campaign_id = _api_campaign(client, app_module, aws_resources, outbox, html)
    # WHEN it is sent now
    response = api(client, "POST", f"/api/v1/campaigns/{campaign_id}/schedule", {}, cookie=cookie, csrf=csrf)
    # THEN the API refuses it, naming the template and the limit
    assert response.status_code == 422, response.body
    [error] = json_body(response)["errors"]
    assert error["field"] == "template_id" and words in error["message"]
    # AND the campaign stays a draft, and nothing was started or sent
    assert json_body(api(client, "GET", f"/api/v1/campaigns/{campaign_id}", cookie=cookie))["state"] == "draft"
    assert run_background_jobs(app_module, aws_resources) == 0


def test_template_over_a_render_limit_is_refused_when_scheduled_on_the_page(client, app_module, aws_resources, outbox):
    # GIVEN a draft campaign, made on the pages, whose template's loops run far past the limit
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    saved = post_form(client, "/templates", {"csrf_token": csrf, "name": "Nieuws", "subject": "Nieuws",
                                             "html": TOO_MANY_ITERATIONS}, cookie=cookie)
    template_id = saved.headers["Location"].split("/templates/", 1)[1].split("?", 1)[0]
    created = post_form(client, "/campaigns", {"csrf_token": csrf, "name": "Maart", "template_id": template_id,
                                               "list_id": list_id}, cookie=cookie)
    campaign_id = created.headers["Location"].rsplit("/", 1)[1]
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%d")
    for when in ({"when": "now"}, {"when": "later", "date": tomorrow, "time": "10:00"}):
        # WHEN it is sent now, or scheduled for tomorrow
        response = client.post(f"/campaigns/{campaign_id}/schedule", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "Accept-Language": "nl"},
            body="&".join(f"{k}={v}" for k, v in {"csrf_token": csrf, **when}.items()).encode())
        # THEN the campaign page shows again with the reason beside the schedule form, in Dutch
        page = response.body.decode()
        assert response.status_code == 422, page
        assert 'role="alert"' in page and "lussen" in page
    # AND the campaign is still a draft
    assert services().campaign_service.campaign_state(campaign_id) == "draft"


def test_template_within_the_limits_for_a_recipient_is_still_guarded_per_mail_when_sent(
        client, app_module, aws_resources, outbox):
    # GIVEN a campaign whose template is heavy only for contacts named "Groot", scheduled for tomorrow
    # while its list holds only a light contact
    cookie, csrf, list_id, campaign_id = _api_campaign(client, app_module, aws_resources, outbox, HEAVY_FOR_SOME)
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
    scheduled = api(client, "POST", f"/api/v1/campaigns/{campaign_id}/schedule",
                    {"send_at": tomorrow.isoformat()}, cookie=cookie, csrf=csrf)
    assert scheduled.status_code == 200, scheduled.body
    # WHEN a heavy contact joins before the send, and the campaign is sent
    add_contact(client, cookie, csrf, list_id, "Groot")
    assert services().campaign_service.start_due(now=tomorrow + timedelta(minutes=1)) == 1
    run_background_jobs(app_module, aws_resources)
    send_campaign_batches(app_module, aws_resources)
    # THEN the light contact got the mail and the heavy one's mail failed on its own
    report = json_body(api(client, "GET", f"/api/v1/campaigns/{campaign_id}", cookie=cookie))["report"]
    assert report["sent"] == 1 and report["failed"] == 1
    assert [m["to"] for m in outbox.mails() if m["tags"].get("campaign") == campaign_id] == [["klein@example.org"]]
