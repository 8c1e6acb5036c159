"""Conventions of the HTML pages, as `ApiRoutes` is for /api/v1.

`PageRoutes.page` registers a Chalice route on a domain's blueprint and does once what every page
needs: for a signed-in page it finds the signed-in account (not signed in: to the login page;
deactivated: to /reactivate, both through the HTTP middleware), for a form post it parses the form
once and checks the session's CSRF token, and it calls the handler with
`(account, form, visit, **path_params)`. `form` is the posted form, or on a GET the query
parameters; `visit` carries the rest a page may need (client IP, browser, the CSRF token to
render, cookies). Public pages (sign-up, log-in, the subscribers' /f/ and /u/ pages) use the same
decorator with `signed_in=False`, and get `account=None`. Staff pages (`staff=True`) answer 404 to
any account without the staff flag (set only from the command line, `make staff`), as if they did
not exist.
"""

import functools
from dataclasses import dataclass

from chalice.app import Response

from chalicelib import errors
from chalicelib.errors import AccountDeactivated
from chalicelib.forms import FORM, parse_form
from chalicelib.http import SAFE_METHODS, client_ip, html
from chalicelib.i18n import N_

APP_NAVIGATION = (("/app", N_("Overview")), ("/news", N_("News")), ("/campaigns", N_("Campaigns")), ("/templates", N_("Templates")),
                  ("/images", N_("Images")), ("/lists", N_("Lists")), ("/contacts", N_("Contacts")),
                  ("/fields", N_("Fields")),
                  ("/suppression", N_("Suppression list")), ("/domains", N_("Sending domains")),
                  ("/usage", N_("Usage")),
                  ("/settings", N_("Settings & Options")))
# Shown after the account's own pages, to staff only.
STAFF_NAVIGATION = (("/staff", N_("Staff")),)


@dataclass(frozen=True)
class Visit:
    """One request to a page, beside its account and form: what else the page may use."""

    request: object  # the Chalice request, for the rare page that needs more (remember-me cookies)
    services: object  # the app's services (`chalicelib.composition.Services`), or fakes in a test
    session: object | None  # the signed-in session; None on a public page
    query: dict
    ip: str | None
    user_agent: str | None

    @property
    def csrf_token(self) -> str | None:
        return self.session.csrf_token if self.session is not None else None

    def cookie(self, name: str) -> str | None:
        from chalicelib.http import cookies

        return cookies(self.request).get(name)

    def queue_cookie(self, cookie: str) -> None:
        """A cookie to set on whatever response this request gets."""
        from chalicelib.http import queue_cookie

        queue_cookie(self.request, cookie)


class PageRoutes:
    """The HTML pages of one domain, on its Chalice blueprint."""

    def __init__(self, blueprint, services):
        """`services()` gives the services the pages use (the composition root's, in the app)."""
        self._blueprint = blueprint
        self._services = services

    def page(self, path: str, methods=("GET",), *, signed_in: bool = True, allow_deactivated: bool = False,
             staff: bool = False, content_types=None, reads_form: bool = True, only: dict | None = None):
        """Register a page. `signed_in` pages need an active, signed-in account (`allow_deactivated`
        lets a deactivated one in too); their form posts need the session's CSRF token.
        `reads_form=False` leaves a post's body unread; `only={"param": values}` answers 404 for
        any other value of that path parameter, before anything else. `staff=True`: only for staff."""
        if staff and not signed_in:
            raise ValueError("a staff page is a signed-in page")
        changes_state = any(method.upper() not in SAFE_METHODS for method in methods)
        if content_types is None and changes_state:
            content_types = [FORM]

        def register(handler):
            @functools.wraps(handler)
            def visit_page(**path_params):
                for name, allowed in (only or {}).items():
                    if path_params[name] not in allowed:
                        raise errors.NotFound()
                request = self._blueprint.current_request
                services = self._services()
                account, session = (_caller(request, allow_deactivated, services.account_service) if signed_in
                                    else (None, None))
                if staff and not account.staff:
                    raise errors.NotFound()
                query = request.query_params or {}
                if request.method.upper() in SAFE_METHODS:
                    form = query
                else:
                    form = parse_form(request.raw_body) if reads_form else {}
                    if signed_in:
                        from chalicelib.accounts.web import check_csrf

                        check_csrf(request, session, form)
                visit = Visit(request=request, services=services, session=session, query=query, ip=client_ip(request),
                              user_agent=request.headers.get("user-agent"))
                return handler(account, form, visit, **path_params)

            route_options = {"content_types": list(content_types)} if content_types else {}
            self._blueprint.route(path, methods=list(methods), **route_options)(visit_page)
            return visit_page

        return register


def _caller(request, allow_deactivated: bool, account_service):
    from chalicelib.accounts.web import require_signed_in

    account, session = require_signed_in(request, account_service)
    if not account.active and not allow_deactivated:
        raise AccountDeactivated()
    return account, session


def require_active(account) -> None:
    """For a page that lets a deactivated account in but shows it something only active ones see."""
    if not account.active:
        raise AccountDeactivated()


def render_app_page(template: str, account, visit: Visit, current: str, status: int = 200, *,
                    unread_news: int | None = None, **context) -> Response:
    """A page of the signed-in application: its navigation, with `current` marked and the number of
    unread news entries beside "News" (`unread_news`, when the page knows it already)."""
    from chalicelib.web import render_page

    navigation = APP_NAVIGATION + STAFF_NAVIGATION if account is not None and account.staff else APP_NAVIGATION
    if unread_news is None:
        unread_news = visit.services.unread_news(account) if account is not None else 0
    banners = visit.services.page_banners(account) if account is not None else []  # after the count: same read
    return html(render_page(template, account=account, csrf_token=visit.csrf_token, navigation=navigation,
                            current=current, signed_in=True, banners=banners,
                            navigation_counts={"/news": unread_news} if unread_news else {}, **context),
                status=status)


def redirect(location: str) -> Response:
    """See other: where a form post sends the browser next."""
    return Response(body="", status_code=303, headers={"Location": location})
