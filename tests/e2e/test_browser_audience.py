"""Lists, the hosted sign-up form and double opt-in in a real browser (Debian's Chromium through
Playwright) against the whole local stack.

What only a browser shows: that an account holder can create a list and find its sign-up form,
that a visitor who signs up on that form is subscribed only after pressing the button behind the
link in the confirmation mail (a mail scanner that opens the link subscribes nobody), that the
account holder then sees the subscriber with the proof of consent, and that the public pages
(the sign-up form, an unsubscribe link) load cleanly under the strict Content-Security-Policy and
fail in friendly Dutch.
"""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT_MS, assert_strict_policy

pytestmark = pytest.mark.e2e

MAIL_TIMEOUT_S = 30

NAME = "Anna de Vries"
PASSWORD = "een lange zin als wachtwoord"
LIST_NAME = "Nieuwsbrief"
REGISTRATION = {"name": NAME, "password": PASSWORD, "phone": "020 123 4567", "street": "Keizersgracht 1",
                "postcode": "1015 CJ", "city": "Amsterdam", "country": "NL"}
LIST_ID = re.compile(r"/lists/([0-9a-f]+)$")
CONFIRM_LINK = re.compile(r"http://127\.0\.0\.1:8100/f/confirm\?token=\S+")
FORM_SOURCE = "Aanmeldformulier"  # ConsentSource.FORM, as the proof of consent shows it in Dutch
OWN_STATUS_REPORT = "Failed to load resource: the server responded with a status of"

DUTCH_LOG_IN = "Inloggen"
DUTCH_LISTS = "Lijsten"
DUTCH_NAME = "Naam"
DUTCH_CREATE_LIST = "Lijst aanmaken"
DUTCH_SIGNUP_FORM = "Aanmeldformulier"
DUTCH_SUBSCRIBED = "Aangemeld"
DUTCH_UNCONFIRMED = "Nog niet bevestigd"
DUTCH_SUBSCRIBE = "Aanmelden"
DUTCH_ALMOST_DONE = ("Bijna klaar: we hebben je een mail gestuurd. Open de link daarin om je aanmelding "
                     "te bevestigen.")
DUTCH_CONFIRM_SUBJECT = f"Bevestig je aanmelding voor {LIST_NAME}"
DUTCH_CONFIRM_BUTTON = "Ja, meld mij aan"
DUTCH_THANK_YOU = f"Bedankt! Je bent aangemeld voor {LIST_NAME}."
DUTCH_CONSENT_START = f"Ja, ik wil de mailings van {NAME} ontvangen."
DUTCH_LISTS_AND_CONSENT = "Lijsten en toestemming"
DUTCH_PROOF_OF_CONSENT = "Bewijs van toestemming"
DUTCH_LINK_UNUSABLE = "Deze link kan niet worden gebruikt"
DUTCH_LINK_NOT_VALID = "Deze link is niet geldig. Kopieer de hele link uit de mail."
DUTCH_BACK_HOME = "Terug naar de startpagina"
DUTCH_UNSUBSCRIBE_BUTTON = "Ja, meld mij af"


@pytest.fixture
def open_page(browser):
    """Opens a page in a fresh Dutch browser context (no cookies) per person; closed after the test."""
    contexts = []

    def open_():
        context = browser.new_context(locale="nl-NL")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def _unique_address(name: str, domain: str) -> str:
    return f"{name}+{uuid.uuid4().hex}@{domain}"


def _registered_account(local_stack) -> str:
    """An account registered and confirmed through the API (sign-ups need a confirmed sender)."""
    email = _unique_address("anna", "example.nl")
    status, _ = local_stack.post_json("/api/v1/accounts", {**REGISTRATION, "email": email})
    assert status == 202
    mail = local_stack.wait_for(lambda: local_stack.mail_to(email), what="the verification mail")
    token = re.search(r"/verify-email\?token=([A-Za-z0-9_\-]+)", mail["text"]).group(1)
    assert local_stack.post_json("/api/v1/email-verifications", {"token": token})[0] == 200
    return email


def _log_in(page, base_url: str, email: str, english: bool = False) -> None:
    page.goto(base_url + ("/login?lang=en" if english else "/login"))
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in" if english else DUTCH_LOG_IN).click()
    expect(page).to_have_url(base_url + "/app")


