"""Each quota refusal (P7) says the limit, the use now and how to upgrade, as a 4xx or a form error, and
leaves nothing half-done: no campaign queued or half fanned out, no contact past the limit, no image
or template stored, no sending domain claimed."""

import json

from chalicelib.composition import services
from tests.integration.review_helpers import send_through_review
from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list, import_file
from tests.integration.test_campaign_flow import _add, _campaign_with_template
from tests.integration.test_data_rights import run_background_jobs
from tests.integration.usage_helpers import (account_of, api_headers, png, queued, small_free_plan, upload_image,
                                             usage_api)

TEMPLATE_HTML = "<html><body><p>Hallo {{ contact.first_name }}</p></body></html>"


def _campaign(client, app_module, aws_resources, outbox, contacts: int):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    for number in range(contacts):
        _add(client, cookie, csrf, list_id, f"klant{number}@example.com", f"Klant{number}")
    return cookie, csrf, list_id, _campaign_with_template(client, cookie, csrf, list_id)


def test_campaign_over_the_months_recipients_is_refused_at_scheduling_on_the_page_and_the_api(
        client, app_module, aws_resources, outbox, monkeypatch):
    # GIVEN a plan of 3 recipients a month and a campaign to a list of 4
    small_free_plan(monkeypatch, recipients=3)
    cookie, csrf, _, campaign_id = _campaign(client, app_module, aws_resources, outbox, contacts=4)
    run_background_jobs(app_module, aws_resources)
    # WHEN it is sent now from its page
    page = post_form(client, f"/campaigns/{campaign_id}/schedule", {"csrf_token": csrf, "when": "now"}, cookie=cookie)
    # THEN the form comes back saying the limit, the use and how to upgrade (in Dutch, the account's language)
    assert page.status_code == 422
    text = page.body.decode()
    assert ("Je pakket staat 3 ontvangers per maand toe en deze maand zijn er 0 gebruikt: met de 4 ontvangers van "
            "deze campagne ga je over de limiet. Kies een groter pakket onder Instellingen &amp; Opties") in text
    # WHEN the API tries, in English
    api = client.post(f"/api/v1/campaigns/{campaign_id}/schedule", headers=api_headers(cookie, csrf), body=b"{}")
    # THEN a 403 problem with the same facts
    assert api.status_code == 403, api.body
    problem = json.loads(api.body)
    assert problem["type"].endswith("/quota-exceeded")
    assert problem["detail"].startswith("Your plan allows 3 recipients a month and 0 are used this month: the 4 "
                                        "recipients of this campaign would go over the limit. Upgrade your plan")
    # AND nothing is queued, the campaign is still a draft, and the month's count is untouched
    assert queued(aws_resources, "mailexpert-jobs") == 0 and queued(aws_resources, "mailexpert-campaign-send") == 0
    assert services().campaign_service.get_campaign(account_of(), campaign_id).state.value == "draft"
    assert usage_api(client, cookie)["recipients"] == 0


def test_contacts_added_after_scheduling_over_the_limit_pause_the_campaign_at_fan_out_with_nothing_queued(
        client, app_module, aws_resources, outbox, monkeypatch):
    # GIVEN a plan of 3 recipients a month and a campaign to 3 contacts, sent now: it fits
    small_free_plan(monkeypatch, recipients=3)
    cookie, csrf, list_id, campaign_id = _campaign(client, app_module, aws_resources, outbox, contacts=3)
    run_background_jobs(app_module, aws_resources)
    scheduled = send_through_review(client, cookie, csrf, campaign_id)
    assert scheduled.status_code == 303, scheduled.body
    assert usage_api(client, cookie)["recipients"] == 3
    # WHEN a fourth contact joins before the fan-out runs
    _add(client, cookie, csrf, list_id, "laat@example.com", "Laat")
    assert run_background_jobs(app_module, aws_resources) == 1
    # THEN nobody is queued, the campaign is paused and its page says why, and its hold is given back
    assert queued(aws_resources, "mailexpert-campaign-send") == 0
    campaign = services().campaign_service.get_campaign(account_of(), campaign_id)
    assert campaign.state.value == "paused" and campaign.held_because == "recipient-limit"
    assert campaign.fanout.recipients == 0 and campaign.fanout.page == 0
    page = client.get(f"/campaigns/{campaign_id}?lang=en", headers={"Cookie": cookie}).body.decode()
    assert "It was not sent: its recipients would go over the monthly recipients of your plan" in page
    assert usage_api(client, cookie)["recipients"] == 0


