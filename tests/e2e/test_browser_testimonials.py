"""Testimonials (P15) in a real browser against the whole local stack: a customer uploads a photo
(straight to S3 by the presigned form), writes a testimonial and gives permission; staff publish it;
a visitor sees it with its photo (through the app's photo link, which the page's policy allows) on
/testimonials and the home page; the customer withdraws and it is gone on the visitor's next load."""

import subprocess
import sys

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.conftest import PROJECT_DIR
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_browser_audience import _console_problems, _log_in, _registered_account

pytestmark = pytest.mark.e2e

TEXT = "Since we moved to MailExpert our newsletters arrive, and our customers answer them."


@pytest.fixture
def english_context(browser):
    contexts = []

    def open_():
        context = browser.new_context(locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        return page, _console_problems(page)

    yield open_
    for context in contexts:
        context.close()


def _photo_loaded(page, selector: str) -> bool:
    return page.locator(selector).first.evaluate("image => image.complete && image.naturalWidth > 0")


def test_testimonial_from_consent_to_publication_and_withdrawal_in_the_browser(local_stack, english_context,
                                                                                tmp_path):
    base = local_stack.base_url
    customer, customer_problems = english_context()
    _log_in(customer, base, _registered_account(local_stack), english=True)
    # GIVEN a customer who finds the testimonials page in Settings & Options and uploads a photo
    customer.goto(base + "/settings")
    customer.get_by_role("link", name="Your testimonials").click()
    expect(customer).to_have_url(base + "/settings/testimonials")
    photo = tmp_path / "portrait.png"
    Image.new("RGB", (800, 800), "teal").save(photo)
    customer.locator("#photo").set_input_files(str(photo))
    customer.get_by_role("button", name="Upload photo").click()
    expect(customer.get_by_text("Your photo is checked and ready.")).to_be_visible()
    assert _photo_loaded(customer, "img.testimonial-photo")
    # WHEN she writes her testimonial and gives her permission
    customer.locator("#text").fill(TEXT)
    customer.get_by_label("I agree").check()
    customer.get_by_role("button", name="Send my testimonial").click()
    expect(customer.get_by_text("Your testimonial is saved with your permission")).to_be_visible()
    # THEN a visitor does not see it yet
    visitor, visitor_problems = english_context()
    visitor.goto(base + "/testimonials")
    expect(visitor.get_by_text(TEXT)).to_have_count(0)
    # WHEN staff publish it from the staff area
    staff_email = _registered_account(local_stack)
    granted = subprocess.run([sys.executable, "-m", "ops.staff", "grant", staff_email, "--stage", "e2e"],
                             cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60)
    assert granted.returncode == 0, granted.stdout + granted.stderr
    staff, staff_problems = english_context()
    _log_in(staff, base, staff_email, english=True)
    staff.goto(base + "/staff")
    staff.locator("main").get_by_role("link", name="Testimonials").click()
    staff.get_by_role("row", name=TEXT[:40]).get_by_role("link", name="Open").click()
    staff.get_by_role("button", name="Publish exactly this").click()
    expect(staff.get_by_text("The testimonial is published, exactly as consented to.")).to_be_visible()
    # THEN the visitor sees it, with its photo, on the testimonials page and the home page
    for path in ("/testimonials", "/"):
        visitor.goto(base + path)
        expect(visitor.get_by_text(TEXT)).to_be_visible()
        assert _photo_loaded(visitor, "figure.testimonial img.testimonial-photo"), path
    # WHEN the customer withdraws her permission
    customer.goto(base + "/settings/testimonials")
    customer.get_by_role("button", name="Withdraw my permission").click()
    expect(customer.get_by_text("Your permission is withdrawn")).to_be_visible()
    # THEN the visitor's next load shows it nowhere
    for path in ("/testimonials", "/"):
        visitor.goto(base + path)
        expect(visitor.get_by_text(TEXT)).to_have_count(0)
    # AND nothing broke a page's policy on the way (the photo from S3 and the form posting to it included)
    assert customer_problems == [] and visitor_problems == [] and staff_problems == []
