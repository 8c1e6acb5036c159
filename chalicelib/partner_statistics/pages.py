"""The staff page of partner statistics: what each export holds, its CSV and JSON downloads."""

from chalice.app import Response

from chalicelib import errors
from chalicelib.accounts.page_routes import Visit, render_app_page
from chalicelib.i18n import N_
from chalicelib.partner_statistics.aggregation import EXPORTS, K
from chalicelib.partner_statistics.formats import FORMATS
from chalicelib.partner_statistics.service import ExportTooLarge

TITLES = {  # what the page shows; the export's name stays in the download address and file name
    "accounts-by-plan": N_("Accounts per plan"),
    "accounts-by-region": N_("Accounts per region"),
    "mailings-by-month": N_("Mailings per month"),
    "rates-by-plan": N_("Rates per plan"),
}
DESCRIPTIONS = {
    "accounts-by-plan": N_("Accounts per plan."),
    "accounts-by-region": N_("Accounts per region (the country of the account)."),
    "mailings-by-month": N_("Campaigns started and mails sent, per calendar month (UTC)."),
    "rates-by-plan": N_("Delivery, bounce and open rates of campaign mail, per plan. An open rate is shown only "
                        "where enough accounts counted opens."),
}


def statistics_page(account, visit: Visit, problem: str | None = None, status: int = 200) -> Response:
    exports = [(name, TITLES[name], DESCRIPTIONS[name]) for name in EXPORTS]
    return render_app_page("pages/staff/partner_statistics.html", account, visit, current="/staff", status=status,
                           exports=exports, formats=tuple(FORMATS), k=K, problem=problem)


def download(account, visit: Visit, export: str, fmt: str) -> Response:
    try:
        found = visit.services.partner_statistics.export(account, export, fmt, visit.ip)
    except ExportTooLarge as too_large:
        return statistics_page(account, visit, problem=errors.message_text(too_large), status=too_large.status)
    return Response(body=found.body, status_code=200, headers={
        "Content-Type": found.content_type, "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{found.filename}"'})
