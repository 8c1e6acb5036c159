"""Every page, at a phone's width (390 px) and a laptop's (1280 px), in a real browser against the
whole local stack: nothing is wider than the window, and axe-core finds no serious or critical
accessibility violation. The same pages in English (the other language of the app) once more, at
the laptop's width only: their words differ in length, and axe checks the page's language.

The pages are read from the app's route table (every GET route but the API, files, downloads and
redirects listed below), so a page added tomorrow is visited without touching this file; a route
with a path parameter this file cannot fill fails the test, asking for seed data. Seeded once: an
account (staff, so the staff pages are in) with a list, a subscribed and an unconfirmed contact, a
field, a segment, a template, a draft and a sent campaign, a sending domain (its long DNS values), an
import, a suppressed address and a testimonial. Each page is visited anonymously first; one that
sends an anonymous visitor to the login page is visited signed in.

axe-core is a test-only file (tests/e2e/axe/, from npm), injected with `add_script_tag`; that needs
the page policy bypassed in these contexts, so the test checks separately that no page carries an
inline style or script (which the strict policy would block for real visitors).

`make screenshots` runs this file with SCREENSHOTS_DIR=docs/screenshots: the main pages are saved
there at both widths.
"""

import os
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_browser_audience import _log_in, _registered_account
from tests.e2e.test_browser_policy_change import _grant_staff

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "axe" / "axe.min.js"
WIDTHS = (1280, 390)
HEIGHT = 900
SEVERE = ("serious", "critical")
MAIL_TIMEOUT_S = 90

# GET routes that are not pages a person reads: the API, files, downloads, images, tracking,
# machine-readable answers, redirects to S3, and customer HTML shown as it is.
NOT_PAGES_PREFIXES = ("/api/", "/static/", "/i/", "/t/")
NOT_PAGES = {
    "/health", "/.well-known/security.txt", "/dev/outbox.json", "/dev/outbox/{message_id}/html",
    "/contacts/{contact_id}/export", "/lists/{list_id}/imports/{import_id}/report",
    "/settings/exports/{export_id}", "/settings/testimonials/photos/{photo_id}",
    "/staff/partner-statistics/{export}/{fmt}", "/staff/testimonials/{testimonial_id}/photo",
    "/testimonials/{testimonial_id}/photo", "/templates/{template_id}/preview",
}
# Where a pattern needs more than its path parameters (a query), or a value of its own.
MADE_UP_TOKEN = "made-up-token"
NOT_FOUND_PATH = "/no/such/page"
# The main pages, saved as screenshots by `make screenshots` (name: pattern).
SCREENSHOTS = {"home": "/", "register": "/register", "overview": "/app", "campaign-report": "/campaigns/{campaign_id}",
               "list": "/lists/{list_id}", "domain": "/domains/{domain}", "signup-form": "/f/{list_id}",
               "unsubscribe": "/u/{token}", "settings": "/settings"}

# Forms submitted empty, to see their pages with errors (the error summary, fields marked invalid).
FORMS_WITH_ERRORS = {"/register": "/register", "/contact": "/contact", "/lists": "/lists", "/templates/new": "/templates",
                     "/fields": "/fields", "/domains": "/domains", "/campaigns": "/campaigns"}

