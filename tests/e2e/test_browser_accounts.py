"""A customer's account in a real browser (Debian's Chromium through Playwright) against the whole
local stack: register, confirm the address from the mail, log in, change details on
Settings & Options, log out.

What only a browser shows: that the forms post and redirect as a visitor experiences them, that
the session cookie the browser keeps is a session cookie (gone when the browser closes) with the
flags that protect it, and that the Dutch pages use the names the privacy policy promises.
"""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT_MS

pytestmark = pytest.mark.e2e

MAIL_TIMEOUT_S = 30

SESSION_COOKIE = "__Host-session"
NAME = "Anna de Vries"
PASSWORD = "een lange zin als wachtwoord"
PHONE = "020 123 4567"
STREET = "Keizersgracht 1"
POSTCODE = "1015cj"
CITY = "Amsterdam"
NEW_CITY = "Haarlem"
COUNTRY = "NL"

DUTCH_CHECK_INBOX = "Kijk in je inbox"
DUTCH_CREATE_ACCOUNT = "Account aanmaken"
DUTCH_LOG_IN = "Inloggen"
DUTCH_LOG_OUT = "Uitloggen"
DUTCH_CONFIRM_BUTTON = "Mijn e-mailadres bevestigen"
DUTCH_CONFIRMED = "Bedankt, je e-mailadres is bevestigd."
DUTCH_WELCOME = f"Welkom, {NAME}"
DUTCH_CONFIRM_FIRST = "Bevestig eerst je e-mailadres"
DUTCH_SETTINGS = "Instellingen & Opties"
DUTCH_SAVE_DETAILS = "Mijn gegevens opslaan"
DUTCH_SAVED = "Je wijzigingen zijn opgeslagen."
DUTCH_VERIFY_SUBJECT = "Bevestig je e-mailadres voor MailExpert"


@pytest.fixture
def dutch_page(browser):
    """A page in a fresh Dutch browser context (no cookies); closed after the test."""
    context = browser.new_context(locale="nl-NL")
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _unique_address() -> str:
    return f"anna+{uuid.uuid4().hex}@example.nl"


def _fill_registration(page, email: str, phone: str = PHONE, password: str = PASSWORD) -> None:
    page.locator("#name").fill(NAME)
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("#phone").fill(phone)
    page.locator("#street").fill(STREET)
    page.locator("#postcode").fill(POSTCODE)
    page.locator("#city").fill(CITY)
    page.locator("#country").select_option(COUNTRY)


def _register(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/register")
    _fill_registration(page, email)
    page.get_by_role("button", name=DUTCH_CREATE_ACCOUNT).click()
    expect(page).to_have_url(base_url + "/register/check-inbox")


def _log_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name=DUTCH_LOG_IN).click()
    expect(page).to_have_url(base_url + "/app")


def _app_status_with_session(page, base_url: str, session_id: str) -> int:
    """The status of /app for a request carrying this session cookie, redirects not followed."""
    response = page.context.request.get(base_url + "/app", max_redirects=0,
                                        headers={"Cookie": f"{SESSION_COOKIE}={session_id}"})
    return response.status


def _side_navigation(page):
    return page.locator("nav.side-nav")


