"""A campaign from template to report, through the pages, the jobs queue and the campaign senders, on moto."""

import json
import re

from chalicelib import i18n
from chalicelib.composition import services
from chalicelib.formatting import format_bytes
from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list
from tests.integration.test_data_rights import run_background_jobs
from tests.integration.test_mail_round_trip import FakeContext, receive_all, sqs_event
from tests.integration.review_helpers import send_through_review

TEMPLATE_HTML = ('<html><head><style>p { color: #333; }</style></head><body>'
                 '<p>Hallo {{ contact.first_name | default("lezer") }},</p>'
                 '<p>Nieuw in {{ contact.fields.city }}: <a href="https://bakkerij.example/aanbod">ons aanbod</a>.</p>'
                 '</body></html>')


def send_campaign_batches(app_module, aws_resources) -> int:
    """Run the campaign senders on what the fan-out queued, as the event pump would."""
    handled = 0
    while True:
        _, messages = receive_all(aws_resources.client("sqs"), "mailexpert-campaign-send")
        if not messages:
            return handled
        for start in range(0, len(messages), 2):  # batch size 2, as deployed
            answer = app_module.on_campaign_send(sqs_event(messages[start:start + 2]), FakeContext())
            assert answer == {"batchItemFailures": []}, answer
        handled += len(messages)


def _add(client, cookie, csrf, list_id, email, first_name):
    response = post_form(client, f"/lists/{list_id}/contacts", {
        "csrf_token": csrf, "email": email, "first_name": first_name, "lawful_basis": "klant van de winkel"},
        cookie=cookie)
    assert response.status_code == 303, response.body


def _campaign_with_template(client, cookie, csrf, list_id, tracking=True):
    saved = post_form(client, "/templates", {"csrf_token": csrf, "name": "Nieuwsbrief", "subject":
                                             "Nieuws voor {{ contact.first_name | default('u') }}", "html": TEMPLATE_HTML},
                      cookie=cookie)
    assert saved.status_code == 303, saved.body
    template_id = saved.headers["Location"].split("/templates/", 1)[1].split("?", 1)[0]
    fields = {"csrf_token": csrf, "name": "Maart", "template_id": template_id, "list_id": list_id,
              "from_name": "Bakkerij Jansen"}
    if tracking:
        fields["tracking"] = "on"
    created = post_form(client, "/campaigns", fields, cookie=cookie)
    assert created.status_code == 303, created.body
    return created.headers["Location"].rsplit("/", 1)[1]


