"""Routes of the news: the account's news page and staff's announcements (pages only)."""

from chalice import Blueprint

from chalicelib.accounts.page_routes import PageRoutes
from chalicelib.composition import services

routes = Blueprint(__name__)
pages = PageRoutes(routes, services)
api = None  # no /api/v1 operations yet


def _news_pages():
    from chalicelib.news import pages

    return pages


@pages.page("/news")
def news(account, query, visit):
    return _news_pages().news_page(account, visit)


@pages.page("/staff/announcements", staff=True)
def announcement_form(account, query, visit):
    return _news_pages().announcement_page(account, visit)


@pages.page("/staff/announcements/preview", methods=["POST"], staff=True)
def preview_announcement(account, form, visit):
    return _news_pages().submit_preview(account, form, visit)


@pages.page("/staff/announcements", methods=["POST"], staff=True)
def publish_announcement(account, form, visit):
    return _news_pages().submit_announcement(account, form, visit)
