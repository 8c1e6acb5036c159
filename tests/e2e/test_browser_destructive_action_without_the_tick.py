"""A destructive action whose form reaches the server without its "Yes, I am sure" tick (a browser that
does not enforce `required`, a page changed by hand) does nothing: in a real browser against the
whole local stack, the page comes back with the request to tick at the top, focused, and the thing
is still there. The page so refused fits the window and passes axe, as every form with errors does."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_browser_audience import _log_in, _registered_account
from tests.e2e.test_browser_forms_and_menu import LAPTOP, _add_field
from tests.e2e.test_browser_layout_and_accessibility import AXE, WIDTHS, _problems_at

pytestmark = pytest.mark.e2e


def test_delete_without_the_tick_shows_the_request_and_keeps_the_field(local_stack, browser):
    base = local_stack.base_url
    context = browser.new_context(locale="en-GB", viewport=LAPTOP, bypass_csp=True)  # for axe, as in the layout test
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        _log_in(page, base, _registered_account(local_stack), english=True)
        # GIVEN a field, and its delete form without the tick (as an old browser or a changed page sends it)
        _add_field(page, base, "Woonplaats")
        row = page.get_by_role("row", name=re.compile("Woonplaats"))
        row.locator(".confirm-box").evaluate("tick => tick.remove()")
        # WHEN its delete button is pressed and the question answered "yes"
        page.once("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name="Delete").click()
        # THEN the fields page comes back with the request to tick at the top, focused
        summary = page.locator(".error-summary")
        expect(summary).to_have_text("Tick 'Yes, I am sure' to confirm.")
        expect(summary).to_be_focused()
        page.add_script_tag(path=str(AXE))
        assert [problem for width in WIDTHS for problem in _problems_at(page, width)] == []
        page.set_viewport_size(LAPTOP)
        # AND the field is still there, and can be deleted as usual
        expect(row).to_be_visible()
        page.once("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name="Delete").click()
        expect(page.get_by_role("row", name=re.compile("Woonplaats"))).to_have_count(0)
        expect(page.locator(".error-summary")).to_have_count(0)
    finally:
        context.close()
