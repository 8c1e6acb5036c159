"""Forms and the side menu in a real browser against the whole local stack (issue 15):

- after a failed submit, focus (and the view) go to the first field with an error;
- checkboxes sit beside their words, and typed text is not bold;
- on a phone the side menu is a "Menu" button (with or without scripts the pages stay usable);
- a destructive action asks first: a dialog with scripts, a required tick without.
"""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_browser_accounts import _fill_registration
from tests.e2e.test_browser_audience import _log_in, _registered_account

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture
def open_context(browser):
    """Opens a fresh browser context (English, or without scripts); closed after the test."""
    contexts = []

    def open_(**options):
        context = browser.new_context(locale="en-GB", **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        context.close()


def _in_view(page, selector: str) -> bool:
    return page.evaluate("""(selector) => {
      const box = document.querySelector(selector).getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    }""", selector)


def test_first_field_with_an_error_gets_focus_and_is_in_view_after_a_failed_submit(local_stack, open_context):
    # GIVEN the registration form on a phone, filled in with an impossible phone number and a short password
    page = open_context(viewport=PHONE).new_page()
    page.goto(local_stack.base_url + "/register?lang=en")
    _fill_registration(page, f"anna+{uuid.uuid4().hex}@example.nl", phone="12", password="kort5")
    # WHEN it is submitted
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".error-summary")).to_be_visible()
    # THEN the first field with an error has the focus and is on screen (not far below the fold)
    first_invalid = page.locator("[aria-invalid=true]").first
    first_id = first_invalid.get_attribute("id")
    expect(first_invalid).to_be_focused()
    assert _in_view(page, f"#{first_id}")
    # AND the summary at the top links to each field with an error
    links = page.locator(".error-summary a")
    expect(links).to_have_count(page.locator("[aria-invalid=true]").count())
    last = links.last
    target = last.get_attribute("href")
    last.click()
    expect(page.locator(target)).to_be_focused()


def test_checkbox_sits_beside_its_words_and_typed_text_is_not_bold(local_stack, open_context):
    # GIVEN the login page
    page = open_context(viewport=LAPTOP).new_page()
    page.goto(local_stack.base_url + "/login?lang=en")
    # WHEN an address is typed
    page.locator("#email").fill("anna@example.nl")
    # THEN the typed text is not bold, while the field's label is
    assert page.locator("#email").evaluate("e => getComputedStyle(e).fontWeight") == "400"
    assert int(page.locator("label[for=email] > span").first.evaluate("e => getComputedStyle(e).fontWeight")) >= 600
    # AND "remember me" has its checkbox on the left of its words, on the same line
    box = page.locator("input[name=remember_me]").bounding_box()
    label = page.locator("label", has=page.locator("input[name=remember_me]")).bounding_box()
    assert box["x"] - label["x"] < 2  # the checkbox starts the line
    assert label["height"] < 3 * box["height"]  # one line, not the checkbox above centred words


def test_side_menu_is_a_menu_button_on_a_phone_and_always_open_on_a_laptop(local_stack, open_context):
    base = local_stack.base_url
    email = _registered_account(local_stack)
    # GIVEN an account holder signed in on a phone
    page = open_context(viewport=PHONE).new_page()
    _log_in(page, base, email, english=True)
    lists = page.locator("nav.side-nav").get_by_role("link", name="Lists", exact=True)
    # THEN the menu is closed behind its button, and the page is no wider than the phone
    expect(lists).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    # WHEN the button is pressed THEN the menu opens and leads on
    page.locator(".side-menu > summary").click()
    lists.click()
    expect(page).to_have_url(base + "/lists")
    # AND on a laptop the menu is always open, without a button
    page.set_viewport_size(LAPTOP)
    expect(page.locator(".side-menu > summary")).to_be_hidden()
    expect(page.locator("nav.side-nav").get_by_role("link", name="Lists", exact=True)).to_be_visible()
    # AND without scripts, on a phone, the menu is there (open) and works
    plain = open_context(viewport=PHONE, java_script_enabled=False).new_page()
    _log_in(plain, base, email, english=True)
    plain.locator("nav.side-nav").get_by_role("link", name="Fields", exact=True).click()
    expect(plain).to_have_url(base + "/fields")
    assert plain.evaluate("document.documentElement.scrollWidth <= innerWidth")


def _add_field(page, base: str, label: str) -> None:
    page.goto(base + "/fields")
    page.locator("#label").fill(label)
    page.get_by_role("button", name="Add field").click()
    expect(page.get_by_role("row", name=re.compile(label))).to_be_visible()


def test_deleting_a_field_asks_first_with_and_without_scripts(local_stack, open_context):
    base = local_stack.base_url
    email = _registered_account(local_stack)
    page = open_context(viewport=LAPTOP).new_page()
    _log_in(page, base, email, english=True)
    _add_field(page, base, "Woonplaats")
    row = page.get_by_role("row", name=re.compile("Woonplaats"))
    # GIVEN a field; WHEN its delete button is pressed and the question is answered "no"
    questions = []

    def answer(dialog, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    row.get_by_role("button", name="Delete").click()
    # THEN it asked, and the field is still there
    assert questions == ["Delete this field? This cannot be undone."]
    page.reload()
    expect(row).to_be_visible()
    # WHEN the question is answered "yes" THEN the field is deleted
    page.once("dialog", lambda dialog: answer(dialog, True))
    row.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("row", name=re.compile("Woonplaats"))).to_have_count(0)
    # GIVEN a browser without scripts and another field
    plain = open_context(viewport=PHONE, java_script_enabled=False).new_page()
    _log_in(plain, base, email, english=True)
    _add_field(plain, base, "Klantnummer")
    row = plain.get_by_role("row", name=re.compile("Klantnummer"))
    # WHEN its delete button is pressed without ticking "Yes, I am sure"
    row.get_by_role("button", name="Delete").click()
    # THEN the browser refuses to send the form: the field is still there
    plain.goto(base + "/fields")
    expect(row).to_be_visible()
    # WHEN the tick is set first THEN it is deleted
    row.get_by_label("Yes, I am sure").check()
    row.get_by_role("button", name="Delete").click()
    expect(plain.get_by_role("row", name=re.compile("Klantnummer"))).to_have_count(0)
