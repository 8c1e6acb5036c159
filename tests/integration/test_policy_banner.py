"""Until a new policy version takes effect, the login and sign-up pages and a banner on every app page
show the coming change with a link to the diff; an account holder can dismiss the banner (stored, not a
cookie); after the effective date it is gone by itself."""

from tests.integration.accounts_helpers import csrf_token_of, post_form
from tests.integration.policy_helpers import (a_clock, announce_by_form, draft_by_form, earliest_date,
                                              effective_moment, one_second_before, staff_and_holder)

APP_PAGES = ("/app", "/lists", "/campaigns", "/settings")


def banner_of(page: str) -> str:
    return page.split('class="banner policy-change"', 1)[1].split("</div>", 1)[0] if "policy-change" in page else ""


def announced(client, app_module, aws_resources, outbox):
    staff, holder = staff_and_holder(client, app_module, aws_resources, outbox)
    clock = a_clock()
    draft_by_form(client, staff)
    effective_on = earliest_date(clock)
    announce_by_form(client, staff, 2, effective_on)
    return staff, holder, clock, effective_on


def test_banner_on_login_and_app_pages_before_the_effective_date_and_gone_after(client, app_module, aws_resources,
                                                                               outbox):
    # GIVEN version 2, announced
    _, holder, clock, effective_on = announced(client, app_module, aws_resources, outbox)
    # WHEN the pages are opened one second before it takes effect
    clock.now = one_second_before(effective_moment(effective_on))
    # THEN the login and sign-up pages and every app page show the change with a link to the diff
    for path in ("/login", "/register"):
        assert 'href="/privacy#changes"' in banner_of(client.get(path).body.decode()), path
    for path in APP_PAGES:
        banner = banner_of(client.get(path, headers={"Cookie": holder}).body.decode())
        assert 'href="/privacy#changes"' in banner and 'action="/privacy/dismiss/2"' in banner, path
    # WHEN the clock reaches the effective date
    clock.now = effective_moment(effective_on)
    # THEN no page shows it any more
    for path in ("/login", "/register"):
        assert "policy-change" not in client.get(path).body.decode(), path
    for path in APP_PAGES:
        assert "policy-change" not in client.get(path, headers={"Cookie": holder}).body.decode(), path


def test_dismissed_banner_stays_away_for_that_holder_only_and_the_login_page_keeps_it(client, app_module,
                                                                                     aws_resources, outbox):
    staff, holder, _, _ = announced(client, app_module, aws_resources, outbox)
    page = client.get("/lists", headers={"Cookie": holder}).body.decode()
    # WHEN the holder dismisses the banner on the lists page
    response = post_form(client, "/privacy/dismiss/2", {"csrf_token": csrf_token_of(page)}, cookie=holder,
                         headers={"Referer": "http://127.0.0.1:8000/lists"})
    # THEN she is back on that page, without the banner, on every page (stored, not in a cookie)
    assert response.status_code == 303 and response.headers["Location"] == "/lists"
    assert "Set-Cookie" not in response.headers
    for path in APP_PAGES:
        assert "policy-change" not in client.get(path, headers={"Cookie": holder}).body.decode(), path
    # AND the staff member, who did not dismiss it, still sees it; so does the login page
    assert "policy-change" in client.get("/app", headers={"Cookie": staff}).body.decode()
    assert "policy-change" in client.get("/login").body.decode()


def test_dismiss_without_csrf_token_is_refused_and_the_banner_stays(client, app_module, aws_resources, outbox):
    _, holder, _, _ = announced(client, app_module, aws_resources, outbox)
    response = post_form(client, "/privacy/dismiss/2", {}, cookie=holder)
    assert 400 <= response.status_code < 500
    assert "policy-change" in client.get("/app", headers={"Cookie": holder}).body.decode()


def test_dismiss_goes_back_to_the_overview_when_it_came_from_another_site(client, app_module, aws_resources, outbox):
    _, holder, _, _ = announced(client, app_module, aws_resources, outbox)
    page = client.get("/app", headers={"Cookie": holder}).body.decode()
    response = post_form(client, "/privacy/dismiss/2", {"csrf_token": csrf_token_of(page)}, cookie=holder,
                         headers={"Referer": "https://evil.example.com/steal"})
    assert response.status_code == 303 and response.headers["Location"] == "/app"
