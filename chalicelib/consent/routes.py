"""Routes of cookie consent (P9): the cookie settings page and the one place a choice is posted to."""

from chalice import Blueprint

from chalicelib.accounts.page_routes import PageRoutes
from chalicelib.composition import services

routes = Blueprint(__name__)
api = None  # no /api/v1 operations: a cookie choice belongs to a browser, not to an API client
pages = PageRoutes(routes, services)


@pages.page("/cookies", signed_in=False)
def cookie_settings(account, query, visit):
    from chalicelib.consent.pages import cookies_page

    return cookies_page(visit, saved=query.get("saved") == "1")


@pages.page("/consent", methods=["POST"], signed_in=False)
def consent_choice(account, form, visit):
    from chalicelib.consent.pages import submit_choice

    return submit_choice(form, visit)