# What a browser measures: the widest thing on the page, and the elements that stick out.
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const name = (element) => element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') +
    (typeof element.className === 'string' && element.className.trim() ? '.' + element.className.trim().split(/\\s+/).join('.') : '');
  const scrolls = (element) => {
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(up).overflowX)) return true;
    }
    return false;
  };
  const out = (element) => element.getBoundingClientRect().right > width + 1 && element.getBoundingClientRect().width > 0;
  const wide = [];
  for (const element of document.body.querySelectorAll('*')) {
    if (out(element) && ![...element.children].some(out) && !scrolls(element)) {
      const parent = element.parentElement;
      wide.push(name(parent) + ' > ' + name(element) + ' (' + Math.round(element.getBoundingClientRect().right) + ' px)');
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide: wide.slice(0, 6)};
}"""
INLINE_JS = """() => [...document.querySelectorAll('[style], style, script:not([src])')]
  .filter(e => !(e.tagName === 'SCRIPT' && (e.type || '').includes('json')))
  .map(e => e.outerHTML.slice(0, 120))"""
NEXT_FRAMES_JS = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
AXE_JS = """async (severe) => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => severe.includes(v.impact)).map(v =>
    v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
}"""


def _page_patterns() -> list[str]:
    """Every GET route of the app that shows a page (the catch-all as one made-up address)."""
    import app as app_module

    patterns = []
    for path, methods in app_module.app.routes.items():
        if "GET" not in methods or path in NOT_PAGES or path.startswith(NOT_PAGES_PREFIXES):
            continue
        patterns.append(path)
    return sorted(patterns)


@pytest.fixture(scope="session")
def seeded(local_stack, browser):
    """One staff account with something on every page, signed in in its own context; the values of
    the path parameters; and an anonymous context."""
    base = local_stack.base_url
    email = _registered_account(local_stack)
    _grant_staff(email)
    signed_in = browser.new_context(locale="nl-NL", bypass_csp=True)
    signed_in.set_default_timeout(TIMEOUT_MS)
    page = signed_in.new_page()
    _log_in(page, base, email)
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")

    def api(method: str, path: str, body: dict | None = None) -> dict:
        response = page.request.fetch(base + "/api/v1" + path, method=method, data=body or {},
                                      headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"})
        assert response.ok, f"{method} {path}: {response.status} {response.text()}"
        return response.json()

    unique = uuid.uuid4().hex[:8]
    subscriber, unconfirmed = f"sanne+{unique}@example.com", f"daan+{unique}@example.com"
    list_id = api("POST", "/lists", {"name": "Klanten van de bakkerij", "description": "Iedereen die brood koopt"})["list_id"]
    field_key = api("POST", "/fields", {"label": "Woonplaats", "field_type": "text"})["key"]
    contact_id = api("POST", f"/lists/{list_id}/contacts", {
        "email": subscriber, "first_name": "Sanne", "last_name": "de Vries", "tags": ["vaste klant"],
        "fields": {"Woonplaats": "Amsterdam"}, "confirm": False,
        "lawful_basis": "Klant van de winkel, aangemeld aan de toonbank"})["contact_id"]
    api("POST", f"/lists/{list_id}/contacts", {"email": unconfirmed, "first_name": "Daan"})
    segment_id = api("POST", f"/lists/{list_id}/segments", {
        "name": "Amsterdammers", "conditions": [{"field": f"field:{field_key}", "op": "equals", "value": "Amsterdam"}]}
    )["segment_id"]
    template_id = api("POST", "/templates", {"name": "Nieuwsbrief april", "subject": "Vers brood, {{ contact.first_name }}",
                                             "html": "<h1>Nieuws</h1><p>Beste {{ contact.first_name }}, er is vers brood.</p>"
                                                     "<p><a href=\"https://example.com/brood\">Bekijk het aanbod</a></p>"}
                      )["template_id"]
    draft_id = api("POST", "/campaigns", {"name": "Mei (concept)", "template_id": template_id, "list_id": list_id})["campaign_id"]
    sent_id = api("POST", "/campaigns", {"name": "April", "template_id": template_id, "list_id": list_id,
                                         "from_name": "Bakkerij Jansen"})["campaign_id"]
    api("POST", f"/campaigns/{sent_id}/schedule", {})
    domain = api("POST", "/domains", {"domain": f"nieuwsbrief-{unique}.bakkerij-jansen-amsterdam.nl"})["domain"]
    import_id = api("POST", f"/lists/{list_id}/imports")["import_id"]
    api("POST", "/suppression", {"emails": [f"weg+{unique}@example.com"]})
    # a testimonial (staff pages show it), through the customer's own form
    page.goto(base + "/settings/testimonials")
    page.locator("#text").fill("Eindelijk een nieuwsbriefdienst die privacy serieus neemt.")
    page.locator("#name").fill("Sanne de Vries")
    page.locator("input[name=consent]").check()
    page.locator("form[action='/settings/testimonials'] button[type=submit]").click()
    page.goto(base + "/staff/testimonials")
    testimonial_link = page.locator("main a[href^='/staff/testimonials/']").first
    testimonial_id = testimonial_link.get_attribute("href").rsplit("/", 1)[1]
    # the subscriber's mails: the unconfirmed contact's confirmation link, the campaign's unsubscribe link
    confirm_mail = local_stack.wait_for(lambda: local_stack.mail_to(unconfirmed), what="the confirmation mail")
    confirm_token = re.search(r"/f/confirm\?token=([^\s\"<&]+)", confirm_mail["text"]).group(1)
    campaign_mail = local_stack.wait_for(lambda: local_stack.mail_to(subscriber), timeout_s=MAIL_TIMEOUT_S,
                                         what="the campaign mail")
    unsubscribe_token = re.search(r"/u/([^\s\"<>/?]+)", campaign_mail["text"]).group(1)
    values = {"list_id": list_id, "contact_id": contact_id, "segment_id": segment_id, "template_id": template_id,
              "campaign_id": sent_id, "domain": domain, "import_id": import_id, "key": field_key, "number": "1",
              "testimonial_id": testimonial_id, "message_id": confirm_mail["message_id"], "name": "ignored",
              "asset": "ignored", "action": "ignored"}
    paths = {"/u/{token}": f"/u/{unsubscribe_token}", "/u/{token}/preferences": f"/u/{unsubscribe_token}/preferences",
             "/news/unsubscribe/{token}": f"/news/unsubscribe/{MADE_UP_TOKEN}", "/f/confirm": f"/f/confirm?token={confirm_token}",
             "/verify-email": f"/verify-email?token={MADE_UP_TOKEN}", "/password/reset": f"/password/reset?token={MADE_UP_TOKEN}",
             "/settings/email/confirm": f"/settings/email/confirm?token={MADE_UP_TOKEN}", "/{proxy+}": NOT_FOUND_PATH,
             "/campaigns/{campaign_id}/draft": f"/campaigns/{draft_id}"}
    anonymous = browser.new_context(locale="nl-NL", bypass_csp=True)
    anonymous.set_default_timeout(TIMEOUT_MS)
    yield {"values": values, "paths": paths, "signed_in": page, "anonymous": anonymous.new_page(), "draft": draft_id,
           "email": email}
    anonymous.close()
    signed_in.close()


@pytest.fixture(scope="session")
def english(local_stack, browser, seeded):
    """The seeded pages as an English reader sees them: contexts of their own (the Dutch ones keep
    Dutch), English asked for once with `?lang=en` and remembered from then on."""
    base = local_stack.base_url
    contexts = [browser.new_context(locale="en-GB", bypass_csp=True) for _ in range(2)]
    for context in contexts:
        context.set_default_timeout(TIMEOUT_MS)
    anonymous, signed_in = (context.new_page() for context in contexts)
    anonymous.goto(base + "/?lang=en")
    _log_in(signed_in, base, seeded["email"], english=True)
    yield dict(seeded, anonymous=anonymous, signed_in=signed_in)
    for context in contexts:
        context.close()


def _path(pattern: str, seeded) -> str:
    if pattern in seeded["paths"]:
        return seeded["paths"][pattern]
    missing = [name for name in re.findall(r"\{([^}]+)\}", pattern) if name not in seeded["values"]]
    assert not missing, f"{pattern}: no seed data for {missing}: add some to the `seeded` fixture"
    return re.sub(r"\{([^}]+)\}", lambda match: seeded["values"][match.group(1)], pattern)


def _visit(seeded, base: str, path: str):
    """The page at `path`: anonymously, or signed in where an anonymous visitor is sent to log in."""
    page = seeded["anonymous"]
    page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
    page.goto(base + path)
    if page.url.split("?")[0] == base + "/login" and not path.startswith("/login"):
        page = seeded["signed_in"]
        page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
        page.goto(base + path)
    expect(page.locator("html")).to_have_class(re.compile(r"\bjs\b"))  # app.js ran: the page has settled
    return page


def _problems_at(page, width: int) -> list[str]:
    page.set_viewport_size({"width": width, "height": HEIGHT})
    page.evaluate(NEXT_FRAMES_JS)  # the page's own resize handlers have run
    problems = []
    measured = page.evaluate(OVERFLOW_JS)
    if measured["scrollWidth"] > measured["innerWidth"]:
        problems.append(f"{width} px: the page is {measured['scrollWidth']} px wide; sticking out: {measured['wide']}")
    problems += [f"{width} px: {violation}" for violation in page.evaluate(AXE_JS, list(SEVERE))]
    return problems


def _screenshot(page, pattern: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    names = [name for name, shown in SCREENSHOTS.items() if shown == pattern]
    if not folder or not names:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    # the pages as a visitor sees them once the cookie choice is made (the tests check them with the banner)
    page.evaluate("document.querySelector('[data-consent-banner]')?.remove()")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800 if width > 800 else 844})
        page.evaluate(NEXT_FRAMES_JS)
        path = Path(folder) / f"{names[0]}-{width}.png"
        page.screenshot(path=str(path))
        _make_small(path)


def _make_small(path: Path) -> None:
    """A screenshot in 128 colours: a third of the bytes, which matters for files kept in git."""
    from PIL import Image

    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


@pytest.mark.parametrize("pattern", _page_patterns() + ["/campaigns/{campaign_id}/draft"])
def test_page_fits_the_window_and_passes_axe_at_phone_and_laptop_widths(local_stack, seeded, pattern):
    # GIVEN the page behind a route, with seed data behind its path parameters
    path = _path(pattern, seeded)
    # WHEN a browser opens it at 1280 px, then at 390 px
    page = _visit(seeded, local_stack.base_url, path)
    inline = page.evaluate(INLINE_JS)
    page.add_script_tag(path=str(AXE))
    problems = [problem for width in WIDTHS for problem in _problems_at(page, width)]
    # THEN nothing sticks out of the window and axe finds nothing serious or critical
    # AND nothing on it needs what the page policy blocks (inline styles or scripts)
    problems += [f"inline style or script (the page policy blocks it): {found}" for found in inline]
    _screenshot(page, pattern)
    assert problems == [], f"{path} ({page.url}):\n" + "\n".join(problems)


@pytest.mark.parametrize("path", sorted(FORMS_WITH_ERRORS))
def test_form_with_errors_fits_the_window_and_passes_axe(local_stack, seeded, path):
    # GIVEN a page's form, submitted empty
    page = _visit(seeded, local_stack.base_url, path)
    form = page.locator(f"main form[action='{FORMS_WITH_ERRORS[path]}']")
    for text in form.locator("input[type=text], input[type=email], input[type=password], input:not([type]), textarea").all():
        text.fill("")
    form.locator("button[type=submit]").last.click()
    # WHEN the page comes back with its errors
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("html")).to_have_class(re.compile(r"\bjs\b"))
    page.add_script_tag(path=str(AXE))
    # THEN at both widths nothing sticks out and axe finds nothing serious or critical
    problems = [problem for width in WIDTHS for problem in _problems_at(page, width)]
    assert problems == [], f"{path} with errors:\n" + "\n".join(problems)


@pytest.mark.parametrize("pattern", _page_patterns())
def test_page_in_english_fits_the_window_and_passes_axe_at_laptop_width(local_stack, english, pattern):
    # GIVEN the page behind a route, read by someone who chose English
    path = _path(pattern, english)
    # WHEN a browser opens it at 1280 px
    page = _visit(english, local_stack.base_url, path)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.add_script_tag(path=str(AXE))
    # THEN nothing sticks out of the window and axe finds nothing serious or critical
    problems = _problems_at(page, WIDTHS[0])
    assert problems == [], f"{path} in English ({page.url}):\n" + "\n".join(problems)
