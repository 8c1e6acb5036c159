"""A privacy policy change end to end, in a real browser against the whole local stack (P17): staff
draft and announce a new version; the jobs queue's broadcast mails one notice to every account holder;
an account holder sees the banner, reads the diff on /privacy, dismisses the banner for good, and
finds the change on the news page."""

import collections
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.conftest import PROJECT_DIR
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_browser_audience import _console_problems, _log_in, _registered_account

pytestmark = pytest.mark.e2e

NEW_ENGLISH = "# Privacy policy\n\nWe keep your IP address for 30 days at most.\n\nThis paragraph is new.\n"
NEW_DUTCH = "# Privacybeleid\n\nWij bewaren uw IP adres hooguit 30 dagen.\n\nDeze alinea is nieuw.\n"


def _notices_per_address(local_stack) -> collections.Counter:
    mails = local_stack.get_json("/dev/outbox.json?limit=100000")
    return collections.Counter(address for mail in mails if mail["tags"].get("template") == "policy_notice"
                               for address in mail["to"])


def _grant_staff(email: str) -> None:
    result = subprocess.run([sys.executable, "-m", "ops.staff", "grant", email, "--stage", "e2e"], cwd=PROJECT_DIR,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_staff_announce_a_version_every_holder_gets_one_notice_and_sees_the_banner_until_dismissed(
        local_stack, browser):
    base = local_stack.base_url
    holder_email, staff_email = _registered_account(local_stack), _registered_account(local_stack)
    _grant_staff(staff_email)
    contexts = [browser.new_context(locale="en-GB") for _ in range(2)]
    for context in contexts:
        context.set_default_timeout(TIMEOUT_MS)
    staff, holder = (context.new_page() for context in contexts)
    problems = _console_problems(staff) + _console_problems(holder)
    try:
        # GIVEN staff, signed in, who draft version 2 from the staff area
        _log_in(staff, base, staff_email, english=True)
        staff.locator("nav.side-nav").get_by_role("link", name="Staff").click()
        staff.get_by_role("link", name="Privacy policy versions").click()
        staff.locator("#text_nl").fill(NEW_DUTCH)
        staff.locator("#text_en").fill(NEW_ENGLISH)
        staff.get_by_role("button", name="Save draft").click()
        expect(staff.locator("h1")).to_have_text("Privacy policy version 2")
        # THEN they see what changes against version 1
        expect(staff.locator(".policy-changes ins").first).to_be_visible()
        expect(staff.locator(".policy-changes del").first).to_be_visible()
        # WHEN they announce it for the earliest date offered
        staff.get_by_role("button", name="Announce to every account holder").click()
        expect(staff.get_by_text("The new version is announced")).to_be_visible()
        # THEN the broadcast (through the jobs queue and the event pump) mails every holder exactly once
        local_stack.wait_for(lambda: {holder_email, staff_email} <= set(_notices_per_address(local_stack)),
                             timeout_s=60, what="the notice mails")
        notices = _notices_per_address(local_stack)
        assert notices[holder_email] == 1 and notices[staff_email] == 1
        assert set(notices.values()) == {1}
        # WHEN the account holder logs in
        holder.goto(base + "/login?lang=en")
        expect(holder.locator(".banner.policy-change")).to_be_visible()  # the login page shows it too
        _log_in(holder, base, holder_email, english=True)
        # THEN every app page shows the banner; its link leads to the diff on /privacy
        banner = holder.locator(".banner.policy-change")
        expect(banner).to_contain_text("Our privacy policy changes on")
        banner.get_by_role("link", name="See what changes").click()
        expect(holder).to_have_url(base + "/privacy#changes")
        changes = holder.locator("#changes")
        expect(changes.locator("ins").first).to_be_visible()
        expect(changes).to_contain_text("This paragraph is new.")
        expect(holder.locator(".policy-version")).to_contain_text("Version 1, in force")
        # WHEN the holder dismisses the banner on the lists page
        holder.goto(base + "/lists")
        holder.locator(".banner.policy-change").get_by_role("button", name="Dismiss").click()
        # THEN they are back on the lists page without it, and it stays away on other pages
        expect(holder).to_have_url(base + "/lists")
        expect(holder.locator(".banner.policy-change")).to_have_count(0)
        holder.goto(base + "/app")
        expect(holder.locator(".banner.policy-change")).to_have_count(0)
        # AND the news page keeps the change, unread until opened, with its link to the changes
        news_link = holder.locator("nav.side-nav").get_by_role("link", name="News")
        expect(news_link.locator(".nav-count")).to_be_visible()
        news_link.click()
        entry = holder.locator("main").get_by_text("Our privacy policy changes on")
        expect(entry).to_be_visible()
        expect(holder.locator('main a[href="/privacy#changes"]').first).to_be_visible()
        # AND staff, who did not dismiss it, still see it
        staff.goto(base + "/app")
        expect(staff.locator(".banner.policy-change")).to_be_visible()
        assert problems == []
    finally:
        for context in contexts:
            context.close()
