"""The pages of a CSV import: upload (straight to S3), mapping with the lawful basis, progress, report."""

from urllib.parse import urlsplit

from chalice.app import Response

from chalicelib import errors, i18n
from chalicelib.accounts.page_routes import Visit, redirect, render_app_page
from chalicelib.audience.csv_import import (EMAIL, FIRST_NAME, FULL_NAME, LANGUAGE, LAST_NAME, LAST_NAME_PREFIX,
                                            TAGS, field_name)
from chalicelib.audience.imports import ImportStatus
from chalicelib.forms import messages_by_field
from chalicelib.http import CONTENT_SECURITY_POLICY
from chalicelib.i18n import N_
from chalicelib.scanning import RETRY_AFTER_S, ScanPending

TARGETS = ((EMAIL, N_("E-mail address")), (FIRST_NAME, N_("First name")), (LAST_NAME, N_("Last name")),
           (LAST_NAME_PREFIX, N_("Last name prefix (van, de)")), (FULL_NAME, N_("Full name")),
           (LANGUAGE, N_("Language")), (TAGS, N_("Tags")))
REFRESH_WHILE = (ImportStatus.QUEUED, ImportStatus.RUNNING)


def _form_posting_to(origin: str) -> str:
    """The page's policy, letting its one form post the file to S3."""
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {origin}")


def new_import_page(account, visit: Visit, list_id: str) -> Response:
    audience_list = visit.services.audience_service.get_list(account, list_id)
    imported, upload = visit.services.contact_imports.begin(account, list_id)
    target = urlsplit(upload["url"])
    response = render_app_page("pages/import_upload.html", account, visit, "/lists", audience_list=audience_list,
                               upload=upload, imported=imported,
                               earlier=[i for i in visit.services.contact_imports.of_list(account, list_id)
                                        if i.status is not ImportStatus.WAITING_FOR_FILE])
    response.headers["Content-Security-Policy"] = _form_posting_to(f"{target.scheme}://{target.netloc}")
    return response


def uploaded(account, visit: Visit, list_id: str, import_id: str) -> Response:
    try:
        visit.services.contact_imports.file_received(account, import_id)
    except ScanPending as pending:  # this page comes back by itself once the scanner has judged the file
        return render_app_page("pages/upload_checking.html", account, visit, "/lists", status=pending.status,
                               retry_after_s=RETRY_AFTER_S, back=f"/lists/{list_id}/imports")
    return redirect(f"/lists/{list_id}/imports/{import_id}")


def _column_choices(header: str, current: str | None):
    choices = [("", N_("Do not import"))] + list(TARGETS)
    custom = f"field:{field_name(header)}" if field_name(header) else None
    if custom:
        # translated here, with its name in it (the page translates the fixed choices)
        choices.append((custom, i18n.gettext(N_("Custom field: %(name)s")) % {"name": custom.removeprefix("field:")}))
    if current and current not in {code for code, _ in choices}:
        choices.append((current, current))  # a target the suggestion found (consent evidence, attributes...)
    return choices


def import_page(account, visit: Visit, list_id: str, import_id: str, values=None, field_errors=None,
                status=200) -> Response:
    audience_list = visit.services.audience_service.get_list(account, list_id)
    imported = visit.services.contact_imports.get(account, import_id)
    if imported.list_id != list_id:
        raise errors.NotFound(N_("There is no such import in your account."))
    mapping = dict(imported.mapping or {})
    if values:
        mapping = {key.removeprefix("column_"): value for key, value in values.items() if key.startswith("column_")}
    columns = [(index, header, _column_choices(header, mapping.get(str(index))), mapping.get(str(index), ""))
               for index, header in enumerate(imported.headers or [])]
    return render_app_page("pages/import.html", account, visit, "/lists", status=status, audience_list=audience_list,
                           imported=imported, columns=columns, values=values or {}, errors=field_errors or {},
                           refresh=imported.status in REFRESH_WHILE, statuses=ImportStatus)


def submit_import(account, form: dict, visit: Visit, list_id: str, import_id: str) -> Response:
    mapping = {key.removeprefix("column_"): value for key, value in form.items() if key.startswith("column_")}
    try:
        visit.services.contact_imports.start(account, import_id, mapping, form.get("declared") == "on",
                                         form.get("lawful_basis", ""), visit.ip, visit.user_agent)
    except errors.ValidationFailed as invalid:
        return import_page(account, visit, list_id, import_id, form, messages_by_field(invalid), status=422)
    return redirect(f"/lists/{list_id}/imports/{import_id}")


def import_report(account, visit: Visit, list_id: str, import_id: str) -> Response:
    return redirect(visit.services.contact_imports.report_url(account, import_id))
