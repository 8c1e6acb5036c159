"""The send-now confirmation in a real browser (Debian's Chromium through Playwright) against the whole
local stack: "send now" on a campaign's page shows the review (recipients after suppression, from,
subject, list, test mail) and sends nothing; only its button, which says what it does, sends; going
back from the review sends nothing either."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_strict_policy
from tests.e2e.test_browser_audience import _console_problems, _log_in, _registered_account

pytestmark = pytest.mark.e2e

LIST_ID = re.compile(r"/lists/([0-9a-f]+)")
CAMPAIGN_PAGE = re.compile(r"/campaigns/([0-9a-f]+)$")


def _add_contact(page, email: str) -> None:
    page.locator("#email").fill(email)
    page.get_by_label("Send a confirmation mail first (recommended)").uncheck()
    page.locator("#lawful_basis").fill("Klant van de winkel")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_text("The contact is added.")).to_be_visible()


def test_send_now_asks_for_a_confirmation_that_says_what_it_does(local_stack, english_page):
    page, base = english_page, local_stack.base_url
    problems = _console_problems(page)
    email = _registered_account(local_stack)
    _log_in(page, base, email, english=True)
    # GIVEN a list of three contacts, one of them suppressed, a template and a campaign to the list
    page.goto(base + "/lists")
    page.get_by_label("Name").fill("Klanten")
    page.get_by_role("button", name="Create list").click()
    expect(page).to_have_url(LIST_ID)
    for address in ("sanne@example.com", "daan@example.com", "weg@example.com"):
        _add_contact(page, address)
    page.goto(base + "/suppression")
    page.locator("#emails").fill("weg@example.com")
    page.get_by_role("button", name="Add to the suppression list").click()
    expect(page.get_by_text("1 addresses added.")).to_be_visible()
    page.goto(base + "/templates/new")
    page.locator("#name").fill("Welkom")
    page.locator("#subject").fill("Welkom bij de bakkerij")
    page.locator("#html").fill("<p>Beste {{ contact.first_name }},</p><p>Welkom.</p>")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("The template is saved.")).to_be_visible()
    page.goto(base + "/campaigns")
    page.locator("#name").fill("Welkomstmail")
    page.locator("#template_id").select_option(label="Welkom")
    page.locator("#list_id").select_option(label="Klanten")
    page.locator("#from_name").fill("Bakkerij Jansen")
    page.get_by_role("button", name="Save campaign").click()
    expect(page).to_have_url(CAMPAIGN_PAGE)
    campaign_url = page.url
    # WHEN the holder chooses "send now"
    response_holder = {}
    page.on("response", lambda response: response_holder.setdefault(response.url, response))
    page.get_by_role("button", name="Review before sending").click()
    # THEN a review shows who gets it, from whom and what, and nothing has gone out
    expect(page.get_by_role("heading", name="Review: Welkomstmail")).to_be_visible()
    expect(page.locator("#review-recipients")).to_contain_text("2")
    expect(page.locator("#review-list")).to_have_text("Klanten")
    expect(page.locator("#review-from")).to_contain_text("Bakkerij Jansen")
    expect(page.locator("#review-subject")).to_have_text("Welkom bij de bakkerij")
    expect(page.locator("#review-test")).to_have_text("No test mail sent yet.")
    assert_strict_policy(response_holder[page.url])
    confirm = page.get_by_role("button", name="Send to 2 recipients now")
    expect(confirm).to_be_visible()
    # WHEN they go back without confirming THEN the campaign is still a draft
    page.get_by_role("link", name="Back to the campaign, without sending").click()
    expect(page).to_have_url(campaign_url)
    expect(page.locator("#state")).to_have_text("Draft")
    # WHEN they review again and confirm with the button
    page.get_by_role("button", name="Review before sending").click()
    page.get_by_role("button", name="Send to 2 recipients now").click()
    # THEN the campaign goes out to the two subscribers, not to the suppressed address
    expect(page.locator("#state")).to_have_text("Sent", timeout=90_000)
    expect(page.locator("#sent")).to_have_text("2")
    mails = [m for m in local_stack.get_json("/dev/outbox.json") if m["subject"] == "Welkom bij de bakkerij"]
    assert sorted(m["to"][0] for m in mails) == ["daan@example.com", "sanne@example.com"]
    assert problems == []
