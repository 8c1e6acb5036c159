"""Routes of partner statistics (P12): staff pages only (`staff=True`: a 404 for anyone else)."""

from chalice import Blueprint

from chalicelib.accounts.page_routes import PageRoutes
from chalicelib.composition import services

routes = Blueprint(__name__)
pages = PageRoutes(routes, services)
api = None  # no /api/v1 operations: staff tools are pages


@pages.page("/staff/partner-statistics", staff=True)
def partner_statistics(account, query, visit):
    from chalicelib.partner_statistics.pages import statistics_page

    return statistics_page(account, visit)


@pages.page("/staff/partner-statistics/{export}/{fmt}", staff=True)
def partner_statistics_download(account, query, visit, export, fmt):
    from chalicelib.partner_statistics.pages import download

    return download(account, visit, export, fmt)