def test_import_over_the_contact_limit_stops_at_the_limit_and_reports_the_rest(
        client, app_module, aws_resources, outbox, monkeypatch):
    # GIVEN a plan of 4 contacts, one of them there already
    small_free_plan(monkeypatch, contacts=4)
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    _add(client, cookie, csrf, list_id, "eerst@example.com", "Eerst")
    # WHEN a file of six new contacts is imported
    rows = "\n".join(f"klant{n}@example.com,Klant{n}" for n in range(6))
    done, report = import_file(client, app_module, aws_resources, cookie, csrf, list_id,
                               f"email,first_name\n{rows}\n".encode())
    # THEN three are imported, the other three are in the report with the limit and how to go on
    imported = [r for r in report if r["outcome"] == "imported"]
    over = [r for r in report if r["outcome"] == "skipped"]
    assert len(imported) == 3 and len(over) == 3
    assert all(r["reason"].startswith("Niet geïmporteerd: je pakket staat 4 contacten toe") for r in over)
    # AND exactly the contacts within the limit exist, and are counted
    audience = services().audience
    account_id = account_of().account_id
    assert [audience.contact_by_email(account_id, r["email"]) is not None for r in imported] == [True] * 3
    assert [audience.contact_by_email(account_id, r["email"]) for r in over] == [None] * 3
    assert audience.count_contacts(account_id) == 4 == usage_api(client, cookie)["contacts"]
    assert usage_api(client, cookie)["contacts_imported"] == 3


def test_contact_over_the_limit_is_refused_beside_its_field(client, app_module, aws_resources, outbox, monkeypatch):
    # GIVEN a plan of one contact, which is there
    small_free_plan(monkeypatch, contacts=1)
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    _add(client, cookie, csrf, list_id, "eerst@example.com", "Eerst")
    # WHEN another is added through the API
    response = client.post(f"/api/v1/lists/{list_id}/contacts", headers=api_headers(cookie, csrf), body=json.dumps(
        {"email": "tweede@example.com", "lawful_basis": "klant van de winkel"}).encode())
    # THEN it is refused with the limit, and not stored
    assert response.status_code == 403, response.body
    assert json.loads(response.body)["errors"][0]["message"].startswith("Your plan allows 1 contacts and you have 1")
    assert services().audience.contact_by_email(account_of().account_id, "tweede@example.com") is None


def test_image_over_the_storage_limit_is_refused_and_nothing_is_stored(
        client, app_module, aws_resources, outbox, monkeypatch):
    # GIVEN a plan that stores 50 bytes
    small_free_plan(monkeypatch, storage=50)
    cookie, csrf, _ = account_with_list(client, app_module, aws_resources, outbox)
    # WHEN an image (of about 100 bytes) is uploaded
    response = upload_image(client, aws_resources, cookie, csrf, png())
    # THEN it is refused with the limit and the use, and neither the image nor its upload is kept
    assert response.status_code == 403, response.body
    assert json.loads(response.body)["detail"].startswith("Your plan allows 50 byte of images and templates and 0 byte")
    account_id = account_of().account_id
    assert services().assets.list_assets(account_id) == []
    from chalicelib.config import settings

    listing = aws_resources.client("s3").list_object_versions(Bucket=settings().assets_bucket)
    assert listing.get("Versions", []) == []
    assert usage_api(client, cookie)["storage_bytes"] == 0


def test_template_over_the_storage_limit_is_refused_with_the_form_again(
        client, app_module, aws_resources, outbox, monkeypatch):
    # GIVEN a plan that stores 100 bytes
    small_free_plan(monkeypatch, storage=100)
    cookie, csrf, _ = account_with_list(client, app_module, aws_resources, outbox)
    # WHEN a template of more is saved
    response = post_form(client, "/templates", {"csrf_token": csrf, "name": "Groot", "subject": "Nieuws",
                                                "html": TEMPLATE_HTML + "<!--" + "x" * 200 + "-->"}, cookie=cookie)
    # THEN the form comes back with the limit, and no template is stored
    assert response.status_code == 422, response.status_code
    assert "Je pakket staat 100 byte aan afbeeldingen en sjablonen toe en er is 0 byte opgeslagen" in response.body.decode()
    assert services().campaign_service.templates(account_of()) == []
    assert usage_api(client, cookie)["storage_bytes"] == 0


def test_sending_domain_over_the_limit_is_refused(client, app_module, aws_resources, outbox, monkeypatch):
    # GIVEN a plan with one sending domain, which the account has
    small_free_plan(monkeypatch, domains=1)
    cookie, csrf, _ = account_with_list(client, app_module, aws_resources, outbox)
    headers = api_headers(cookie, csrf)
    first = client.post("/api/v1/domains", headers=headers, body=json.dumps({"domain": "een.example.nl"}).encode())
    assert first.status_code == 201, first.body
    # WHEN a second is added
    second = client.post("/api/v1/domains", headers=headers, body=json.dumps({"domain": "twee.example.nl"}).encode())
    # THEN it is refused with the limit, no SES identity or claim is made for it, and the count stays 1
    assert second.status_code == 403, second.body
    assert json.loads(second.body)["detail"].startswith("Your plan allows 1 sending domains and you have 1.")
    assert [d.domain for d in services().sending_domains.domains(account_of())] == ["een.example.nl"]
    identities = aws_resources.client("sesv2").list_email_identities()["EmailIdentities"]
    assert "twee.example.nl" not in {i["IdentityName"] for i in identities}
    assert usage_api(client, cookie)["sending_domains"] == 1
