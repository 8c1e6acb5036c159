"""Routes of usage: the Usage page and GET /api/v1/usage."""

from chalice import Blueprint

from chalicelib.accounts.page_routes import PageRoutes
from chalicelib.accounts.web import api_caller
from chalicelib.api import ApiRoutes
from chalicelib.composition import services
from chalicelib.usage.schemas import UsageOut

routes = Blueprint(__name__)
api = ApiRoutes(routes, api_caller(services))
pages = PageRoutes(routes, services)


@pages.page("/usage")
def usage(account, query, visit):
    from chalicelib.usage.pages import usage_page

    return usage_page(account, visit)


@api.route("/usage", "GET", summary="This month's usage beside the plan's limits, and the last twelve months",
           response=UsageOut, tags=["usage"], signed_in=True)
def api_usage(caller):
    usage = services().usage
    history = usage.history(caller.account)
    return UsageOut(plan=caller.account.plan.value, month=history[-1][0],
                    figures=[{"meter": f.meter.value, "used": f.used, "limit": f.limit}
                             for f in usage.figures(caller.account)],
                    months=[{"month": month, "figures": counts} for month, counts in history]).model_dump(mode="json")
