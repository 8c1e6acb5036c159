"""A sending domain of one's own in a real browser against the whole local stack: added under
"Sending domains", its DKIM and DMARC records shown, marked verified (locally there is no DNS), then
chosen as a campaign's from address, whose test mail goes out from it."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.test_browser_audience import _console_problems, _log_in, _registered_account
from tests.e2e.test_browser_import_and_campaign import CAMPAIGN_PAGE, LIST_ID

pytestmark = pytest.mark.e2e



def test_a_verified_domain_of_ones_own_becomes_a_campaigns_from_address(local_stack, english_page):
    page, base = english_page, local_stack.base_url
    problems = _console_problems(page)
    email = _registered_account(local_stack)
    _log_in(page, base, email, english=True)
    domain = f"nieuws-{uuid.uuid4().hex[:8]}.bakkerij-jansen.nl"  # the local stack keeps its data between runs
    # WHEN the account holder adds a domain under "Sending domains"
    page.get_by_role("link", name="Sending domains").click()
    page.locator("#domain").fill(domain.upper())
    page.get_by_role("button", name="Add domain").click()
    # THEN its page shows the three DKIM CNAMEs and the DMARC record to publish, waiting for them
    expect(page).to_have_url(re.compile(re.escape(f"/domains/{domain}")))
    expect(page.locator("#domain-status")).to_have_text("Waiting for DNS records")
    expect(page.locator("table.dns-records tbody tr")).to_have_count(4)
    expect(page.get_by_text(f"_dmarc.{domain}")).to_be_visible()
    # WHEN it is marked verified (the local stand-in for publishing the records)
    page.get_by_role("button", name="Mark as verified (local stack only: there is no DNS here)").click()
    expect(page.locator("#domain-status")).to_have_text("Verified")
    # AND a campaign is made that sends from an address on it
    page.goto(base + "/lists")
    page.get_by_label("Name").fill("Klanten")
    page.get_by_role("button", name="Create list").click()
    expect(page).to_have_url(LIST_ID)
    page.goto(base + "/templates/new")
    page.locator("#name").fill("Nieuws")
    page.locator("#subject").fill("Nieuws van de bakkerij")
    page.locator("#html").fill("<p>Vers brood.</p>")
    page.get_by_role("button", name="Save template").click()
    page.goto(base + "/campaigns")
    page.locator("#name").fill("April")
    page.locator("#template_id").select_option(label="Nieuws")
    page.locator("#list_id").select_option(label="Klanten")
    page.locator("#from_name").fill("Bakkerij Jansen")
    page.locator("#from_local_part").fill("nieuws")
    page.locator("#from_domain").select_option(value=domain)
    page.get_by_role("button", name="Save campaign").click()
    expect(page).to_have_url(CAMPAIGN_PAGE)
    expect(page.locator("#from_domain")).to_have_value(domain)
    # THEN its test mail goes out from that address
    page.get_by_role("button", name="Send a test to my own address").click()
    expect(page.get_by_text("A test mail is on its way to your own address.")).to_be_visible()
    mail = local_stack.wait_for(lambda: local_stack.mail_to(email, "[Test] Nieuws van de bakkerij"),
                                what="the test mail")
    assert mail["from"] == f"Bakkerij Jansen <nieuws@{domain}>"
    assert problems == []
