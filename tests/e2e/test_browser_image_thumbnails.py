"""Image thumbnails in a real browser (Debian's Chromium through Playwright) against the whole local
stack: an account holder uploads an image on /images (straight to S3 by the presigned form), and
its thumbnail shows on the page, served by the app itself, under the page's strict policy
(`img-src 'self'`): it loads (naturalWidth > 0) and the console reports no policy violation."""

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import assert_strict_policy
from tests.e2e.test_browser_audience import _console_problems, _log_in, _registered_account
from tests.e2e.test_browser_testimonials import english_context  # noqa: F401 (a fixture)

pytestmark = pytest.mark.e2e

IMAGE_ADDED = "The image is added. Use its address in your templates."


def _loaded_width(page, selector: str) -> int:
    """The image's natural width once it has finished loading (0 if it failed)."""
    return page.locator(selector).first.evaluate(
        "image => image.complete ? image.naturalWidth : new Promise(settled => {"
        " image.addEventListener('load', () => settled(image.naturalWidth));"
        " image.addEventListener('error', () => settled(0)); })")


def test_uploaded_images_thumbnail_loads_under_the_strict_policy(local_stack, english_context, tmp_path):  # noqa: F811
    base = local_stack.base_url
    page, problems = english_context()
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    _log_in(page, base, _registered_account(local_stack), english=True)
    # GIVEN an account holder on the images page
    response = page.goto(base + "/images")
    assert_strict_policy(response)
    assert "img-src 'self' data:;" in response.headers["content-security-policy"]
    # WHEN she uploads a 600 x 300 photo
    photo = tmp_path / "zomeractie.jpg"
    Image.new("RGB", (600, 300), "orange").save(photo, "JPEG")
    page.locator("#file").set_input_files(str(photo))
    thumbnails = []
    page.on("response", lambda answer: thumbnails.append(answer) if answer.url.endswith("/thumbnail") else None)
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text(IMAGE_ADDED)).to_be_visible()
    # THEN its thumbnail is on the page, from the app's own origin, and it has loaded
    thumbnail = page.locator("img.image-thumbnail").first
    source = thumbnail.get_attribute("src")
    assert source.startswith("/images/") and source.endswith("/thumbnail")
    assert _loaded_width(page, "img.image-thumbnail") == 160  # the stored thumbnail, 160 x 80
    assert thumbnail.evaluate("image => image.getBoundingClientRect().width") == 80
    # AND the browser got a JPEG it may not sniff as anything else, kept in its private cache only
    [answer] = [a for a in thumbnails if a.status == 200][:1]
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"].startswith("private")
    # AND nothing broke the page's policy: no violation, no error in the console
    assert violations == [] and problems == []
