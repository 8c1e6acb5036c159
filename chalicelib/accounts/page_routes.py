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
not exist. A destructive action (`destructive_from="<page>"`: delete, erase, cancel...) runs only
with its form's "Yes, I am sure" tick; without it nothing changes and the page the form is on comes
back (422) with the request to tick it at the top.
"""

import functools
import string
from dataclasses import dataclass, replace

from chalice.app import Response

from chalicelib import errors, i18n
from chalicelib.errors import AccountDeactivated
from chalicelib.forms import FORM, NOT_CONFIRMED, is_confirmed, parse_form
from chalicelib.http import SAFE_METHODS, client_ip, html
from chalicelib.i18n import N_
from chalicelib.observability import logger

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
    refusal: str | None = None  # shown at the top of an app page: why the action just posted did nothing

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
        self._shown_pages = {}  # path -> handler of each GET page, to show one again after a refusal

    def page(self, path: str, methods=("GET",), *, signed_in: bool = True, allow_deactivated: bool = False,
             staff: bool = False, content_types=None, reads_form: bool = True, only: dict | None = None,
             destructive_from: str | None = None):
        """Register a page. `signed_in` pages need an active, signed-in account (`allow_deactivated`
        lets a deactivated one in too); their form posts need the session's CSRF token.
        `reads_form=False` leaves a post's body unread; `only={"param": values}` answers 404 for
        any other value of that path parameter, before anything else. `staff=True`: only for staff.
        `destructive_from="/things/{thing_id}"`: a destructive post from that page (of these routes,
        its parameters among this route's), which runs only with the form's "Yes, I am sure" tick."""
        if staff and not signed_in:
            raise ValueError("a staff page is a signed-in page")
        changes_state = any(method.upper() not in SAFE_METHODS for method in methods)
        if destructive_from is not None and not (changes_state and signed_in and reads_form):
            raise ValueError("a destructive action is a signed-in form post")
        if destructive_from is not None and not set(_parameters(destructive_from)) <= set(_parameters(path)):
            raise ValueError(f"{destructive_from} needs a parameter {path} does not have")
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
                if destructive_from is not None and not is_confirmed(form):
                    return self._ask_again(destructive_from, account, visit, path_params)
                return handler(account, form, visit, **path_params)

            route_options = {"content_types": list(content_types)} if content_types else {}
            self._blueprint.route(path, methods=list(methods), **route_options)(visit_page)
            if "GET" in (method.upper() for method in methods):
                self._shown_pages[path] = handler
            visit_page.destructive_from = destructive_from  # read by tests/unit/test_destructive_actions_ask_first.py
            return visit_page

        return register

    def _ask_again(self, page_path: str, account, visit: Visit, path_params: dict) -> Response:
        """A destructive post without its tick: nothing is done; the page its form is on, once more
        (first page, no notice), with the request to tick at the top."""
        logger.info("destructive action not confirmed", page=page_path)
        shown = self._shown_pages[page_path](account, {}, replace(visit, query={}, refusal=i18n.gettext(NOT_CONFIRMED)),
                                             **{name: path_params[name] for name in _parameters(page_path)})
        if shown.status_code == 200:
            shown.status_code = errors.ValidationFailed.status
        return shown


def _parameters(path: str) -> list[str]:
    """The names of a route path's parameters: "/lists/{list_id}" -> ["list_id"]."""
    return [name for _, name, _, _ in string.Formatter().parse(path) if name]


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
                            current=current, signed_in=True, banners=banners, refusal=visit.refusal,
                            navigation_counts={"/news": unread_news} if unread_news else {}, **context),
                status=status)


def redirect(location: str) -> Response:
    """See other: where a form post sends the browser next."""
    return Response(body="", status_code=303, headers={"Location": location})
