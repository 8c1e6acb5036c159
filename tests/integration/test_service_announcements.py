"""P16: staff write a service announcement in Dutch and English, preview it and publish it; it goes
on the news page, fires `announcement_published` once, can show a banner for a window, and is audited."""

import re
from datetime import datetime, timedelta

from tests.integration.accounts_helpers import post_form
from tests.integration.news_helpers import page, signed_in, unread_in_navigation
from tests.integration.test_settings_options import audit_events

ANNOUNCEMENT = {"title_nl": "Gepland onderhoud", "body_nl": "Zondag is MailExpert even niet bereikbaar.",
                "title_en": "Planned maintenance", "body_en": "MailExpert is briefly unavailable on Sunday."}


def local(moment: datetime) -> str:
    """A datetime-local value in Amsterdam time, as the form sends it."""
    from chalicelib.news.service import STAFF_TIME_ZONE

    return moment.astimezone(STAFF_TIME_ZONE).strftime("%Y-%m-%dT%H:%M")


def now():
    from chalicelib.news.service import now as service_now

    return service_now()


def hooked():
    from chalicelib.composition import services

    received = []
    services().news.announcement_published.subscribe(received.append)
    return received


def test_staff_pages_for_announcements_are_a_404_for_an_account_without_the_staff_flag(
        client, app_module, aws_resources, outbox):
    # GIVEN Anna, signed in, who is not staff
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox)
    received = hooked()
    # WHEN she opens, previews or publishes an announcement THEN none of it exists for her
    assert page(client, "/staff/announcements", cookie).status_code == 404
    for path in ("/staff/announcements/preview", "/staff/announcements"):
        assert post_form(client, path, {"csrf_token": csrf, **ANNOUNCEMENT}, cookie=cookie).status_code == 404
    # AND nothing was published
    assert received == []
    assert "Planned maintenance" not in page(client, "/news", cookie).body.decode()


def test_preview_shows_the_mail_in_both_languages_without_unsubscribe_link_and_publishes_nothing(
        client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox, staff=True)
    received = hooked()
    # WHEN staff preview an announcement
    response = post_form(client, "/staff/announcements/preview", {"csrf_token": csrf, **ANNOUNCEMENT}, cookie=cookie,
                         headers={"Accept-Language": "en"})
    # THEN both mails are shown, with the deactivation line, without an unsubscribe link
    assert response.status_code == 200
    body = response.body.decode()
    assert "Servicebericht van MailExpert: Gepland onderhoud" in body
    assert "MailExpert service announcement: Planned maintenance" in body
    assert "stop only when you deactivate your account" in body and "ze stoppen alleen als je je account deactiveert" in body
    assert "unsubscribe" not in body.lower().replace("unsubscribe link", "")
    # AND nothing is published yet
    assert received == []
    assert unread_in_navigation(page(client, "/app", cookie).body.decode()) == 0


def test_publishing_puts_it_on_the_news_page_fires_the_hook_once_and_is_audited(
        client, app_module, aws_resources, outbox):
    # GIVEN staff, signed in
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox, staff=True)
    received = hooked()
    # WHEN they publish an announcement
    response = post_form(client, "/staff/announcements", {"csrf_token": csrf, **ANNOUNCEMENT}, cookie=cookie)
    # THEN they are sent back with a notice
    assert response.status_code == 303 and response.headers["Location"] == "/staff/announcements?notice=published"
    # AND the hook fired once, carrying the announcement in both languages
    assert len(received) == 1
    announcement = received[0]
    assert announcement.title == {"nl": "Gepland onderhoud", "en": "Planned maintenance"}
    assert announcement.body["en"] == ANNOUNCEMENT["body_en"]
    # AND it is on the news page, unread, and counted in the navigation
    assert unread_in_navigation(page(client, "/app", cookie).body.decode()) == 1
    news = page(client, "/news", cookie).body.decode()
    assert "Planned maintenance" in news and "Service announcement" in news
    # AND the delivery can find it again by its id
    from chalicelib.composition import services

    assert services().news.announcement(announcement.announcement_id).title == announcement.title
    # AND the staff action is in the audit log
    assert audit_events(aws_resources).count("staff.announcement_published") == 1


def test_a_maintenance_banner_shows_on_every_app_page_during_its_window(client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox, staff=True)
    window = {"banner_start": local(now() - timedelta(hours=1)), "banner_end": local(now() + timedelta(hours=2))}
    assert post_form(client, "/staff/announcements", {"csrf_token": csrf, **ANNOUNCEMENT, **window},
                     cookie=cookie).status_code == 303
    for path in ("/app", "/settings", "/news"):
        body = page(client, path, cookie).body.decode()
        assert re.search(r'class="banner maintenance".*Maintenance: Planned maintenance', body, re.S), path


def test_a_banner_whose_window_has_not_started_is_not_shown_yet(client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox, staff=True)
    window = {"banner_start": local(now() + timedelta(days=2)), "banner_end": local(now() + timedelta(days=2, hours=3))}
    assert post_form(client, "/staff/announcements", {"csrf_token": csrf, **ANNOUNCEMENT, **window},
                     cookie=cookie).status_code == 303
    assert 'class="banner maintenance"' not in page(client, "/app", cookie).body.decode()


def error_beside(body: str, field: str) -> str:
    found = re.search(rf'id="{field}-error">([^<]*)<', body)
    return found.group(1) if found else ""


def test_an_empty_title_gives_the_form_again_with_the_error_beside_the_field(client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox, staff=True)
    received = hooked()
    for path in ("/staff/announcements/preview", "/staff/announcements"):
        response = post_form(client, path, {"csrf_token": csrf, **ANNOUNCEMENT, "title_en": "  "}, cookie=cookie,
                             headers={"Accept-Language": "en"})
        assert response.status_code == 422
        body = response.body.decode()
        assert error_beside(body, "title_en") == "Fill in this field."
        assert 'value="Gepland onderhoud"' in body  # what was typed stays
    assert received == []
    assert audit_events(aws_resources).count("staff.announcement_published") == 0


def test_a_banner_ending_before_it_starts_is_refused_beside_its_end(client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox, staff=True)
    received = hooked()
    window = {"banner_start": local(now() + timedelta(hours=3)), "banner_end": local(now() + timedelta(hours=1))}
    response = post_form(client, "/staff/announcements", {"csrf_token": csrf, **ANNOUNCEMENT, **window},
                         cookie=cookie, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert error_beside(response.body.decode(), "banner_end") == "The end must come after the start."
    assert received == []


def test_a_banner_with_a_start_but_no_end_or_an_unreadable_time_is_refused(client, app_module, aws_resources, outbox):
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox, staff=True)
    response = post_form(client, "/staff/announcements/preview",
                         {"csrf_token": csrf, **ANNOUNCEMENT, "banner_start": "tomorrow"}, cookie=cookie,
                         headers={"Accept-Language": "en"})
    assert response.status_code == 422
    body = response.body.decode()
    assert error_beside(body, "banner_start").startswith("Enter a date and time")
    assert error_beside(body, "banner_end") == "A banner needs an end as well as a start."
