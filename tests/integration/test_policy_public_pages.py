"""/privacy and /privacybeleid show the version in force, a pending version with its date and a
readable diff, and the history; every page's footer links there."""

import pytest

from tests.integration.policy_helpers import (a_clock, announce_by_form, draft_by_form, earliest_date,
                                              effective_moment, staff_and_holder)


@pytest.mark.parametrize("path", ["/privacy", "/privacybeleid"])
def test_policy_page_shows_version_1_in_force_to_anyone(client, app_module, path):
    page = client.get(path, headers={"Accept-Language": "nl"}).body.decode()
    assert "<h1>Privacy Beleid</h1>" in page
    assert "MailExpert doet er alles aan om uw privacy te waarborgen" in page
    assert 'id="changes"' not in page
    english = client.get(path, headers={"Accept-Language": "en"}).body.decode()
    assert "MailExpert does everything it can to safeguard your privacy" in english


def test_every_page_footer_links_to_the_policy(client, app_module):
    for path in ("/", "/login", "/register", "/contact"):
        footer = client.get(path).body.decode().split('class="site-footer"', 1)[1]
        assert 'href="/privacy"' in footer, path


def test_pending_version_is_shown_with_its_date_and_diff_and_in_force_after_its_date(client, app_module,
                                                                                   aws_resources, outbox):
    # GIVEN version 2, announced
    staff, _ = staff_and_holder(client, app_module, aws_resources, outbox)
    clock = a_clock()
    draft_by_form(client, staff)
    effective_on = earliest_date(clock)
    announce_by_form(client, staff, 2, effective_on)
    # WHEN anyone reads the policy before its date
    page = client.get("/privacy", headers={"Accept-Language": "en"}).body.decode()
    # THEN version 1 is in force, and the coming change is shown with its date and what changes
    changes = page.split('id="changes"', 1)[1].split("</section>", 1)[0]
    assert "Version 2 takes effect on" in changes
    assert "<ins>" in changes and "<del>" in changes and "30 days" in changes
    assert "Version 1, in force" in page and "MailExpert does everything it can" in page
    # AND the history lists both versions, and version 2 can be read on its own
    history = page.split('class="policy-history"', 1)[1]
    assert 'href="/privacy?version=2"' in history and 'href="/privacy?version=1"' in history
    assert "This paragraph is new." in client.get("/privacy?version=2", headers={"Accept-Language": "en"}).body.decode()
    # WHEN the clock reaches the effective date
    clock.now = effective_moment(effective_on)
    page = client.get("/privacy", headers={"Accept-Language": "en"}).body.decode()
    # THEN version 2 is in force and nothing is pending
    assert 'id="changes"' not in page and "Version 2, in force" in page and "This paragraph is new." in page


def test_draft_is_never_shown_to_the_public(client, app_module, aws_resources, outbox):
    staff, _ = staff_and_holder(client, app_module, aws_resources, outbox)
    a_clock()
    draft_by_form(client, staff)
    assert "Deze alinea is nieuw." not in client.get("/privacy", headers={"Accept-Language": "nl"}).body.decode()
    assert client.get("/privacy?version=2").status_code == 404
    assert client.get("/privacy?version=x").status_code == 404
