"""The contacts page in a real browser against the local stack: it opens newest added first (the
stack backfills the by-added index at start) with the date added shown, and oldest first is one
sort link away."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_browser_audience import _log_in, _registered_account
from tests.e2e.test_browser_testimonials import english_context  # noqa: F401 (a fixture)

pytestmark = pytest.mark.e2e

LIST_ID = re.compile(r"/lists/([0-9a-f]+)$")
ADDED_IN_ORDER = ("eerste@example.org", "tweede@example.org", "derde@example.org")


def test_contacts_open_newest_first_and_sort_oldest_first(local_stack, english_context):  # noqa: F811
    base = local_stack.base_url
    page, problems = english_context()
    _log_in(page, base, _registered_account(local_stack), english=True)
    # GIVEN a list with three contacts, added by hand one after the other
    page.goto(base + "/lists")
    page.locator("#name").fill("Klanten")
    page.get_by_role("button", name="Create list").click()
    expect(page).to_have_url(LIST_ID)
    list_id = LIST_ID.search(page.url).group(1)
    for address in ADDED_IN_ORDER:
        page.goto(f"{base}/lists/{list_id}")
        page.locator("#email").fill(address)
        page.locator("input[name=confirm]").uncheck()
        page.locator("#lawful_basis").fill("shop counter")
        page.get_by_role("button", name="Add contact").click()
    # WHEN the holder opens the contacts page
    page.goto(base + "/contacts")
    addresses = page.locator("tbody tr td:first-child a")
    # THEN the newest comes first, the order is marked, and each row shows when it was added
    expect(addresses).to_have_text(list(reversed(ADDED_IN_ORDER)))
    expect(page.locator(".listing-sort strong[aria-current=true]")).to_have_text("Newest first")
    expect(page.get_by_role("columnheader", name="Added")).to_be_visible()
    expect(page.locator("tbody tr").first.locator("td").nth(3)).not_to_be_empty()
    # WHEN the holder picks oldest first
    page.get_by_role("link", name="Oldest first").click()
    # THEN the first added comes first, and no page broke its policy on the way
    expect(addresses).to_have_text(list(ADDED_IN_ORDER))
    assert problems == []
