"""Cookie consent (P9) in a real browser (Debian's Chromium through Playwright) against the whole
local stack, watching every request and cookie: the first acceptance test of issue 13.

Before a choice, and with "essential cookies only", no page-view beacon (`/t/p`) leaves the browser
and it keeps no cookie but essential ones, while registering, confirming and logging in work as
always. The banner's "essential cookies only" and "accept all" are equally prominent. The choice is
changed at any time from the footer's "Cookie settings", and works without JavaScript too.

No third party is ever asked for anything: every request goes to the local stack itself.
"""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT_MS

pytestmark = pytest.mark.e2e

MAIL_TIMEOUT_S = 30
BEACON_PATH = "/t/p"
CONSENT_COOKIE = "mx_consent"
# Cookies that need no permission (listed on /cookies): session, remember-me, held login (2FA),
# language, the choice itself and the id its records are kept under.
ESSENTIAL_COOKIES = {"__Host-session", "__Host-remember", "__Host-held-login", "lang", CONSENT_COOKIE,
                     "__Host-consent-id"}
PUBLIC_PAGES = ["/", "/contact", "/testimonials", "/privacy", "/login", "/register", "/no/such/page"]
SCREEN = {"width": 1366, "height": 768}

ESSENTIAL_ONLY = "Essential cookies only"
ACCEPT_ALL = "Accept all"
COOKIE_SETTINGS = "Cookie settings"
DUTCH_ESSENTIAL_ONLY = "Alleen noodzakelijke cookies"
DUTCH_ACCEPT_ALL = "Alles accepteren"
DUTCH_COOKIE_SETTINGS = "Cookie-instellingen"
DUTCH_CHOOSE = "Zelf kiezen"
DUTCH_SAVE_CHOICE = "Mijn keuze opslaan"
DUTCH_CONFIRM_BUTTON = "Mijn e-mailadres bevestigen"
DUTCH_CREATE_ACCOUNT = "Account aanmaken"
DUTCH_LOG_IN = "Inloggen"
DUTCH_VERIFY_SUBJECT = "Bevestig je e-mailadres voor MailExpert"
PASSWORD = "een lange zin als wachtwoord"


class Watched:
    """A browser context whose every request is noted."""

    def __init__(self, context, base_url: str):
        self.context = context
        self.base_url = base_url
        self.requests = []
        context.on("request", lambda request: self.requests.append(request))
        self.page = context.new_page()

    def beacons(self) -> list:
        return [r for r in self.requests if r.url.startswith(self.base_url + BEACON_PATH)]

    def elsewhere(self) -> list[str]:
        """Requests to anywhere but the local stack (a third party)."""
        return [r.url for r in self.requests if not r.url.startswith(self.base_url + "/")]

    def cookies(self) -> dict[str, str]:
        return {c["name"]: c["value"] for c in self.context.cookies(self.base_url)}

    def visit(self, path: str):
        """Leave the page open now (the browser's `pagehide`, dispatched while the page still runs:
        Playwright does not see the requests of a document that unloads, though they reach the server),
        then open the next one and wait until the network is quiet."""
        if self.page.url.startswith(self.base_url):
            self.page.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide', {persisted: false}))")
        response = self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")
        return response


@pytest.fixture
def watched(browser, local_stack):
    """Opens fresh, watched browser contexts (no cookies); closed after the test."""
    opened = []

    def open_(locale: str = "en-GB", javascript: bool = True) -> Watched:
        context = browser.new_context(locale=locale, screen=SCREEN, java_script_enabled=javascript)
        context.set_default_timeout(TIMEOUT_MS)
        opened.append(context)
        return Watched(context, local_stack.base_url)

    yield open_
    for context in opened:
        context.close()


def _banner(page):
    return page.locator("[data-consent-banner]")


