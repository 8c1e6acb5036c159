"""A page-view service on the in-memory store, with a clock the test moves."""

from datetime import datetime, timezone

from chalicelib.analytics.reports import PageViewReport
from chalicelib.analytics.service import AnalyticsService
from tests.fakes.analytics import InMemoryAnalytics

# 11:00 in Amsterdam on 7 December 2026 (UTC+1)
NOON_UTC = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc).timestamp()
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/131.0.0.0 Safari/537.36")


class Clock:
    def __init__(self, now: float = NOON_UTC):
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_service(**options):
    store, clock = InMemoryAnalytics(), Clock()
    return AnalyticsService(store, clock=clock, **options), store, clock


def report(path="/pricing", dwell_ms=5000, referrer="", screen="1920x1080") -> PageViewReport:
    return PageViewReport(path=path, dwell_ms=dwell_ms, referrer_host=referrer, screen=screen)


def view(service, page=None, *, analytics=True, marketing=False, ip="203.0.113.9", user_agent=FIREFOX,
         account_id=None, lookups=None):
    def signed_in_account_id():
        if lookups is not None:
            lookups.append(1)
        return account_id

    return service.record_page_view(page or report(), analytics=analytics, marketing=marketing, ip=ip,
                                    user_agent=user_agent, signed_in_account_id=signed_in_account_id)
