"""Remember me in a real browser (Debian's Chromium through Playwright) against the whole local
stack: the acceptance test of the accounts issue.

A customer who ticks "Onthoud mij" keeps a 30-day `__Host-remember` cookie next to the session
cookie that ends with the browser. Coming back after the browser was closed, that cookie alone
signs them in and is replaced by a fresh one at once. Changing the password on Settings & Options
forgets every remembered device, so neither the old copy of the cookie nor the replaced one signs
anybody in afterwards.

Playwright will not put a Secure `__Host-` cookie into a context served over http (see
test_browser_accounts.py), so a returning browser presents its remember cookie as a Cookie header
on its first navigation; from then on the browser's own cookie jar takes over.
"""

import re
import time
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT_MS

pytestmark = pytest.mark.e2e

MAIL_TIMEOUT_S = 30
DAY_S = 24 * 60 * 60

SESSION_COOKIE = "__Host-session"
REMEMBER_COOKIE = "__Host-remember"
NAME = "Anna de Vries"
PASSWORD = "een lange zin als wachtwoord"
NEW_PASSWORD = "een nog veel langere zin als nieuw wachtwoord"
PHONE = "020 123 4567"
STREET = "Keizersgracht 1"
POSTCODE = "1015cj"
CITY = "Amsterdam"
COUNTRY = "NL"

DUTCH_CREATE_ACCOUNT = "Account aanmaken"
DUTCH_LOG_IN = "Inloggen"
DUTCH_REMEMBER_ME = "Onthoud mij"
DUTCH_CONFIRM_BUTTON = "Mijn e-mailadres bevestigen"
DUTCH_CONFIRMED = "Bedankt, je e-mailadres is bevestigd."
DUTCH_WELCOME = f"Welkom, {NAME}"
DUTCH_SETTINGS = "Instellingen & Opties"
DUTCH_CHANGE_PASSWORD = "Mijn wachtwoord wijzigen"
DUTCH_PASSWORD_CHANGED = ("Je wachtwoord is gewijzigd. Op elk ander apparaat ben je uitgelogd, "
                          "en geen apparaat onthoudt je login nog.")
DUTCH_VERIFY_SUBJECT = "Bevestig je e-mailadres voor MailExpert"


@pytest.fixture
def new_dutch_context(browser):
    """Opens fresh Dutch browser contexts (no cookies); any the test left open are closed after it."""
    opened = []

    def open_context():
        context = browser.new_context(locale="nl-NL")
        context.set_default_timeout(TIMEOUT_MS)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


def _unique_address() -> str:
    return f"anna+{uuid.uuid4().hex}@example.nl"


