"""Routes of first-party analytics (P2, P14): the beacon's endpoint and the staff dashboard."""

from chalice import Blueprint

from chalicelib.accounts.page_routes import PageRoutes
from chalicelib.composition import services

routes = Blueprint(__name__)
pages = PageRoutes(routes, services)
api = None  # no /api/v1 operations: the beacon is for the site's own pages, the dashboard for staff


@routes.route("/t/p", methods=["POST"], content_types=["text/plain", "application/json"])
def page_view():
    """One page view from `static/beacon.js`; the WAF's tight per-address rule on /t/ covers it."""
    from chalicelib.analytics.beacon import answer_beacon

    return answer_beacon(routes.current_request, services())


@pages.page("/staff/analytics", staff=True)
def analytics_dashboard(account, query, visit):
    from chalicelib.analytics.pages import dashboard_page

    return dashboard_page(account, visit)
