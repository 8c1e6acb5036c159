"""The news page: entries newest first, unread until the account has seen them, their number in the navigation."""

import html
import re
from dataclasses import replace

from tests.integration.news_helpers import page, publish, signed_in, unread_in_navigation


def titles_and_marks(body: str) -> list[tuple[str, bool]]:
    articles = re.findall(r'<article class="news-entry( unread)?">.*?<h2>(.*?)</h2>', body, re.S)
    return [(html.unescape(title), bool(unread)) for unread, title in articles]


def test_news_page_lists_entries_newest_first_marked_unread_and_opening_it_marks_them_read(
        client, app_module, aws_resources, outbox):
    # GIVEN Anna, signed in, and two entries published after she registered
    cookie, _ = signed_in(client, app_module, aws_resources, outbox)
    publish("Older news", minutes_from_now=1)
    publish("Newer news", minutes_from_now=2)
    # WHEN she opens her overview
    overview = page(client, "/app", cookie).body.decode()
    # THEN the navigation shows News right after Overview, with 2 unread
    hrefs = re.findall(r'<li><a href="([^"]+)"', overview)
    assert hrefs[:2] == ["/app", "/news"]
    assert unread_in_navigation(overview) == 2
    # WHEN she opens the news page
    news = page(client, "/news", cookie)
    # THEN both entries are there, newest first, each marked unread, and the count is gone
    assert news.status_code == 200
    body = news.body.decode()
    assert titles_and_marks(body) == [("Newer news", True), ("Older news", True)]
    assert unread_in_navigation(body) == 0
    # AND from now on they are read, everywhere
    assert unread_in_navigation(page(client, "/app", cookie).body.decode()) == 0
    assert titles_and_marks(page(client, "/news", cookie).body.decode()) == [("Newer news", False),
                                                                              ("Older news", False)]
    # WHEN one more entry is published THEN only that one is unread
    publish("Newest news", minutes_from_now=3)
    assert unread_in_navigation(page(client, "/app", cookie).body.decode()) == 1
    assert titles_and_marks(page(client, "/news", cookie).body.decode())[0] == ("Newest news", True)


def test_news_page_shows_each_entry_in_the_language_of_the_page(client, app_module, aws_resources, outbox):
    cookie, _ = signed_in(client, app_module, aws_resources, outbox)
    publish("Summer release")
    assert titles_and_marks(page(client, "/news", cookie, language="nl").body.decode()) == [("Summer release (nl)", True)]


def test_entries_published_before_the_account_existed_are_shown_but_not_counted_unread(
        client, app_module, aws_resources, outbox):
    # GIVEN an entry published a day before Anna registered
    cookie, _ = signed_in(client, app_module, aws_resources, outbox)
    publish("Last year's news", minutes_from_now=-24 * 60)
    # THEN it is on her news page, but not as unread, and no count is shown
    assert unread_in_navigation(page(client, "/app", cookie).body.decode()) == 0
    assert titles_and_marks(page(client, "/news", cookie).body.decode()) == [("Last year's news", False)]


def test_publishing_the_same_keyed_item_twice_keeps_one_entry(client, app_module, aws_resources, outbox):
    # GIVEN the policy versions' hook publishing its announcement twice (a retried job): same key, same time
    from chalicelib.composition import services

    cookie, _ = signed_in(client, app_module, aws_resources, outbox)
    first = publish("Policy version 2", kind="policy", key="policy-v2")
    again = services().news.publish(replace(first, entry_id=None))
    # THEN there is one entry, counted once
    assert again.entry_id == first.entry_id
    assert unread_in_navigation(page(client, "/app", cookie).body.decode()) == 1
    assert titles_and_marks(page(client, "/news", cookie).body.decode()) == [("Policy version 2", True)]


def test_news_page_needs_a_signed_in_account(client, app_module):
    response = client.get("/news")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
