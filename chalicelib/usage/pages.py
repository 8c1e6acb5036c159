"""The Usage page (left navigation): this month's figures beside the plan's limits, with a bar each,
and the last twelve months as SVG charts."""

from chalicelib.accounts.account import PLAN_NAMES, Plan
from chalicelib.accounts.page_routes import Visit, render_app_page
from chalicelib.usage.charts import bar_chart
from chalicelib.usage.plans import LIMIT_NAMES, LIMITED, METER_NAMES, PLAN_LIMITS, Meter
from chalicelib.usage.service import amount

CHARTED = (Meter.RECIPIENTS, Meter.MAILS_SENT, Meter.BYTES_SENT, Meter.CAMPAIGNS, Meter.CONTACTS,
           Meter.STORAGE_BYTES, Meter.IMPORTS, Meter.CONTACTS_IMPORTED)


def usage_page(account, visit: Visit):
    usage = visit.services.usage
    figures = usage.figures(account)
    history = usage.history(account)
    limits = usage.limits(account)
    charts = [bar_chart(meter, history, limits.of(meter)) for meter in CHARTED]
    plans = [(PLAN_NAMES[plan], plan is account.plan,
              [amount(meter, PLAN_LIMITS[plan].of(meter)) for meter in LIMITED]) for plan in Plan]
    return render_app_page("pages/usage.html", account, visit, "/usage", figures=figures, charts=charts,
                           plan_name=PLAN_NAMES[account.plan], plans=plans, limited=LIMITED, limit_names=LIMIT_NAMES,
                           meter_names=METER_NAMES, over=[f for f in figures if f.over],
                           first_month=history[0][0], last_month=history[-1][0])