def _create_list(page, base_url: str, name: str) -> str:
    """Creates a list through "Lijsten" in the left navigation; returns its id."""
    page.locator("nav.side-nav").get_by_role("link", name=DUTCH_LISTS, exact=True).click()
    expect(page).to_have_url(base_url + "/lists")
    page.get_by_label(DUTCH_NAME).fill(name)
    page.get_by_role("button", name=DUTCH_CREATE_LIST).click()
    expect(page).to_have_url(LIST_ID)
    return LIST_ID.search(page.url).group(1)


def _signup_form_url(page) -> str:
    section = page.locator("main section").filter(has=page.get_by_role("heading", name=DUTCH_SIGNUP_FORM))
    return section.get_by_role("link").get_attribute("href")


def _members_table(page):
    return page.locator("main table")


def _show_tab(page, label: str) -> None:
    page.locator("nav.tabs").get_by_role("link", name=label, exact=True).click()
    expect(page.locator("nav.tabs a[aria-current=page]")).to_have_text(label)


def _console_problems(page) -> list[str]:
    """Records console errors (Chromium reports CSP violations there) and uncaught page errors; not
    the report of the page's own status, which an error page answers with on purpose."""
    problems = []

    def on_console(message) -> None:
        url = message.location.get("url")
        if message.type != "error" or (url == page.url and message.text.startswith(OWN_STATUS_REPORT)):
            return
        problems.append(f"{message.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_visitor_is_subscribed_with_proof_of_consent_when_they_confirm_from_the_mail(local_stack, open_page):
    base_url = local_stack.base_url
    holder = open_page()
    # GIVEN an account holder, logged in, who creates the list "Nieuwsbrief" on "Lijsten"
    _log_in(holder, base_url, _registered_account(local_stack))
    list_id = _create_list(holder, base_url, LIST_NAME)
    # THEN the list's page shows its name and the address of its hosted sign-up form
    expect(holder.locator("h1")).to_have_text(LIST_NAME)
    form_url = _signup_form_url(holder)
    assert form_url == f"{base_url}/f/{list_id}"

    # WHEN a visitor, in a browser of their own, fills in their address on that form and submits it
    visitor = open_page()
    subscriber = _unique_address("piet", "example.org")
    visitor.goto(form_url)
    expect(visitor.locator("h1")).to_have_text(LIST_NAME)
    visitor.locator("#email").fill(subscriber)
    visitor.get_by_role("button", name=DUTCH_SUBSCRIBE).click()
    # THEN they are told to confirm from their inbox
    expect(visitor.locator("main [role=status]")).to_have_text(DUTCH_ALMOST_DONE)
    # AND a Dutch confirmation mail with the link is on its way to them
    mail = local_stack.wait_for(lambda: local_stack.mail_to(subscriber), timeout_s=MAIL_TIMEOUT_S,
                                what=f"the confirmation mail to {subscriber}")
    assert mail["subject"] == DUTCH_CONFIRM_SUBJECT
    link = CONFIRM_LINK.search(mail["text"])
    assert link, mail["text"]

    # WHEN they open the link, twice (as a mail scanner might before them)
    visitor.goto(link.group(0))
    visitor.goto(link.group(0))
    # THEN the page asks them to press a button and has subscribed nobody yet
    confirm = visitor.get_by_role("button", name=DUTCH_CONFIRM_BUTTON)
    expect(confirm).to_be_visible()
    expect(visitor.get_by_text(DUTCH_THANK_YOU)).to_have_count(0)
    holder.reload()
    expect(holder.locator("nav.tabs a[aria-current=page]")).to_have_text(DUTCH_SUBSCRIBED)
    expect(_members_table(holder)).not_to_contain_text(subscriber)
    _show_tab(holder, DUTCH_UNCONFIRMED)
    expect(_members_table(holder).get_by_role("link", name=subscriber)).to_be_visible()

    # WHEN they press the button
    confirm.click()
    # THEN they are thanked: they are subscribed to the list
    expect(visitor.locator("main [role=status]")).to_have_text(DUTCH_THANK_YOU)

    # WHEN the account holder opens the list's page again
    holder.goto(f"{base_url}/lists/{list_id}")
    # THEN the address is under "Aangemeld", the tab the page opens on
    expect(holder.locator("nav.tabs a[aria-current=page]")).to_have_text(DUTCH_SUBSCRIBED)
    subscriber_link = _members_table(holder).get_by_role("link", name=subscriber)
    expect(subscriber_link).to_be_visible()
    # WHEN they open the contact
    subscriber_link.click()
    # THEN its page shows, for "Nieuwsbrief", the proof of consent: the form and the text it showed
    expect(holder).to_have_url(re.compile(re.escape(base_url) + r"/contacts/[0-9a-f]+$"))
    expect(holder.locator("h1")).to_have_text(subscriber)
    expect(holder.get_by_role("heading", name=DUTCH_LISTS_AND_CONSENT)).to_be_visible()
    expect(holder.get_by_role("columnheader", name=DUTCH_PROOF_OF_CONSENT)).to_be_visible()
    row = holder.locator("main table tbody tr").filter(has_text=LIST_NAME)
    expect(row).to_have_count(1)
    proof = row.locator("dl.consent dd")
    expect(proof.filter(has_text=re.compile(rf"^{FORM_SOURCE}$"))).to_have_count(1)
    expect(proof.filter(has_text=DUTCH_CONSENT_START)).to_have_count(1)
    expect(proof.filter(has_text=DUTCH_CONSENT_START)).to_have_text(re.compile("^" + re.escape(DUTCH_CONSENT_START)))


@pytest.mark.parametrize("path", ["/u/dit-is-geen-geldige-link", "/u/eyJhIjoiYiJ9.bm9nIGVlbiBnb2sh",
                                  "/u/dit-is-geen-geldige-link/preferences"])
def test_unsubscribe_page_is_a_friendly_dutch_error_when_link_is_garbage(local_stack, open_page, path):
    page = open_page()
    problems = _console_problems(page)
    # GIVEN a Dutch browser
    # WHEN it opens an unsubscribe (or preferences) link whose token is not one we signed
    response = page.goto(local_stack.base_url + path)
    # THEN it gets a 400 as a Dutch HTML page that says so and offers a way back, no stack trace
    assert response.status == 400
    assert response.headers["content-type"].startswith("text/html")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator(".error-page")).to_have_attribute("data-status", "400")
    expect(page.locator("h1")).to_have_text(DUTCH_LINK_UNUSABLE)
    expect(page.locator(".error-page p").first).to_have_text(DUTCH_LINK_NOT_VALID)
    expect(page.get_by_role("link", name=DUTCH_BACK_HOME)).to_have_attribute("href", "/")
    # AND it offers no button that would unsubscribe anybody
    expect(page.get_by_role("button", name=DUTCH_UNSUBSCRIBE_BUTTON)).to_have_count(0)
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and not body.lstrip().startswith("{")
    assert problems == []


