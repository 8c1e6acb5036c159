"""How many members a segment being made would hold: as JSON for the form's script
(a post to /lists/<list>/segment-count, with the form's CSRF token), and, without scripts, through the form's "Count members" button,
which shows the form again with the count and saves nothing."""

import json

from tests.integration.accounts_helpers import post_form
from tests.integration.test_segments import _mixed_list

ENGLISH = {"Accept-Language": "en"}
UTRECHT_VIPS = {"match": "all", "condition_0_field": "field:city", "condition_0_op": "equals",
                "condition_0_value": "utrecht", "condition_3_field": "tag", "condition_3_op": "has",
                "condition_3_value": "vip"}


def _count(client, cookie, csrf, list_id, fields: dict):
    return post_form(client, f"/lists/{list_id}/segment-count", {"csrf_token": csrf, **fields}, cookie=cookie,
                     headers={"Accept": "application/json", **ENGLISH})


def test_count_endpoint_counts_the_subscribed_members_that_match(client, app_module, aws_resources, outbox):
    # GIVEN a list with mixed members (two subscribed ones in Utrecht with the tag vip, one without)
    headers, list_id, _ = _mixed_list(client, app_module, aws_resources, outbox)
    cookie, csrf = headers["Cookie"], headers["X-CSRF-Token"]
    # WHEN the form's script asks for the count of "city is utrecht and tag vip", then "any", then no conditions
    both = _count(client, cookie, csrf, list_id, UTRECHT_VIPS)
    either = _count(client, cookie, csrf, list_id, {**UTRECHT_VIPS, "match": "any"})
    everyone = _count(client, cookie, csrf, list_id, {"match": "all"})
    # THEN the answers are JSON with the number and the sentence to show
    assert both.status_code == 200 and both.headers["Content-Type"].startswith("application/json")
    assert json.loads(both.body) == {"count": 2, "text": "2 subscribed members match."}
    assert json.loads(either.body)["count"] == 4  # in, lower, notag (Utrecht) and amsterdam (vip)
    assert json.loads(everyone.body)["count"] == 4
    amsterdam = _count(client, cookie, csrf, list_id, {**UTRECHT_VIPS, "condition_0_value": "Amsterdam"})
    rotterdam = _count(client, cookie, csrf, list_id, {**UTRECHT_VIPS, "condition_0_value": "Rotterdam"})
    assert json.loads(amsterdam.body) == {"count": 1, "text": "1 subscribed member matches."}
    assert json.loads(rotterdam.body) == {"count": 0, "text": "0 subscribed members match."}


def test_count_endpoint_refuses_conditions_that_do_not_fit(client, app_module, aws_resources, outbox):
    # GIVEN the list
    headers, list_id, _ = _mixed_list(client, app_module, aws_resources, outbox)
    # WHEN a text field is compared as a number, and a value is missing
    refused = _count(client, headers["Cookie"], headers["X-CSRF-Token"], list_id,
                     {**UTRECHT_VIPS, "condition_0_op": "greater_than", "condition_3_value": ""})
    # THEN 422, with each problem under the form field it belongs to
    assert refused.status_code == 422
    answer = json.loads(refused.body)
    assert answer["count"] is None and answer["text"] == "Complete the conditions to see the count."
    assert answer["errors"] == {"condition_0_op": "This comparison does not fit this field.",
                                "condition_3_value": "Enter the value to compare with."}


def test_count_endpoint_is_the_signed_in_owners_only(client, app_module, aws_resources, outbox):
    from tests.integration.audience_helpers import account_with_list

    # GIVEN Anna's list, and Bob signed in
    _, list_id, _ = _mixed_list(client, app_module, aws_resources, outbox)
    bob, bob_csrf, _ = account_with_list(client, app_module, aws_resources, outbox, email="bob@example.nl")
    # WHEN Bob, Bob without his CSRF token, and a visitor who is not signed in ask for a count on Anna's list
    as_bob = _count(client, bob, bob_csrf, list_id, UTRECHT_VIPS)
    forged = post_form(client, f"/lists/{list_id}/segment-count", {"match": "all"}, cookie=bob)
    anonymous = post_form(client, f"/lists/{list_id}/segment-count", {"match": "all"})
    # THEN Bob finds no such list, a post without the token is refused, and the visitor is sent to log in
    assert as_bob.status_code == 404 and b'"count"' not in as_bob.body
    assert forged.status_code == 403 and b'"count"' not in forged.body
    assert anonymous.status_code in (302, 303) and anonymous.headers["Location"].startswith("/login")


def test_count_button_shows_the_count_without_scripts_and_saves_nothing(client, app_module, aws_resources, outbox):
    # GIVEN the new-segment form filled in, and the page's script
    headers, list_id, _ = _mixed_list(client, app_module, aws_resources, outbox)
    cookie, csrf = headers["Cookie"], headers["X-CSRF-Token"]
    page = client.get(f"/lists/{list_id}/segments", headers={"Cookie": cookie, **ENGLISH}).body.decode()
    # WHEN "Count members" is pressed
    counted = post_form(client, f"/lists/{list_id}/segments",
                        {"csrf_token": csrf, "name": "Vips", "action": "count", **UTRECHT_VIPS},
                        cookie=cookie, headers=ENGLISH)
    # THEN the form comes back as filled in, with the count, and no segment was saved
    body = counted.body.decode()
    assert counted.status_code == 200
    assert '<output id="segment-count" aria-live="polite">2 subscribed members match.</output>' in body
    assert 'name="condition_3_value" type="text" value="vip"' in body and 'value="Vips"' in body
    assert "No segments yet." in body
    # AND the page starts with the count of the whole list, and loads its own script file, not inline code
    assert '<output id="segment-count" aria-live="polite">4 subscribed members match.</output>' in page
    assert f'data-count-url="/lists/{list_id}/segment-count"' in page
    assert '<script src="/static/segment.js?v=' in page and "<script>" not in page
    script = client.get("/static/segment.js")
    assert script.status_code == 200 and script.headers["Content-Type"].startswith("text/javascript")
    assert b"data-count-url" in script.body