def _register_confirm_and_log_in(local_stack, page) -> None:
    base_url = local_stack.base_url
    email = f"consent+{uuid.uuid4().hex}@example.nl"
    page.goto(base_url + "/register")
    page.locator("#name").fill("Anna de Vries")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#phone").fill("020 123 4567")
    page.locator("#street").fill("Keizersgracht 1")
    page.locator("#postcode").fill("1015cj")
    page.locator("#city").fill("Amsterdam")
    page.locator("#country").select_option("NL")
    page.get_by_role("button", name=DUTCH_CREATE_ACCOUNT).click()
    expect(page).to_have_url(base_url + "/register/check-inbox")
    mail = local_stack.wait_for(lambda: local_stack.mail_to(email, DUTCH_VERIFY_SUBJECT), timeout_s=MAIL_TIMEOUT_S,
                                what=f"the verification mail to {email}")
    page.goto(re.search(r"http://127\.0\.0\.1:8100/verify-email\?token=\S+", mail["text"]).group(0))
    page.get_by_role("button", name=DUTCH_CONFIRM_BUTTON).click()
    page.goto(base_url + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("input[name=remember_me]").check()
    page.locator("main").get_by_role("button", name=DUTCH_LOG_IN).click()
    expect(page).to_have_url(base_url + "/app")


def test_no_beacon_and_only_essential_cookies_when_no_choice_is_made(local_stack, watched):
    # GIVEN a Dutch visitor who never answers the banner
    browser = watched("nl-NL")
    # WHEN they browse the public pages, switch the language, register, confirm, log in and use the app
    for path in PUBLIC_PAGES + ["/?lang=en", "/?lang=nl"]:
        browser.visit(path)
        expect(_banner(browser.page)).to_be_visible()
    _register_confirm_and_log_in(local_stack, browser.page)
    for path in ("/app", "/lists", "/campaigns", "/settings", "/cookies", "/"):
        assert browser.visit(path).status == 200, path
    expect(_banner(browser.page)).to_be_visible()  # still asking, on the app's pages too
    # THEN no page view was sent, nothing went to a third party
    assert browser.beacons() == [] and browser.elsewhere() == []
    # AND the browser holds essential cookies only (no choice cookie either: none was made)
    assert set(browser.cookies()) <= ESSENTIAL_COOKIES - {CONSENT_COOKIE, "__Host-consent-id"}
    assert "__Host-session" in browser.cookies()


def test_no_beacon_and_only_essential_cookies_when_essential_only_is_chosen(local_stack, watched):
    # GIVEN a Dutch visitor on the home page
    browser = watched("nl-NL")
    browser.visit("/")
    # WHEN they click "Alleen noodzakelijke cookies" on the banner
    _banner(browser.page).get_by_role("button", name=DUTCH_ESSENTIAL_ONLY).click()
    # THEN the banner goes, and the choice is in its cookie
    expect(_banner(browser.page)).to_be_hidden()
    assert browser.cookies()[CONSENT_COOKIE] == "1.essential"
    # WHEN they browse on, register, confirm, log in and use the app
    for path in PUBLIC_PAGES:
        browser.visit(path)
        expect(_banner(browser.page)).to_have_count(0)
    _register_confirm_and_log_in(local_stack, browser.page)
    for path in ("/app", "/lists", "/campaigns", "/settings", "/"):
        assert browser.visit(path).status == 200, path
    # THEN everything worked, no page view was sent, nothing went to a third party, and only
    # essential cookies are kept
    assert browser.beacons() == [] and browser.elsewhere() == []
    assert set(browser.cookies()) <= ESSENTIAL_COOKIES
    assert browser.cookies()[CONSENT_COOKIE] == "1.essential"


def test_refusing_and_accepting_are_equally_prominent_on_the_banner(watched):
    # GIVEN the banner, in English and in Dutch
    for locale, refuse_name, accept_name in (("en-GB", ESSENTIAL_ONLY, ACCEPT_ALL),
                                             ("nl-NL", DUTCH_ESSENTIAL_ONLY, DUTCH_ACCEPT_ALL)):
        browser = watched(locale)
        browser.visit("/")
        banner = _banner(browser.page)
        refuse = banner.get_by_role("button", name=refuse_name)
        accept = banner.get_by_role("button", name=accept_name)
        # THEN both buttons are visible at once, without opening anything
        expect(refuse).to_be_visible()
        expect(accept).to_be_visible()
        # AND they are the same size and look the same
        refuse_box, accept_box = refuse.bounding_box(), accept.bounding_box()
        assert (round(refuse_box["width"]), round(refuse_box["height"])) == (
            round(accept_box["width"]), round(accept_box["height"])), (refuse_box, accept_box)
        assert abs(refuse_box["y"] - accept_box["y"]) < 1  # side by side: neither below the fold of the other
        style = ("el => { const s = getComputedStyle(el); return [s.fontSize, s.fontWeight, s.color, "
                 "s.backgroundColor, s.borderStyle, s.borderWidth, s.paddingTop, s.paddingLeft, s.textDecorationLine]; }")
        assert refuse.evaluate(style) == accept.evaluate(style)
        # AND one's own choice starts with nothing ticked
        boxes = banner.locator("input[type=checkbox]")
        assert boxes.count() == 2
        assert [boxes.nth(i).is_checked() for i in range(2)] == [False, False]


def test_choice_is_changed_from_the_footer_link(watched):
    # GIVEN a Dutch visitor who accepted everything on the banner (without a page reload)
    browser = watched("nl-NL")
    browser.visit("/contact")
    _banner(browser.page).get_by_role("button", name=DUTCH_ACCEPT_ALL).click()
    expect(_banner(browser.page)).to_be_hidden()
    assert browser.cookies()[CONSENT_COOKIE] == "1.analytics.marketing"
    assert browser.page.url == browser.base_url + "/contact"
    # WHEN they later follow "Cookie-instellingen" in the footer of another page
    browser.visit("/testimonials")
    browser.page.locator("footer").get_by_role("link", name=DUTCH_COOKIE_SETTINGS).click()
    # THEN the settings page shows their choice, with both boxes ticked
    expect(browser.page).to_have_url(browser.base_url + "/cookies")
    expect(browser.page.locator("h1")).to_have_text(DUTCH_COOKIE_SETTINGS)
    expect(browser.page.locator("#consent-page-analytics")).to_be_checked()
    expect(browser.page.locator("#consent-page-marketing")).to_be_checked()
    # WHEN they untick marketing and save
    browser.page.locator("#consent-page-marketing").uncheck()
    browser.page.locator("main").get_by_role("button", name=DUTCH_SAVE_CHOICE).click()
    # THEN the choice is saved as analytics only
    expect(browser.page).to_have_url(browser.base_url + "/cookies?saved=1")
    expect(browser.page.locator("main [role=status]")).to_be_visible()
    assert browser.cookies()[CONSENT_COOKIE] == "1.analytics"
    expect(browser.page.locator("#consent-page-analytics")).to_be_checked()
    expect(browser.page.locator("#consent-page-marketing")).not_to_be_checked()
    # WHEN they withdraw the rest with one click
    browser.page.locator("main").get_by_role("button", name=DUTCH_ESSENTIAL_ONLY).click()
    # THEN essential cookies only, and still no banner on the next page
    expect(browser.page).to_have_url(browser.base_url + "/cookies?saved=1")
    assert browser.cookies()[CONSENT_COOKIE] == "1.essential"
    browser.visit("/")
    expect(_banner(browser.page)).to_have_count(0)


def test_banner_works_without_javascript(watched):
    # GIVEN a Dutch visitor whose browser runs no scripts, on the contact page
    browser = watched("nl-NL", javascript=False)
    browser.visit("/contact")
    banner = _banner(browser.page)
    # WHEN they open "Zelf kiezen", tick analytics only and save
    banner.locator("summary").filter(has_text=DUTCH_CHOOSE).click()
    banner.locator("#consent-banner-analytics").check()
    banner.get_by_role("button", name=DUTCH_SAVE_CHOICE).click()
    # THEN the plain form post brings them back to the contact page, without the banner
    expect(browser.page).to_have_url(browser.base_url + "/contact")
    expect(_banner(browser.page)).to_have_count(0)
    assert browser.cookies()[CONSENT_COOKIE] == "1.analytics"


def test_page_views_are_sent_after_accepting_analytics_and_stop_after_withdrawing(watched):
    # GIVEN a Dutch visitor with a 1366x768 screen who allows analytics on the banner
    browser = watched("nl-NL")
    browser.visit("/")
    assert browser.beacons() == []
    banner = _banner(browser.page)
    banner.locator("summary").filter(has_text=DUTCH_CHOOSE).click()
    banner.locator("#consent-banner-analytics").check()
    banner.get_by_role("button", name=DUTCH_SAVE_CHOICE).click()
    expect(banner).to_be_hidden()
    # WHEN they view more pages
    for path in ("/contact", "/testimonials", "/privacy"):
        browser.visit(path)
    # THEN page views arrive at the beacon, carrying the screen resolution, and only at our own address
    beacons = browser.beacons()
    assert beacons, "no page view was sent after analytics was allowed"
    assert all(r.method == "POST" for r in beacons)
    assert any(str(SCREEN["width"]) in (r.post_data or "") and str(SCREEN["height"]) in (r.post_data or "")
               for r in beacons), [r.post_data for r in beacons]
    assert browser.elsewhere() == []
    # WHEN they withdraw from the footer's "Cookie-instellingen" with one click
    browser.page.locator("footer").get_by_role("link", name=DUTCH_COOKIE_SETTINGS).click()
    browser.page.locator("main").get_by_role("button", name=DUTCH_ESSENTIAL_ONLY).click()
    expect(browser.page).to_have_url(browser.base_url + "/cookies?saved=1")
    assert browser.cookies()[CONSENT_COOKIE] == "1.essential"
    browser.visit("/")  # the settings page was opened with analytics allowed: its leaving may still count
    browser.requests.clear()
    # AND view more pages
    for path in ("/contact", "/testimonials", "/privacy", "/"):
        browser.visit(path)
    # THEN no page view is sent any more
    assert browser.beacons() == []
