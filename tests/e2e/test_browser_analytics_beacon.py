"""The analytics beacon in a real browser (Debian's Chromium through Playwright) against the local
stack: with analytics consent each page view reaches /t/p with a screen resolution and is stored;
with essential cookies only, or no choice yet, no beacon request leaves the browser at all.

The page is "left" by dispatching `pagehide` while it is still open (what the browser does when the
visitor navigates away): Playwright does not report requests a document makes while it unloads,
though they reach the server (the stored views show that for plain navigation too)."""

import json

import boto3
import pytest

from tests.e2e.conftest import BASE_URL, STAGE_ENV, TIMEOUT_MS

pytestmark = pytest.mark.e2e

PAGES = ("/", "/contact", "/testimonials", "/privacy")
LEAVE = "window.dispatchEvent(new PageTransitionEvent('pagehide', {persisted: false}))"


def _is_beacon(request) -> bool:
    return request.url.split("?")[0].endswith("/t/p")


def _context(browser, consent: str | None):
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 800},
                                  screen={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    if consent:
        context.add_cookies([{"name": "mx_consent", "value": consent, "url": BASE_URL}])
    return context


def _stored_views() -> list[dict]:
    dynamodb = boto3.client("dynamodb", endpoint_url=STAGE_ENV["AWS_ENDPOINT_URL"], region_name="eu-west-1",
                            aws_access_key_id="local", aws_secret_access_key="local")
    pages = dynamodb.get_paginator("scan").paginate(TableName="mailexpert-analytics")
    return [item for page in pages for item in page["Items"] if item["pk"]["S"].startswith("VIEW#")]


def test_with_analytics_consent_page_views_reach_the_server_with_a_screen_resolution(local_stack, browser):
    # GIVEN a visitor who allowed analytics, on a 1280x800 screen
    stored_before = len(_stored_views())
    context = _context(browser, "1.analytics")
    page = context.new_page()
    reports = []
    # WHEN she visits four pages, leaving each
    for path in PAGES:
        page.goto(f"{BASE_URL}{path}?utm_source=newsletter")
        with page.expect_request(_is_beacon) as beacon:
            page.evaluate(LEAVE)
        reports.append(beacon.value)
    # AND browses on by plain navigation
    page.goto(BASE_URL + "/contact")
    page.goto(BASE_URL + "/")
    context.close()
    # THEN each view was reported to /t/p with its path (no query string) and the screen resolution
    bodies = [json.loads(request.post_data) for request in reports]
    assert [body["path"] for body in bodies] == list(PAGES)
    assert all(body["screen"] == "1280x800" and body["dwell_ms"] >= 0 for body in bodies)
    assert all(request.method == "POST" for request in reports)
    # AND the server stored them, and the views left by navigation too, with a truncated address
    def all_stored():
        found = _stored_views()
        return found if len(found) >= stored_before + len(PAGES) + 1 else None

    views = local_stack.wait_for(all_stored, what="stored page views")
    assert "1280x800" in {item["screen"]["S"] for item in views}  # other browser tests may report other screens
    assert {item["ip"]["S"] for item in views} == {"127.0.0.0"}
    assert {item["path"]["S"] for item in views} >= set(PAGES)


@pytest.mark.parametrize("consent", ["1.essential", None])
def test_without_analytics_consent_no_beacon_request_leaves_the_browser(local_stack, browser, consent):
    # GIVEN a visitor who chose essential cookies only, or has not chosen yet
    stored_before = len(_stored_views())
    context = _context(browser, consent)
    reports = []
    context.on("request", lambda request: reports.append(request.url) if _is_beacon(request) else None)
    page = context.new_page()
    # WHEN she visits the pages and leaves each
    for path in PAGES:
        page.goto(BASE_URL + path)
        page.evaluate(LEAVE)
    page.goto(BASE_URL + "/")
    context.close()
    # THEN no beacon request was made, and nothing was stored
    assert reports == []
    assert len(_stored_views()) == stored_before


def test_after_withdrawing_analytics_consent_the_beacon_stops_at_once(local_stack, browser):
    # GIVEN a visitor who allowed analytics and whose first page view was reported
    context = _context(browser, "1.analytics")
    page = context.new_page()
    page.goto(BASE_URL + "/")
    with page.expect_request(_is_beacon):
        page.evaluate(LEAVE)
    # WHEN she changes her choice to essential cookies only, on the page she is reading
    context.add_cookies([{"name": "mx_consent", "value": "1.essential", "url": BASE_URL}])
    reports = []
    context.on("request", lambda request: reports.append(request.url) if _is_beacon(request) else None)
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")  # a new view
    page.evaluate(LEAVE)
    for path in PAGES:
        page.goto(BASE_URL + path)
        page.evaluate(LEAVE)
    context.close()
    # THEN no further page view is reported
    assert reports == []
