"""Shared steps for the news tests: a signed-in account holder, staff, and published entries."""

import re
from datetime import datetime, timedelta, timezone

from tests.integration.accounts_helpers import csrf_token_of, log_in, register
from tests.integration.test_staff_pages import make_staff


def signed_in(client, app_module, aws_resources, outbox, staff=False):
    register(client, app_module, aws_resources, outbox)
    if staff:
        make_staff()
    cookie = log_in(client)
    page = client.get("/app", headers={"Cookie": cookie, "Accept-Language": "en"}).body.decode()
    return cookie, csrf_token_of(page)


def publish(title, minutes_from_now=1, kind="product", active_only=False, key=None):
    from chalicelib.composition import services
    from chalicelib.news.items import NewsItem, NewsKind

    return services().news.publish(NewsItem(
        kind=NewsKind(kind), title={"nl": title + " (nl)", "en": title}, body={"nl": "Tekst.", "en": "Text."},
        published_at=datetime.now(timezone.utc) + timedelta(minutes=minutes_from_now), link="/privacy",
        active_only=active_only, key=key))


def unread_in_navigation(body: str) -> int:
    """The number beside News in the navigation (0 when none is shown)."""
    found = re.search(r'href="/news"[^>]*>[^<]*<span class="nav-count">(\d+)', body)
    return int(found.group(1)) if found else 0


def page(client, path, cookie, language="en"):
    return client.get(path, headers={"Cookie": cookie, "Accept-Language": language})
