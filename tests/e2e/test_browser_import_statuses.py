"""A Sendy export with every status value, imported in a real browser against the whole local stack:
only the active rows become subscribers; spam complaints, bounces and unsubscribes land on the
suppression list with their reason; unconfirmed and soft-bounced rows are reported, not imported."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PROJECT_DIR
from tests.e2e.test_browser_audience import _console_problems, _log_in, _registered_account
from tests.e2e.test_browser_import_and_campaign import LIST_ID

pytestmark = pytest.mark.e2e

SENDY_EXPORT = os.path.join(PROJECT_DIR, "tests", "data", "imports", "sendy_export_every_status.csv")



def test_sendy_statuses_are_honoured_by_an_import_in_the_browser(local_stack, english_page):
    page, base = english_page, local_stack.base_url
    problems = _console_problems(page)
    _log_in(page, base, _registered_account(local_stack), english=True)
    # GIVEN a list
    page.goto(base + "/lists")
    page.get_by_label("Name").fill("Sendy-klanten")
    page.get_by_role("button", name="Create list").click()
    expect(page).to_have_url(LIST_ID)
    list_url = page.url
    # WHEN Sendy's export, one row for each status, is imported with its suggested mapping
    page.get_by_role("link", name="Import contacts from a CSV file").click()
    page.locator("#file").set_input_files(SENDY_EXPORT)
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name="Which column holds what?")).to_be_visible()
    page.get_by_label("How did these people give their consent?").fill("Nieuwsbrief van de bakkerij, via Sendy")
    page.get_by_label("I declare that every person in this file agreed").check()
    page.get_by_role("button", name="Start the import").click()
    # THEN only the two Active rows are imported
    expect(page.get_by_text("The import is done.")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("2 imported, 0 updated, 5 skipped")).to_be_visible()
    page.goto(list_url)
    members = page.locator("main")
    expect(members).to_contain_text("anouk.actief@example.com")
    expect(members).to_contain_text("pim@example.org")
    for not_subscribed in ("olga@example.org", "sara@example.com", "sjaak@example.com", "bart@example.net"):
        expect(members).not_to_contain_text(not_subscribed)
    # AND the complaint, the bounce and the unsubscribe are on the suppression list with their reason
    page.goto(base + "/suppression")
    rows = page.locator("table tbody tr")
    expect(rows.filter(has_text="sjaak@example.com")).to_contain_text("Marked as spam")
    expect(rows.filter(has_text="bart@example.net")).to_contain_text(re.compile("hard bounce"))
    expect(rows.filter(has_text="ugo@example.com")).to_contain_text("Unsubscribed")
    # AND the unconfirmed and soft-bounced rows are neither subscribed nor suppressed
    expect(page.locator("main")).not_to_contain_text("olga@example.org")
    expect(page.locator("main")).not_to_contain_text("sara@example.com")
    assert problems == []