def test_signup_form_loads_cleanly_and_hides_its_honeypot_when_policy_is_strict(local_stack, open_page):
    base_url = local_stack.base_url
    holder = open_page()
    _log_in(holder, base_url, _registered_account(local_stack))
    _create_list(holder, base_url, LIST_NAME)
    form_url = _signup_form_url(holder)
    # GIVEN a visitor's browser that records console errors (CSP violations among them) and page errors
    visitor = open_page()
    problems = _console_problems(visitor)
    # WHEN it opens the hosted sign-up form and its stylesheet and script have loaded
    response = visitor.goto(form_url, wait_until="load")
    expect(visitor.locator("html")).to_have_class(re.compile(r"\bjs\b"))  # app.js ran
    # THEN the form is served with a strict policy: no inline scripts or styles allowed
    assert response.status == 200
    assert_strict_policy(response)
    # AND it shows the Dutch consent sentence with the sender's name, the fields and the button
    expect(visitor.locator("main form")).to_contain_text(DUTCH_CONSENT_START)
    expect(visitor.locator("#email")).to_be_visible()
    expect(visitor.locator("#first_name")).to_be_visible()
    expect(visitor.get_by_role("button", name=DUTCH_SUBSCRIBE)).to_be_visible()
    # AND the honeypot field is there for bots but out of a person's sight: drawn wholly left of the
    # page (Playwright's is_visible() counts any box with a size as visible, wherever it is drawn),
    # hidden from screen readers and skipped when tabbing from field to field
    honeypot = visitor.locator("input[name=website]")
    expect(honeypot).to_have_count(1)
    box = honeypot.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 0, box
    expect(visitor.locator(".trap")).to_have_attribute("aria-hidden", "true")
    visitor.locator("#first_name").focus()
    visitor.keyboard.press("Tab")
    expect(visitor.get_by_role("button", name=DUTCH_SUBSCRIBE)).to_be_focused()
    # AND the stylesheet applied and nothing was blocked or failed
    assert visitor.evaluate("getComputedStyle(document.body).margin") == "0px"  # app.css, not the default
    assert problems == []
