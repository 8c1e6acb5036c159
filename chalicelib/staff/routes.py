"""Routes of the staff area. Every staff page is registered with `staff=True`: an account without
the staff flag gets a 404, as if the page did not exist. Each domain with a staff tool registers
its own staff pages on its own blueprint and adds a link to `pages/staff/index.html`."""

from chalice import Blueprint

from chalicelib.accounts.page_routes import PageRoutes, render_app_page
from chalicelib.composition import services

routes = Blueprint(__name__)
pages = PageRoutes(routes, services)
api = None  # no /api/v1 operations: staff tools are pages


@pages.page("/staff", staff=True)
def staff_overview(account, query, visit):
    return render_app_page("pages/staff/index.html", account, visit, current="/staff")
