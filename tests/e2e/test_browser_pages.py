"""The pages in a real browser (Debian's Chromium through Playwright) against the whole local stack.

What only a browser shows: the language a visitor gets and keeps, that the strict
Content-Security-Policy blocks nothing the pages need, and that a test mail sent from the outbox
page comes back with the SES event the mailbox simulator reports.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT_MS, assert_strict_policy

pytestmark = pytest.mark.e2e

MAIL_EVENT_TIMEOUT_S = 30
BOUNCE_ADDRESS = "bounce@simulator.amazonses.com"

DUTCH_HEADING = "E-mailmarketing, eerlijk over privacy"
ENGLISH_HEADING = "E-mail marketing, honest about privacy"
DUTCH_TEST_MAIL_SUBJECT = "Testmail van MailExpert"
DUTCH_NOT_FOUND_TITLE = "Dat konden we niet vinden"
DUTCH_BACK_HOME = "Terug naar de startpagina"


@pytest.fixture
def open_context(browser):
    """Opens a fresh browser context (no cookies) with a locale; closed after the test."""
    contexts = []

    def open_(locale: str = "nl-NL"):
        context = browser.new_context(locale=locale)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def dutch_page(open_context):
    return open_context("nl-NL").new_page()


def _redirect_after_form_post(response) -> bool:
    """The page a form's POST redirects to (303 See Other), as opposed to the POST itself."""
    previous = response.request.redirected_from
    return previous is not None and previous.method == "POST"


def _outbox_message_ids(local_stack, to: str | None = None) -> set[str]:
    """The SES message ids in the outbox (of mails to `to`, when given)."""
    return {mail["message_id"] for mail in local_stack.get_json("/dev/outbox.json") if to is None or to in mail["to"]}


def test_home_page_is_dutch_when_browser_prefers_dutch(local_stack, open_context):
    # GIVEN a browser whose language is Dutch
    page = open_context("nl-NL").new_page()
    # WHEN it opens the home page
    page.goto(local_stack.base_url + "/")
    # THEN the page is Dutch, with the Dutch heading from the catalogue
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("h1")).to_have_text(DUTCH_HEADING)
    expect(page.locator(".language-switch a[aria-current]")).to_have_text("NL")


def test_home_page_is_english_when_browser_prefers_english(local_stack, open_context):
    # GIVEN a browser whose language is American English (Accept-Language: en-US)
    page = open_context("en-US").new_page()
    # WHEN it opens the home page
    page.goto(local_stack.base_url + "/")
    # THEN the page is English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(ENGLISH_HEADING)


def test_language_choice_is_remembered_when_switched_to_english(local_stack, dutch_page):
    # GIVEN a Dutch home page
    dutch_page.goto(local_stack.base_url + "/")
    expect(dutch_page.locator("h1")).to_have_text(DUTCH_HEADING)
    # WHEN the visitor clicks the "EN" language switch
    dutch_page.locator(".language-switch").get_by_role("link", name="EN", exact=True).click()
    # THEN the page is English and the choice is stored in the `lang` cookie
    expect(dutch_page).to_have_url(re.compile(r"[?&]lang=en\b"))
    expect(dutch_page.locator("html")).to_have_attribute("lang", "en")
    expect(dutch_page.locator("h1")).to_have_text(ENGLISH_HEADING)
    cookies = {c["name"]: c["value"] for c in dutch_page.context.cookies(local_stack.base_url)}
    assert cookies.get("lang") == "en"
    # AND the next page load without `?lang=` is still English
    dutch_page.goto(local_stack.base_url + "/")
    expect(dutch_page.locator("html")).to_have_attribute("lang", "en")
    expect(dutch_page.locator("h1")).to_have_text(ENGLISH_HEADING)


