"""The new-segment form in a real browser: no empty condition rows until one is added, each row
offers only its field type's comparisons, and with scripts on the member count follows the
conditions as they change (static/segment.js asks the count address), without reloading the page
and without breaking the page's strict policy."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_browser_audience import _console_problems, _log_in, _registered_account
from tests.e2e.test_browser_testimonials import english_context  # noqa: F401 (a fixture)

pytestmark = pytest.mark.e2e

LIST_ID = re.compile(r"/lists/([0-9a-f]+)$")
PEOPLE = {"piet": "Piet", "petra": "Petra", "jan": "Jan"}


def test_member_count_follows_the_conditions_without_a_reload(local_stack, english_context):  # noqa: F811
    base = local_stack.base_url
    page, problems = english_context()
    _log_in(page, base, _registered_account(local_stack), english=True)
    # GIVEN a list with Piet, Petra and Jan, added by hand with their consent
    page.goto(base + "/lists")
    page.locator("#name").fill("Klanten")
    page.get_by_role("button", name="Create list").click()
    expect(page).to_have_url(LIST_ID)
    list_id = LIST_ID.search(page.url).group(1)
    for local_part, first_name in PEOPLE.items():
        page.goto(f"{base}/lists/{list_id}")
        page.locator("#email").fill(f"{local_part}@example.org")
        page.locator("#first_name").fill(first_name)
        page.locator("input[name=confirm]").uncheck()
        page.locator("#lawful_basis").fill("shop counter")
        page.get_by_role("button", name="Add contact").click()
    # WHEN the new-segment form is opened
    page.goto(f"{base}/lists/{list_id}/segments")
    count = page.locator("#segment-count")
    # THEN it has no condition rows yet, and counts the whole list
    expect(page.locator("fieldset.condition")).to_have_count(0)
    expect(count).to_have_text("3 subscribed members match.")
    # WHEN a condition on the first name is added
    page.locator("#add_field").select_option("first_name")
    page.get_by_role("button", name="Add condition").click()
    # THEN its row offers only the comparisons of text
    operators = page.locator("#condition_0_op option").evaluate_all("options => options.map(o => o.value)")
    assert operators == ["equals", "not_equals", "contains", "starts_with", "is_set", "is_not_set"]
    # WHEN it is set to "starts with p", on the page as it stands
    page.evaluate("window.stillTheSamePage = true")
    page.locator("#condition_0_op").select_option("starts_with")
    page.locator("#condition_0_value").fill("p")
    page.locator("#condition_0_value").press("Tab")
    # THEN the count follows, without a reload, and nothing was saved
    expect(count).to_have_text("2 subscribed members match.")
    assert page.evaluate("window.stillTheSamePage === true")
    expect(page.get_by_text("No segments yet.")).to_be_visible()
    # WHEN the segment is saved
    page.locator("#name").fill("P")
    page.get_by_role("button", name="Save segment").click()
    # THEN its page lists exactly Piet and Petra, and no page broke its policy on the way
    expect(page.get_by_role("link", name="piet@example.org")).to_be_visible()
    expect(page.get_by_role("link", name="petra@example.org")).to_be_visible()
    expect(page.get_by_role("link", name="jan@example.org")).to_have_count(0)
    assert problems == []
