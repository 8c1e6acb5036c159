"""Sending a campaign from its page goes through a review: a summary (recipients after suppression,
from, subject, list or segment, test mail, time) and a button that says what it does. Only its
signed token sends; a form posted without one, a forged one, or one whose campaign or audience
changed since, shows the review instead (campaigns/review.py)."""

import html
import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from chalicelib.composition import services
from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list
from tests.integration.review_helpers import review, review_token_of, send_through_review
from tests.integration.test_campaign_flow import _add, _campaign_with_template, send_campaign_batches
from tests.integration.test_data_rights import run_background_jobs


def _campaign_to_three(client, app_module, aws_resources, outbox):
    """A draft campaign to a list of three subscribers and one suppressed address: (cookie, csrf, list, campaign)."""
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    for number in range(3):
        _add(client, cookie, csrf, list_id, f"klant{number}@example.com", f"Klant{number}")
    _add(client, cookie, csrf, list_id, "weg@example.com", "Weg")
    post_form(client, "/suppression", {"csrf_token": csrf, "emails": "weg@example.com"}, cookie=cookie)
    return cookie, csrf, list_id, _campaign_with_template(client, cookie, csrf, list_id)


def _state(campaign_id):
    return services().campaign_service.campaign_state(campaign_id)


def _campaign_mails(outbox, campaign_id):
    return [m for m in outbox.mails() if m["tags"].get("campaign") == campaign_id]


def test_review_shows_the_summary_with_recipients_after_suppression_and_sends_nothing(
        client, app_module, aws_resources, outbox):
    cookie, csrf, list_id, campaign_id = _campaign_to_three(client, app_module, aws_resources, outbox)
    # GIVEN a test mail of the campaign went to the holder
    assert post_form(client, f"/campaigns/{campaign_id}/test", {"csrf_token": csrf}, cookie=cookie).status_code == 303
    # WHEN the holder chooses "send now" on the campaign page
    page = review(client, cookie, csrf, campaign_id)
    # THEN the review shows who gets it (the suppressed address left out), from whom, what, where to, the test
    body = html.unescape(page.body.decode())
    assert page.status_code == 200, body
    assert '<dd id="review-recipients"><strong>3</strong> ' in body
    assert '<dd id="review-list">Nieuwsbrief</dd>' in body
    assert '<dd id="review-from">Bakkerij Jansen <noreply@mailexpert.nl></dd>' in body
    assert "Nieuws voor {{ contact.first_name | default('u') }}" in body  # the subject as written
    assert "Verstuurd naar anna@example.nl op " in body
    # AND its button says what it does, in the holder's language
    assert "Verstuur nu naar 3 ontvangers</button>" in body
    english = html.unescape(post_form(client, f"/campaigns/{campaign_id}/schedule?lang=en",
                                      {"csrf_token": csrf, "when": "now"}, cookie=cookie).body.decode())
    assert "Send to 3 recipients now</button>" in english and "Sent to anna@example.nl on " in english
    # AND nothing was started
    assert _state(campaign_id) == "draft"
    assert run_background_jobs(app_module, aws_resources) == 0