def test_campaign_reaches_each_subscriber_once_with_personalisation_and_unsubscribe_headers(
        client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    for number in range(7):
        _add(client, cookie, csrf, list_id, f"klant{number}@example.com", f"Klant{number}")
    _add(client, cookie, csrf, list_id, "weg@example.com", "Weg")
    post_form(client, "/suppression", {"csrf_token": csrf, "emails": "weg@example.com"}, cookie=cookie)
    campaign_id = _campaign_with_template(client, cookie, csrf, list_id)
    outbox.clear()
    # WHEN the campaign is sent now
    scheduled = send_through_review(client, cookie, csrf, campaign_id)
    assert scheduled.status_code == 303, scheduled.body
    assert run_background_jobs(app_module, aws_resources) == 1  # the fan-out
    send_campaign_batches(app_module, aws_resources)
    # THEN every subscriber got exactly one mail, personalised, with RFC 8058 headers; the suppressed one none
    mails = [m for m in outbox.mails() if m["tags"].get("campaign") == campaign_id]
    addresses = sorted(m["to"][0] for m in mails)
    assert addresses == sorted(f"klant{n}@example.com" for n in range(7))
    mail = next(m for m in mails if m["to"] == ["klant3@example.com"])
    assert mail["subject"] == "Nieuws voor Klant3"
    assert "Hallo Klant3," in mail["html"] and "Hallo Klant3," in mail["text"]
    assert mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<http://127\.0\.0\.1:8000/u/[A-Za-z0-9_\-.]+\?c=[0-9a-f]+>", mail["headers"]["List-Unsubscribe"])
    assert "Bakkerij Jansen" in mail["from"] and mail["reply_to"] == ["anna@example.nl"]
    assert "/t/c/" in mail["html"] and "/t/o/" in mail["html"]  # tracked links and the open pixel
    # WHEN one of them uses the one-click unsubscribe of the header (RFC 8058: a POST, no cookies)
    one_click = mail["headers"]["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:8000")
    left = client.post(one_click, headers={"Content-Type": "application/x-www-form-urlencoded"},
                       body=b"List-Unsubscribe=One-Click")
    assert left.status_code == 200
    # THEN they are off the list, and the report shows it all, and the campaign is sent
    page = client.get(f"/campaigns/{campaign_id}?lang=en", headers={"Cookie": cookie}).body.decode()
    assert '<td id="recipients">7</td>' in page and '<td id="sent">7</td>' in page
    assert '<td id="unsubscribed">1</td>' in page
    assert "klant3@example.com" not in {c.email for c in services().audience_service.recipients(
        mail["tags"]["account"], list_id)}
    assert '<strong id="state">Sent</strong>' in page
    # AND the overview counts the month's use
    overview = client.get("/app?lang=en", headers={"Cookie": cookie}).body.decode()
    assert '<td id="campaigns-started">1</td>' in overview and '<td id="mails-sent">7</td>' in overview
    # AND the bytes of those mails, as handed to SES (P3)
    sent_bytes = sum(len(m["subject"].encode()) + len(m["text"].encode()) + len(m["html"].encode()) for m in mails)
    with i18n.use_language("en"):
        assert f'<td id="bytes-sent">{format_bytes(sent_bytes)}</td>' in overview


def _one_mail_sent(client, app_module, aws_resources, outbox):
    """An account whose campaign went to one contact: (cookie, csrf, campaign id, click path, pixel path)."""
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    _add(client, cookie, csrf, list_id, "klant@example.com", "Klant")
    campaign_id = _campaign_with_template(client, cookie, csrf, list_id)
    send_through_review(client, cookie, csrf, campaign_id)
    run_background_jobs(app_module, aws_resources)
    send_campaign_batches(app_module, aws_resources)
    [mail] = [m for m in outbox.mails() if m["tags"].get("campaign") == campaign_id]
    click_path = re.search(r'href="http://127\.0\.0\.1:8000(/t/c/[^"]+)"', mail["html"]).group(1)
    pixel_path = re.search(r'src="http://127\.0\.0\.1:8000(/t/o/[^"]+)"', mail["html"]).group(1)
    return cookie, csrf, campaign_id, click_path, pixel_path


def test_click_redirects_only_to_the_campaigns_own_links_and_counts(client, app_module, aws_resources, outbox):
    cookie, csrf, campaign_id, click_path, pixel_path = _one_mail_sent(client, app_module, aws_resources, outbox)
    # WHEN the person opens the mail twice and clicks the link
    assert client.get(pixel_path, headers={"Accept": "image/webp,*/*"}).headers["Content-Type"] == "image/gif"
    assert client.get(pixel_path).status_code == 204
    click = client.get(click_path)
    # THEN the click goes to the campaign's own link, and opens count once per person
    assert click.status_code == 302 and click.headers["Location"] == "https://bakkerij.example/aanbod"
    assert client.get(click_path[:-3] + "AAA").status_code == 404  # altered: no redirect anywhere
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf}
    report = json.loads(client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).body)["report"]
    assert report["unique_opens"] == 1 and report["opens"] == 2
    # AND the contact's page shows what they opened and clicked
    contact_id = json.loads(client.get("/api/v1/contacts", headers=headers).body)["contacts"][0]["contact_id"]
    contact_page = client.get(f"/contacts/{contact_id}?lang=en", headers={"Cookie": cookie}).body.decode()
    assert "Maart</a> (" in contact_page and "clicked https://bakkerij.example/aanbod" in contact_page
    data = json.loads(client.get(f"/api/v1/contacts/{contact_id}/data", headers=headers).body)
    assert data["campaigns"][0]["clicked"] == ["https://bakkerij.example/aanbod"]
    # AND the report's hourly chart shows the send and the opens
    page = client.get(f"/campaigns/{campaign_id}?lang=en", headers={"Cookie": cookie}).body.decode()
    assert '<svg class="timeline"' in page and ": 2</title>" in page and ": 1</title>" in page


