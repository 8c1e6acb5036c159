"""The daily aggregates and the dashboard's figures equal what was sent."""

from collections import Counter

from chalicelib.analytics.service import Dimension
from tests.unit.analytics_helpers import CHROME_WINDOWS, FIREFOX, make_service, report, view

SENT = [  # (path, referrer, screen, user agent)
    ("/", "www.google.com", "1920x1080", FIREFOX),
    ("/", "", "1920x1080", CHROME_WINDOWS),
    ("/pricing", "www.google.com", "390x844", CHROME_WINDOWS),
    ("/register", "", "1366x768", FIREFOX),
    ("/register", "news.example.com", "1366x768", CHROME_WINDOWS),
    ("/register/check-inbox", "", "1366x768", CHROME_WINDOWS),
]


def test_the_dashboard_counts_exactly_what_was_sent_across_days():
    # GIVEN six views today and two yesterday, in batches of 4
    service, store, clock = make_service(buffer_events=4)
    clock.now -= 24 * 3600
    view(service, report(path="/", screen="800x600"), ip="10.1.0.1")
    view(service, report(path="/", screen="800x600"), ip="10.1.0.2")
    service.flush()
    clock.now += 24 * 3600
    for n, (path, referrer, screen, user_agent) in enumerate(SENT):
        view(service, report(path=path, referrer=referrer, screen=screen), ip=f"10.0.{n}.1", user_agent=user_agent)
    # WHEN staff open the dashboard (what the container still holds is written first)
    dashboard = service.dashboard(days=30)
    # THEN the days, totals and top lists are what was sent
    assert len(dashboard.days) == 30 and dashboard.days[-1].day.isoformat() == "2026-12-07"
    assert [(d.views, d.sign_ups) for d in dashboard.days[-2:]] == [(2, 0), (6, 1)]
    assert dashboard.views == 8 and dashboard.sign_ups == 1
    assert dashboard.register_views == 2 and dashboard.sign_up_rate == 0.5
    assert dict(dashboard.top[Dimension.PATH]) == {"/": 4, "/pricing": 1, "/register": 2, "/register/check-inbox": 1}
    assert dict(dashboard.top[Dimension.REFERRER]) == {"www.google.com": 2, "news.example.com": 1}
    assert dict(dashboard.top[Dimension.SCREEN]) == {"1920x1080": 2, "390x844": 1, "1366x768": 3, "800x600": 2}
    assert dict(dashboard.top[Dimension.BROWSER]) == {"Firefox": 4, "Chrome": 4}
    assert dict(dashboard.top[Dimension.OS]) == {"Linux": 4, "Windows": 4}
    # AND the stored counters add up to the raw events
    raw = Counter(view.path for view in store.views)
    assert raw == Counter(dict(dashboard.top[Dimension.PATH]))


def test_a_day_without_views_is_shown_as_zero():
    service, _, _ = make_service()
    dashboard = service.dashboard(days=7)
    assert [d.views for d in dashboard.days] == [0] * 7 and dashboard.sign_up_rate is None
