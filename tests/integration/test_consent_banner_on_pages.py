"""The cookie banner (P9) on every page, public and signed in, until a valid choice is made; the
"Cookie settings" link in every page's footer; /cookies, which names every cookie we set; and no
cookie but essential ones, whatever a visitor does before choosing."""

import re

import pytest

from tests.integration.accounts_helpers import REGISTRATION, confirm, log_in, post_form, register
from tests.integration.consent_helpers import ESSENTIAL_COOKIES, choose, cookie_value_of, set_cookies

PUBLIC_PAGES = ["/", "/contact", "/login", "/register", "/privacy", "/testimonials", "/password/forgot",
                "/no/such/page"]
BANNER = 'data-consent-banner'
FOOTER_LINK = '<a href="/cookies">'


def _buttons(body: str) -> list[str]:
    """The opening tags of the banner's submit buttons."""
    banner = body[body.index(BANNER):body.index("</section>", body.index(BANNER))]
    return re.findall(r"<button [^>]*>", banner)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_banner_and_footer_link_are_on_public_page_when_no_choice_is_made(client, aws_resources, path):
    # WHEN a visitor without a choice opens a public page (the 404 page too)
    body = client.get(path).body.decode()
    # THEN it shows the banner, whose form returns to this page, and the footer link to the settings
    assert BANNER in body and 'action="/consent"' in body
    assert f'name="next" value="{path}"' in body
    assert FOOTER_LINK in body


def test_banner_offers_refusal_and_acceptance_alike_when_shown(client, aws_resources):
    # WHEN the banner is shown
    body = client.get("/").body.decode()
    buttons = _buttons(body)
    # THEN "essential cookies only" and "accept all" are buttons of one class, each one click
    refuse = next(b for b in buttons if 'value="essential"' in b)
    accept = next(b for b in buttons if 'value="all"' in b)
    assert refuse.replace('value="essential"', "") == accept.replace('value="all"', "")
    # AND one's own choice starts with nothing ticked
    banner = body[body.index(BANNER):]
    assert 'name="analytics"' in banner and 'name="marketing"' in banner
    assert "checked" not in banner[:banner.index("</section>")]


def test_banner_is_gone_and_footer_link_stays_when_a_choice_is_made(client, aws_resources):
    # GIVEN a visitor who chose essential cookies only
    value = cookie_value_of(choose(client, {"choice": "essential", "next": "/"}), "mx_consent")
    # WHEN they open pages
    for path in PUBLIC_PAGES:
        body = client.get(path, headers={"Cookie": f"mx_consent={value}"}).body.decode()
        # THEN no banner, and still the way to change the choice
        assert BANNER not in body and FOOTER_LINK in body, path


@pytest.mark.parametrize("value", ["", "1", "0.analytics", "2.analytics", "1.everything", "1.essential.analytics"])
def test_banner_asks_again_when_cookie_is_not_a_choice_of_this_banner(client, aws_resources, value):
    body = client.get("/", headers={"Cookie": f"mx_consent={value}"}).body.decode()
    assert BANNER in body


def test_banner_is_on_signed_in_pages_until_a_choice_is_made(client, app_module, aws_resources, outbox):
    # GIVEN a signed-in account holder who has made no choice
    register(client, app_module, aws_resources, outbox)
    confirm(client, outbox, REGISTRATION["email"])
    session = log_in(client)
    for path in ("/app", "/lists", "/settings"):
        # WHEN they open pages of the application
        body = client.get(path, headers={"Cookie": session}).body.decode()
        # THEN the banner and the footer link are there
        assert BANNER in body and FOOTER_LINK in body, path
        # AND with a choice made, only the footer link
        chosen = client.get(path, headers={"Cookie": f"{session}; mx_consent=1.analytics"}).body.decode()
        assert BANNER not in chosen and FOOTER_LINK in chosen, path


def test_banner_is_left_out_when_page_is_shown_in_a_frame(client, aws_resources):
    # A frame on another site keeps no cookie of ours: a banner there could never go away
    body = client.get("/", headers={"Sec-Fetch-Dest": "iframe"}).body.decode()
    assert BANNER not in body


def test_cookie_settings_page_names_every_cookie_and_offers_the_choice_when_opened(client, aws_resources):
    # WHEN a visitor without a choice opens the cookie settings
    response = client.get("/cookies")
    body = response.body.decode()
    # THEN it names every cookie we set, explains analytics and marketing, and offers the choice
    assert response.status_code == 200
    for name in ESSENTIAL_COOKIES:
        assert f"<code>{name}</code>" in body, name
    assert 'id="analytics"' in body and 'id="marketing"' in body
    assert 'action="/consent"' in body and 'name="next" value="/cookies?saved=1"' in body
    # AND no banner repeats the form above it
    assert BANNER not in body


def test_cookie_settings_page_shows_the_choice_and_consent_id_when_one_was_made(client, aws_resources):
    # GIVEN a visitor who allowed analytics
    chosen = choose(client, {"choice": "custom", "analytics": "on", "next": "/cookies?saved=1"})
    consent_id = cookie_value_of(chosen, "__Host-consent-id")
    # WHEN they come back to the settings
    body = client.get("/cookies?saved=1", headers={"Cookie": f"mx_consent=1.analytics; __Host-consent-id={consent_id}"},
                      ).body.decode()
    # THEN the page says what they chose, under which id, with the analytics box ticked and marketing not
    assert consent_id in body
    assert re.search(r'<input type="checkbox" id="consent-page-analytics" name="analytics" checked>', body)
    assert re.search(r'<input type="checkbox" id="consent-page-marketing" name="marketing">', body)
    assert 'role="status"' in body


def test_cookie_settings_page_is_dutch_and_english(client, aws_resources):
    dutch = client.get("/cookies", headers={"Accept-Language": "nl"}).body.decode()
    english = client.get("/cookies", headers={"Accept-Language": "en"}).body.decode()
    assert "<h1>Cookie-instellingen</h1>" in dutch and "Alleen noodzakelijke cookies" in dutch
    assert "<h1>Cookie settings</h1>" in english and "Essential cookies only" in english


def test_no_cookie_but_essential_ones_is_set_when_no_choice_is_made(client, app_module, aws_resources, outbox):
    # GIVEN a visitor who makes no choice
    seen = set()

    def keep(response):
        seen.update(cookie.split("=", 1)[0] for cookie in set_cookies(response))
        return response

    # WHEN they browse the public pages (in English too), register, confirm, log in with "remember me" and work
    for path in PUBLIC_PAGES + ["/?lang=en", "/cookies"]:
        keep(client.get(path))
    register(client, app_module, aws_resources, outbox)
    confirm(client, outbox, REGISTRATION["email"])
    signed_in = keep(post_form(client, "/login", {"email": REGISTRATION["email"], "password": REGISTRATION["password"],
                                                  "remember_me": "on"}))
    session = "__Host-session=" + cookie_value_of(signed_in, "__Host-session")
    for path in ("/app", "/lists", "/campaigns", "/templates", "/settings", "/news"):
        page = keep(client.get(path, headers={"Cookie": session}))
        assert page.status_code == 200, path
    # THEN every cookie set is an essential one, and no consent cookie was set without a choice
    assert seen and seen <= ESSENTIAL_COOKIES - {"mx_consent", "__Host-consent-id"}