@pytest.mark.parametrize("path", ["/", "/dev/outbox", "/dev/jobs"])
def test_page_loads_cleanly_when_policy_is_strict(local_stack, dutch_page, path):
    # GIVEN a browser that records console errors (CSP violations among them) and page errors
    problems = []

    def on_console(message) -> None:
        if message.type == "error":
            problems.append(f"{message.text} ({message.location.get('url')})")

    dutch_page.on("console", on_console)
    dutch_page.on("pageerror", lambda error: problems.append(str(error)))
    # WHEN it opens the page and its stylesheet and script have loaded
    response = dutch_page.goto(local_stack.base_url + path, wait_until="load")
    expect(dutch_page.locator("html")).to_have_class(re.compile(r"\bjs\b"))  # app.js ran
    # THEN the page is served with a strict policy: no inline scripts or styles allowed
    assert response.status == 200
    assert_strict_policy(response)
    # AND the stylesheet applied and nothing was blocked or failed
    assert dutch_page.evaluate("getComputedStyle(document.body).margin") == "0px"  # app.css, not the default
    assert problems == []


def test_bounce_event_is_shown_when_test_mail_goes_to_bounce_simulator(local_stack, dutch_page):
    # GIVEN the outbox page and the mails already in the outbox
    already_sent = _outbox_message_ids(local_stack)
    dutch_page.goto(local_stack.base_url + "/dev/outbox")
    # WHEN a test mail to SES's bounce simulator is sent through the form
    dutch_page.locator("#to").fill(BOUNCE_ADDRESS)
    with dutch_page.expect_response(_redirect_after_form_post) as back_on_outbox:
        dutch_page.get_by_role("button", name="Send through the mail queue").click()
    assert back_on_outbox.value.url == local_stack.base_url + "/dev/outbox"
    dutch_page.wait_for_load_state()
    # THEN the mail shows up in the outbox table
    # (mail of other tests may still arrive: only a new mail to the simulator address is ours)
    message_id = local_stack.wait_for(lambda: next(iter(_outbox_message_ids(local_stack, BOUNCE_ADDRESS) - already_sent),
                                                    None),
                                      timeout_s=MAIL_EVENT_TIMEOUT_S, what="the test mail in the outbox")
    row = dutch_page.locator("table.outbox tbody tr").filter(
        has=dutch_page.locator(f'a[href="/dev/outbox/{message_id}"]'))
    dutch_page.reload()
    expect(row).to_contain_text(BOUNCE_ADDRESS)
    expect(row.get_by_role("link")).to_have_text(DUTCH_TEST_MAIL_SUBJECT)
    # AND, once SES's event has come back, its row shows the bounce
    def bounce_shown() -> bool:
        dutch_page.reload()
        return row.locator(".event-bounce").count() > 0

    local_stack.wait_for(bounce_shown, timeout_s=MAIL_EVENT_TIMEOUT_S, what="the Bounce event on the test mail")
    expect(row.locator(".event-bounce")).to_contain_text("Bounce")
    # AND its detail page shows the subject and the SES message id
    row.get_by_role("link", name=DUTCH_TEST_MAIL_SUBJECT).click()
    expect(dutch_page).to_have_url(f"{local_stack.base_url}/dev/outbox/{message_id}")
    expect(dutch_page.locator("h1")).to_have_text(DUTCH_TEST_MAIL_SUBJECT)
    message_id_value = dutch_page.locator("dl.mail-meta dt", has_text="SES message id").locator("+ dd")
    expect(message_id_value).to_have_text(message_id)


def test_error_page_is_friendly_and_dutch_when_page_does_not_exist(local_stack, dutch_page):
    # GIVEN a Dutch browser
    # WHEN it opens an address that does not exist
    response = dutch_page.goto(local_stack.base_url + "/static/nope.css")
    # THEN it gets a 404 as a Dutch HTML page with a way back, not JSON or a stack trace
    assert response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    expect(dutch_page.locator("html")).to_have_attribute("lang", "nl")
    expect(dutch_page.locator(".error-page")).to_have_attribute("data-status", "404")
    expect(dutch_page.locator("h1")).to_have_text(DUTCH_NOT_FOUND_TITLE)
    expect(dutch_page.get_by_role("link", name=DUTCH_BACK_HOME)).to_have_attribute("href", "/")
    body = dutch_page.locator("body").inner_text()
    assert "Traceback" not in body and not body.lstrip().startswith("{")