def test_unsubscribing_after_the_fan_out_stops_the_mail(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    _add(client, cookie, csrf, list_id, "blijft@example.com", "Blijft")
    _add(client, cookie, csrf, list_id, "gaat@example.com", "Gaat")
    campaign_id = _campaign_with_template(client, cookie, csrf, list_id, tracking=False)
    send_through_review(client, cookie, csrf, campaign_id)
    run_background_jobs(app_module, aws_resources)  # recipients are queued
    # WHEN one of them leaves everything before the senders run
    post_form(client, "/suppression", {"csrf_token": csrf, "emails": "gaat@example.com"}, cookie=cookie)
    send_campaign_batches(app_module, aws_resources)
    # THEN only the other one is mailed; the report counts the skipped one
    mails = [m for m in outbox.mails() if m["tags"].get("campaign") == campaign_id]
    assert [m["to"] for m in mails] == [["blijft@example.com"]]
    assert "/t/" not in mails[0]["html"]  # tracking off: links as written, no pixel
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf}
    report = json.loads(client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).body)["report"]
    assert report["sent"] == 1 and report["skipped"] == 1


def test_paused_campaign_sends_nothing_until_resumed(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    _add(client, cookie, csrf, list_id, "klant@example.com", "Klant")
    campaign_id = _campaign_with_template(client, cookie, csrf, list_id)
    send_through_review(client, cookie, csrf, campaign_id)
    run_background_jobs(app_module, aws_resources)
    assert post_form(client, f"/campaigns/{campaign_id}/pause", {"csrf_token": csrf}, cookie=cookie).status_code == 303
    _, messages = receive_all(aws_resources.client("sqs"), "mailexpert-campaign-send")
    answer = app_module.on_campaign_send(sqs_event(messages), FakeContext())
    assert len(answer["batchItemFailures"]) == 1  # comes back later
    assert not [m for m in outbox.mails() if m["tags"].get("campaign") == campaign_id]
    post_form(client, f"/campaigns/{campaign_id}/resume", {"csrf_token": csrf}, cookie=cookie)
    assert app_module.on_campaign_send(sqs_event(messages), FakeContext()) == {"batchItemFailures": []}
    assert len([m for m in outbox.mails() if m["tags"].get("campaign") == campaign_id]) == 1


def test_schedule_in_the_past_or_garbled_is_refused(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    campaign_id = _campaign_with_template(client, cookie, csrf, list_id)
    for date in ("2020-01-01", "morgen"):
        refused = post_form(client, f"/campaigns/{campaign_id}/schedule",
                            {"csrf_token": csrf, "when": "later", "date": date, "time": "10:00"}, cookie=cookie)
        assert refused.status_code == 422, refused.body


def test_template_pages_render_preview_and_refuse_broken_templates(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    assert client.get("/templates/new", headers={"Cookie": cookie}).status_code == 200
    broken = post_form(client, "/templates", {"csrf_token": csrf, "name": "Kapot", "subject": "Hoi",
                                              "html": "<p>{% for x in %}</p>"}, cookie=cookie)
    assert broken.status_code == 422 and 'aria-invalid="true"' in broken.body.decode()
    _campaign_with_template(client, cookie, csrf, list_id)
    page = client.get("/templates", headers={"Cookie": cookie}).body.decode()
    template_id = page.split('<td><a href="/templates/', 1)[1].split('"', 1)[0]
    assert client.get(f"/templates/{template_id}", headers={"Cookie": cookie}).status_code == 200
    preview = client.get(f"/templates/{template_id}/preview", headers={"Cookie": cookie})
    assert "Hallo Sanne," in preview.body.decode()
    assert preview.headers["Content-Security-Policy"].startswith("sandbox")
    _add(client, cookie, csrf, list_id, "piet@example.com", "Piet")
    as_piet = client.get(f"/templates/{template_id}/preview?email=Piet@example.com", headers={"Cookie": cookie})
    assert "Hallo Piet," in as_piet.body.decode()
    unknown = client.get(f"/templates/{template_id}/preview?email=niemand@example.com", headers={"Cookie": cookie})
    assert unknown.status_code == 404
    sent = post_form(client, f"/templates/{template_id}/test", {"csrf_token": csrf}, cookie=cookie)
    assert sent.status_code == 303
    assert [m for m in outbox.mails() if m["to"] == ["anna@example.nl"] and m["subject"].startswith("[")]
    for path in ("/campaigns", "/images"):
        assert client.get(path, headers={"Cookie": cookie}).status_code == 200


def test_campaign_to_a_segment_reaches_only_its_members(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    for name in ("Amsterdam", "Utrecht", "Utrecht2"):
        _add(client, cookie, csrf, list_id, f"{name.lower()}@example.com", name)
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"}
    created = client.post(f"/api/v1/lists/{list_id}/segments", headers=headers, body=json.dumps(
        {"name": "Utrecht", "conditions": [{"field": "first_name", "op": "starts_with", "value": "utrecht"}]}).encode())
    assert created.status_code == 201, created.body
    segment_id = json.loads(created.body)["segment_id"]
    _campaign_with_template(client, cookie, csrf, list_id)
    page = client.get("/templates", headers={"Cookie": cookie}).body.decode()
    template_id = page.split('<td><a href="/templates/', 1)[1].split('"', 1)[0]
    campaign = json.loads(client.post("/api/v1/campaigns", headers=headers, body=json.dumps(
        {"name": "Utrecht", "template_id": template_id, "segment_id": segment_id}).encode()).body)
    assert campaign["list_id"] == list_id
    scheduled = client.post(f"/api/v1/campaigns/{campaign['campaign_id']}/schedule", headers=headers, body=b"{}")
    assert scheduled.status_code == 200, scheduled.body
    run_background_jobs(app_module, aws_resources)
    send_campaign_batches(app_module, aws_resources)
    mails = [m for m in outbox.mails() if m["tags"].get("campaign") == campaign["campaign_id"]]
    assert sorted(m["to"][0] for m in mails) == ["utrecht2@example.com", "utrecht@example.com"]
    assert all(m["headers"]["List-Unsubscribe"] for m in mails)


def test_erasing_a_contact_erases_their_opens_and_clicks(client, app_module, aws_resources, outbox):
    cookie, csrf, campaign_id, click_path, pixel_path = _one_mail_sent(client, app_module, aws_resources, outbox)
    client.get(click_path)
    client.get(pixel_path)
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf}
    contact_id = json.loads(client.get("/api/v1/contacts", headers=headers).body)["contacts"][0]["contact_id"]
    # WHEN the contact is erased
    assert client.request("DELETE", f"/api/v1/contacts/{contact_id}", headers=headers, body=b"").status_code == 204
    # THEN no open or click of theirs is left, while the campaign's totals stay
    items = aws_resources.client("dynamodb").scan(TableName="mailexpert-campaigns")["Items"]
    assert not [i for i in items if contact_id in i["sk"]["S"]]
    report = json.loads(client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).body)["report"]
    assert report["unique_opens"] == 1


def test_a_test_send_ses_refuses_is_a_clear_page_and_problem_never_a_500(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    _campaign_with_template(client, cookie, csrf, list_id)
    page = client.get("/templates", headers={"Cookie": cookie}).body.decode()
    template_id = page.split('<td><a href="/templates/', 1)[1].split('"', 1)[0]
    # GIVEN SES no longer takes mail from the shared domain (its identity is gone)
    aws_resources.client("sesv2").delete_email_identity(EmailIdentity="mailexpert.nl")
    outbox.clear()
    # WHEN the account holder sends the template to themselves
    refused = post_form(client, f"/templates/{template_id}/test", {"csrf_token": csrf}, cookie=cookie)
    # THEN they see SES's refusal explained on a page, with the code SES gave, and no mail went out
    assert refused.status_code == 422, refused.body
    body = refused.body.decode()
    assert "deze mail geweigerd (MessageRejected)" in body and "Traceback" not in body  # the account's Dutch
    assert outbox.mails() == []
    # AND the API answers the same as a problem
    campaign_id = json.loads(client.get("/api/v1/campaigns", headers={"Cookie": cookie}).body)[0]["campaign_id"]
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"}
    problem = client.post(f"/api/v1/campaigns/{campaign_id}/test", headers=headers, body=b"{}")
    assert problem.status_code == 422 and json.loads(problem.body)["type"].endswith("/mail-not-sent"), problem.body
