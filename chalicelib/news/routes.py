"""Routes of the news: the account's news page and staff's announcements (pages only)."""

from chalice import Blueprint

from chalicelib.accounts.page_routes import PageRoutes
from chalicelib.composition import services
from chalicelib.forms import FORM

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


@pages.page("/staff/product-news", staff=True)
def product_news_form(account, query, visit):
    return _news_pages().product_news_page(account, visit)


@pages.page("/staff/product-news/preview", methods=["POST"], staff=True)
def preview_product_news(account, form, visit):
    return _news_pages().submit_product_news_preview(account, form, visit)


@pages.page("/staff/product-news", methods=["POST"], staff=True)
def publish_product_news(account, form, visit):
    return _news_pages().submit_product_news(account, form, visit)


@pages.page("/news/unsubscribe/{token}", signed_in=False)
def product_news_unsubscribe_page(account, query, visit, token):
    return _news_pages().unsubscribe_page(visit, token)


# RFC 8058 one-click: whatever the body (mail clients post it as either type), it is not read
@pages.page("/news/unsubscribe/{token}", methods=["POST"], signed_in=False,
            content_types=[FORM, "multipart/form-data"], reads_form=False)
def product_news_unsubscribe(account, form, visit, token):
    return _news_pages().submit_unsubscribe(visit, token)