def test_confirming_the_review_sends_to_the_reviewed_recipients(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id, campaign_id = _campaign_to_three(client, app_module, aws_resources, outbox)
    # WHEN the holder reviews and confirms, and the confirmation arrives a second time (a double click)
    token = review_token_of(review(client, cookie, csrf, campaign_id))
    confirmed = post_form(client, f"/campaigns/{campaign_id}/schedule", {"csrf_token": csrf, "review_token": token},
                          cookie=cookie)
    again = post_form(client, f"/campaigns/{campaign_id}/schedule", {"csrf_token": csrf, "review_token": token},
                      cookie=cookie)
    # THEN the campaign goes out once, to the three subscribers; the second confirmation is refused
    assert confirmed.status_code == 303, confirmed.body
    assert confirmed.headers["Location"] == f"/campaigns/{campaign_id}?notice=sending"
    assert again.status_code == 409, again.body
    assert run_background_jobs(app_module, aws_resources) == 1
    send_campaign_batches(app_module, aws_resources)
    assert sorted(m["to"][0] for m in _campaign_mails(outbox, campaign_id)) == [
        "klant0@example.com", "klant1@example.com", "klant2@example.com"]


def test_posting_the_send_form_without_a_review_or_with_a_forged_one_sends_nothing(
        client, app_module, aws_resources, outbox):
    cookie, csrf, list_id, campaign_id = _campaign_to_three(client, app_module, aws_resources, outbox)
    # WHEN the old form is posted directly, as a script or a double click might
    direct = post_form(client, f"/campaigns/{campaign_id}/schedule", {"csrf_token": csrf, "when": "now"},
                       cookie=cookie)
    # THEN it only shows the review
    assert direct.status_code == 200 and 'name="review_token"' in direct.body.decode()
    # WHEN a made-up token, or a real one altered, is posted as the confirmation
    token = review_token_of(direct)
    for forged in ("x", "eyJhIjoxfQ.AAAA", token[:-2] + ("AA" if not token.endswith("AA") else "BB")):
        refused = post_form(client, f"/campaigns/{campaign_id}/schedule", {"csrf_token": csrf, "review_token": forged},
                            cookie=cookie)
        # THEN it is refused with a page that says so, never a 500
        assert refused.status_code == 400, refused.body
    # AND nothing was started or sent
    assert _state(campaign_id) == "draft"
    assert run_background_jobs(app_module, aws_resources) == 0


def test_review_of_another_campaign_does_not_send_this_one(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id, campaign_id = _campaign_to_three(client, app_module, aws_resources, outbox)
    other_id = _campaign_with_template(client, cookie, csrf, list_id)
    # WHEN the review token of one campaign is posted to confirm another
    token = review_token_of(review(client, cookie, csrf, other_id))
    refused = post_form(client, f"/campaigns/{campaign_id}/schedule", {"csrf_token": csrf, "review_token": token},
                        cookie=cookie)
    # THEN neither is sent
    assert refused.status_code == 400, refused.body
    assert _state(campaign_id) == "draft" and _state(other_id) == "draft"


def test_audience_that_changed_a_lot_since_the_review_shows_the_review_again(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id, campaign_id = _campaign_to_three(client, app_module, aws_resources, outbox)
    token = review_token_of(review(client, cookie, csrf, campaign_id))
    # GIVEN two more subscribers joined after the review (3 -> 5)
    _add(client, cookie, csrf, list_id, "nieuw1@example.com", "Nieuw1")
    _add(client, cookie, csrf, list_id, "nieuw2@example.com", "Nieuw2")
    # WHEN the holder confirms the old review
    again = post_form(client, f"/campaigns/{campaign_id}/schedule", {"csrf_token": csrf, "review_token": token},
                      cookie=cookie)
    # THEN the review shows again with the new number, saying why, and nothing went out
    body = html.unescape(again.body.decode())
    assert again.status_code == 409, body
    assert "van 3 naar 5" in body and "Verstuur nu naar 5 ontvangers</button>" in body
    assert _state(campaign_id) == "draft"
    # WHEN they confirm the new review THEN it goes out to all five
    confirmed = post_form(client, f"/campaigns/{campaign_id}/schedule",
                          {"csrf_token": csrf, "review_token": review_token_of(again)}, cookie=cookie)
    assert confirmed.status_code == 303, confirmed.body
    run_background_jobs(app_module, aws_resources)
    send_campaign_batches(app_module, aws_resources)
    assert len(_campaign_mails(outbox, campaign_id)) == 5


def test_campaign_changed_or_review_too_old_shows_the_review_again(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id, campaign_id = _campaign_to_three(client, app_module, aws_resources, outbox)
    token = review_token_of(review(client, cookie, csrf, campaign_id))
    # WHEN the campaign is changed after the review, and the old review confirmed
    template_id = json.loads(client.get(f"/api/v1/campaigns/{campaign_id}", headers={"Cookie": cookie}).body)[
        "template_id"]
    saved = post_form(client, f"/campaigns/{campaign_id}", {"csrf_token": csrf, "name": "Maart", "list_id": list_id,
                                                            "template_id": template_id, "subject": "Anders"},
                      cookie=cookie)
    assert saved.status_code == 303, saved.body
    again = post_form(client, f"/campaigns/{campaign_id}/schedule", {"csrf_token": csrf, "review_token": token},
                      cookie=cookie)
    # THEN the review shows again, with the new subject
    assert again.status_code == 409 and '<dd id="review-subject">Anders</dd>' in again.body.decode()
    # WHEN that new review is confirmed more than an hour later
    reviews = services().campaign_reviews
    reviews._clock = lambda: datetime.now(timezone.utc) + timedelta(hours=2)
    late = post_form(client, f"/campaigns/{campaign_id}/schedule",
                     {"csrf_token": csrf, "review_token": review_token_of(again)}, cookie=cookie)
    # THEN it is shown once more instead of sending
    assert late.status_code == 409 and "meer dan een uur oud" in late.body.decode()
    assert _state(campaign_id) == "draft"


def test_scheduling_later_is_reviewed_too_and_keeps_the_reviewed_moment(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id, campaign_id = _campaign_to_three(client, app_module, aws_resources, outbox)
    tomorrow = (datetime.now(ZoneInfo("Europe/Amsterdam")) + timedelta(days=1)).date()
    # WHEN the holder schedules it for tomorrow 10:00
    page = review(client, cookie, csrf, campaign_id, when="later", date=tomorrow.isoformat(), time="10:00")
    # THEN the review shows that moment in Amsterdam time, and the button says so
    body = page.body.decode()
    when = f"{tomorrow:%d-%m-%Y} 10:00"
    assert page.status_code == 200 and f"{when} (Amsterdamse tijd)" in body
    assert f"Inplannen voor 3 ontvangers op {when}</button>" in body
    assert _state(campaign_id) == "draft"
    # WHEN it is confirmed
    confirmed = post_form(client, f"/campaigns/{campaign_id}/schedule",
                          {"csrf_token": csrf, "review_token": review_token_of(page)}, cookie=cookie)
    # THEN it is scheduled at exactly that moment, and nothing goes out yet
    assert confirmed.status_code == 303 and confirmed.headers["Location"].endswith("notice=scheduled")
    campaign = json.loads(client.get(f"/api/v1/campaigns/{campaign_id}", headers={"Cookie": cookie}).body)
    expected = datetime.combine(tomorrow, datetime.min.time().replace(hour=10), ZoneInfo("Europe/Amsterdam"))
    assert campaign["state"] == "scheduled"
    assert datetime.fromisoformat(campaign["send_at"]) == expected
    assert run_background_jobs(app_module, aws_resources) == 0


def test_review_of_a_segment_counts_its_members_only(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id, _ = _campaign_to_three(client, app_module, aws_resources, outbox)
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"}
    segment = json.loads(client.post(f"/api/v1/lists/{list_id}/segments", headers=headers, body=json.dumps(
        {"name": "Eerste", "conditions": [{"field": "first_name", "op": "equals", "value": "klant1"}]}).encode()).body)
    template_id = json.loads(client.get("/api/v1/templates", headers=headers).body)[0]["template_id"]
    campaign = json.loads(client.post("/api/v1/campaigns", headers=headers, body=json.dumps(
        {"name": "Segment", "template_id": template_id, "segment_id": segment["segment_id"]}).encode()).body)
    # WHEN the segment's campaign is reviewed
    body = review(client, cookie, csrf, campaign["campaign_id"]).body.decode()
    # THEN it counts the one member of the segment, and names the segment
    assert '<dd id="review-recipients"><strong>1</strong> ' in body and '<dd id="review-segment">Eerste</dd>' in body
    assert "Verstuur nu naar 1 ontvanger</button>" in body


def test_the_api_still_sends_without_a_review(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id, campaign_id = _campaign_to_three(client, app_module, aws_resources, outbox)
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"}
    # WHEN a script schedules it through the API
    answer = client.post(f"/api/v1/campaigns/{campaign_id}/schedule", headers=headers, body=b"{}")
    # THEN it is sent at once, as documented
    assert answer.status_code == 200 and json.loads(answer.body)["state"] == "sending"
