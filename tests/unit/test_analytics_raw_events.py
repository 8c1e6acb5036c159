"""A raw page view holds what the policy names, with the address truncated, and expires after 13 months."""

from datetime import timedelta

from chalicelib.analytics.service import RAW_EVENT_RETENTION_S
from tests.unit.analytics_helpers import CHROME_WINDOWS, make_service, report, view


def test_a_raw_event_expires_thirteen_months_after_the_view():
    service, store, clock = make_service(buffer_events=1)
    view(service)
    [kept] = store.views
    assert kept.expires_at == int(clock.now) + RAW_EVENT_RETENTION_S
    assert timedelta(days=13 * 30) < timedelta(seconds=kept.expires_at - clock.now) < timedelta(days=13 * 31)


def test_a_raw_event_keeps_the_truncated_address_and_the_families_of_the_user_agent_only():
    service, store, _ = make_service(buffer_events=1)
    view(service, report(path="/pricing", dwell_ms=4200, referrer="www.example.com", screen="1366x768"),
         ip="2001:db8:85a3:8d3:1319:8a2e:370:7348", user_agent=CHROME_WINDOWS)
    [kept] = store.views
    assert kept.ip == "2001:db8:85a3::"
    assert (kept.browser, kept.os) == ("Chrome", "Windows")
    assert (kept.path, kept.dwell_ms, kept.referrer_host, kept.screen) == ("/pricing", 4200, "www.example.com",
                                                                           "1366x768")
    assert not any("Mozilla" in str(value) for value in vars(kept).values())  # never the user agent itself


def test_the_day_of_a_view_is_the_amsterdam_day():
    service, store, clock = make_service(buffer_events=1)
    clock.now -= 10.5 * 3600  # 23:30 UTC on 6 December is 00:30 on 7 December in Amsterdam
    view(service)
    assert store.views[0].day == "2026-12-07"


def test_an_ipv4_visitors_address_is_kept_as_its_24_bit_network():
    service, store, _ = make_service(buffer_events=1)
    view(service, ip="203.0.113.77")
    assert store.views[0].ip == "203.0.113.0"