def _register(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/register")
    page.locator("#name").fill(NAME)
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#phone").fill(PHONE)
    page.locator("#street").fill(STREET)
    page.locator("#postcode").fill(POSTCODE)
    page.locator("#city").fill(CITY)
    page.locator("#country").select_option(COUNTRY)
    page.get_by_role("button", name=DUTCH_CREATE_ACCOUNT).click()
    expect(page).to_have_url(base_url + "/register/check-inbox")


def _cookies_by_name(context, base_url: str) -> dict[str, dict]:
    return {cookie["name"]: cookie for cookie in context.cookies(base_url)}


def _set_cookie_value(set_cookie_headers: str, name: str) -> str | None:
    """The value a response's Set-Cookie headers (one per line, as Playwright joins them) give `name`."""
    found = re.search(rf"^{re.escape(name)}=([^;]*)", set_cookie_headers, flags=re.MULTILINE)
    return found.group(1) if found else None


def _open_app_presenting(page, base_url: str, remember_value: str):
    """Navigate to /app as a returning browser whose only cookie is this remember-me cookie; the
    Cookie header goes with that one navigation only, later requests use the browser's jar."""
    page.context.set_extra_http_headers({"Cookie": f"{REMEMBER_COOKIE}={remember_value}"})
    try:
        return page.goto(base_url + "/app")
    finally:
        page.context.set_extra_http_headers({})


def test_remembered_browser_signs_in_without_password_until_password_is_changed(local_stack, new_dutch_context):
    base_url = local_stack.base_url
    email = _unique_address()
    login_url = re.compile(re.escape(base_url) + r"/login(\?.*)?$")

    # GIVEN a Dutch visitor who registered and confirmed their address from the verification mail
    context = new_dutch_context()
    page = context.new_page()
    _register(page, base_url, email)
    mail = local_stack.wait_for(lambda: local_stack.mail_to(email, DUTCH_VERIFY_SUBJECT), timeout_s=MAIL_TIMEOUT_S,
                                what=f"the verification mail to {email}")
    link = re.search(r"http://127\.0\.0\.1:8100/verify-email\?token=\S+", mail["text"])
    assert link, mail["text"]
    page.goto(link.group(0))
    page.get_by_role("button", name=DUTCH_CONFIRM_BUTTON).click()
    expect(page.locator("main [role=status]")).to_have_text(DUTCH_CONFIRMED)

    # WHEN they log in with "Onthoud mij" ticked
    page.goto(base_url + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    remember_me = page.locator("input[name=remember_me]")
    expect(page.locator("label", has=remember_me)).to_contain_text(DUTCH_REMEMBER_ME)
    remember_me.check()
    page.locator("main").get_by_role("button", name=DUTCH_LOG_IN).click()
    expect(page).to_have_url(base_url + "/app")
    # THEN the browser keeps a remember-me cookie for about 30 days next to a session cookie that
    # ends with the browser
    cookies = _cookies_by_name(context, base_url)
    remembered = cookies[REMEMBER_COOKIE]
    assert 29 * DAY_S <= remembered["expires"] - time.time() <= 31 * DAY_S, remembered
    assert remembered["httpOnly"] is True and remembered["secure"] is True
    assert cookies[SESSION_COOKIE]["expires"] == -1
    saved_remember_value = remembered["value"]

    # WHEN the browser is closed (its session cookie is gone) and opened again with only the
    # remember-me cookie, and the visitor goes to /app
    context.close()
    context = new_dutch_context()
    page = context.new_page()
    response = _open_app_presenting(page, base_url, saved_remember_value)
    # THEN they are signed in without a password: the overview greets them by name
    expect(page).to_have_url(base_url + "/app")
    assert response.status == 200
    expect(page.locator("h1")).to_have_text(DUTCH_WELCOME)
    # AND that response replaced the remember-me cookie with a fresh one for the same device
    set_cookies = response.all_headers().get("set-cookie", "")
    rotated_value = _set_cookie_value(set_cookies, REMEMBER_COOKIE)
    assert rotated_value, set_cookies
    assert rotated_value != saved_remember_value
    assert rotated_value.split(".")[0] == saved_remember_value.split(".")[0]
    assert _set_cookie_value(set_cookies, SESSION_COOKIE), set_cookies
    assert _cookies_by_name(context, base_url)[REMEMBER_COOKIE]["value"] == rotated_value

    # WHEN, in that same browser, they change their password on Instellingen & Opties
    page.goto(base_url + "/settings")
    expect(page.locator("h1")).to_have_text(DUTCH_SETTINGS)
    password_section = page.locator("section#password")
    password_section.locator("#current_password").fill(PASSWORD)
    password_section.locator("#new_password").fill(NEW_PASSWORD)
    password_section.get_by_role("button", name=DUTCH_CHANGE_PASSWORD).click()
    # THEN a notice says the password is changed and they are still on Settings & Options
    expect(page.locator("main [role=status]")).to_have_text(DUTCH_PASSWORD_CHANGED)
    expect(page.locator("h1")).to_have_text(DUTCH_SETTINGS)

    # AND a browser presenting the replaced remember-me cookie is no longer signed in (tried
    # first: presenting the old copy to a device still remembered would forget it as stolen)
    # AND neither is a browser presenting the old copy saved before the browser closed
    for remember_value in (rotated_value, saved_remember_value):
        returning = new_dutch_context().new_page()
        _open_app_presenting(returning, base_url, remember_value)
        expect(returning).to_have_url(login_url)
        expect(returning.locator("h1")).to_have_text(DUTCH_LOG_IN)
        returning.context.close()