def test_visitor_registers_confirms_logs_in_and_edits_details(local_stack, dutch_page):
    page, base_url = dutch_page, local_stack.base_url
    email = _unique_address()
    # GIVEN a Dutch visitor on the registration page, company fields left empty
    page.goto(base_url + "/register")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    _fill_registration(page, email)
    # WHEN they submit the form
    page.get_by_role("button", name=DUTCH_CREATE_ACCOUNT).click()
    # THEN they land on the "check your inbox" page
    expect(page).to_have_url(base_url + "/register/check-inbox")
    expect(page.locator("h1")).to_have_text(DUTCH_CHECK_INBOX)
    # AND a Dutch verification mail to their address is in the outbox, its text part holding the link
    mail = local_stack.wait_for(lambda: local_stack.mail_to(email), timeout_s=MAIL_TIMEOUT_S,
                                what=f"the verification mail to {email}")
    assert mail["subject"] == DUTCH_VERIFY_SUBJECT
    link = re.search(r"http://127\.0\.0\.1:8100/verify-email\?token=\S+", mail["text"])
    assert link, mail["text"]
    verify_url = link.group(0)

    # WHEN they open the link, twice (as a mail scanner might before them)
    page.goto(verify_url)
    page.goto(verify_url)
    # THEN the page asks them to press a button and has not confirmed anything yet
    confirm = page.get_by_role("button", name=DUTCH_CONFIRM_BUTTON)
    expect(confirm).to_be_visible()
    expect(page.get_by_text(DUTCH_CONFIRMED)).to_have_count(0)
    # WHEN they press it
    confirm.click()
    # THEN the address is confirmed (the link was not used up by opening it)
    expect(page.locator("main [role=status]")).to_have_text(DUTCH_CONFIRMED)

    # WHEN they log in with the same address and password
    _log_in(page, base_url, email)
    # THEN the overview greets them by name, without asking to confirm the address
    expect(page.locator("h1")).to_have_text(DUTCH_WELCOME)
    expect(page.get_by_text(DUTCH_CONFIRM_FIRST)).to_have_count(0)

    # WHEN they follow "Instellingen & Opties" in the left navigation
    _side_navigation(page).get_by_role("link", name=DUTCH_SETTINGS, exact=True).click()
    # THEN they are on Settings & Options with their details filled in
    expect(page).to_have_url(base_url + "/settings")
    expect(page.locator("h1")).to_have_text(DUTCH_SETTINGS)
    expect(page.locator("#city")).to_have_value(CITY)
    expect(page.locator("#postcode")).to_have_value("1015 CJ")
    # WHEN they change the city to Haarlem and save
    page.locator("#city").fill(NEW_CITY)
    page.get_by_role("button", name=DUTCH_SAVE_DETAILS).click()
    # THEN a notice says the changes are saved and the form shows the new city
    expect(page.locator("main [role=status]")).to_have_text(DUTCH_SAVED)
    expect(page.locator("#city")).to_have_value(NEW_CITY)
    # AND the new city is still there when the page is loaded again
    page.goto(base_url + "/settings")
    expect(page.locator("#city")).to_have_value(NEW_CITY)
    expect(page.get_by_text(DUTCH_SAVED)).to_have_count(0)


def test_registration_shows_field_errors_when_phone_and_password_are_invalid(local_stack, dutch_page):
    page, base_url = dutch_page, local_stack.base_url
    short_password = "kort5"
    # GIVEN a visitor who types an impossible phone number and a 5-character password
    page.goto(base_url + "/register")
    _fill_registration(page, _unique_address(), phone="12", password=short_password)
    # WHEN they submit the form
    with page.expect_response(lambda r: r.request.method == "POST" and r.url == base_url + "/register") as posted:
        page.get_by_role("button", name=DUTCH_CREATE_ACCOUNT).click()
    # THEN the form comes back with an error next to each of those two fields
    assert posted.value.status == 422
    expect(page).to_have_url(base_url + "/register")
    for field in ("phone", "password"):
        error = page.locator(f"#{field}-error")
        expect(error).to_be_visible()
        expect(error).not_to_be_empty()
        expect(page.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#{field}")).to_have_attribute("aria-describedby", re.compile(rf"\b{field}-error\b"))
    # AND the name they typed is kept
    expect(page.locator("#name")).to_have_value(NAME)
    # AND the password is never shown back, not even in the page's source
    expect(page.locator("#password")).to_have_value("")
    assert short_password not in page.content()


def test_session_cookie_is_protected_and_logout_ends_the_session(local_stack, dutch_page):
    page, base_url = dutch_page, local_stack.base_url
    email = _unique_address()
    _register(page, base_url, email)
    # GIVEN a customer who has just logged in (address not confirmed yet, so the overview asks for it)
    _log_in(page, base_url, email)
    expect(page.get_by_text(DUTCH_CONFIRM_FIRST)).to_be_visible()
    # WHEN the browser's cookies are read
    cookies = {c["name"]: c for c in page.context.cookies(base_url)}
    # THEN the session cookie ends with the browser (no expiry) and scripts and other sites cannot use it
    session = cookies[SESSION_COOKIE]
    assert session["expires"] == -1
    assert session["httpOnly"] is True
    assert session["secure"] is True
    assert session["sameSite"] == "Lax"
    assert session["path"] == "/"
    # AND the server accepts that cookie (the control for the replay after logging out)
    assert _app_status_with_session(page, base_url, session["value"]) == 200

    # WHEN they press "Uitloggen" in the left navigation
    _side_navigation(page).get_by_role("button", name=DUTCH_LOG_OUT).click()
    # THEN they are back on the home page, signed out, and the session cookie is gone
    expect(page).to_have_url(base_url + "/")
    expect(page.locator(".account-nav").get_by_role("link", name=DUTCH_LOG_IN)).to_be_visible()
    assert SESSION_COOKIE not in {c["name"] for c in page.context.cookies(base_url)}
    # AND the application sends them to the login page
    page.goto(base_url + "/app")
    expect(page).to_have_url(re.compile(re.escape(base_url) + r"/login(\?.*)?$"))
    expect(page.locator("h1")).to_have_text(DUTCH_LOG_IN)
    # AND the old session is ended on the server too: its cookie, sent again, no longer signs in
    assert _app_status_with_session(page, base_url, session["value"]) == 303
