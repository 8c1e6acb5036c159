"""The custom fields page: the account's typed contact fields, a form for a new one, deleting one."""

from chalice.app import Response

from chalicelib import errors, i18n, services
from chalicelib.accounts.pages import _app_page, redirect, require_active, signed_in_form
from chalicelib.audience.custom_fields import FIELD_TYPE_NAMES, FieldType
from chalicelib.forms import messages_by_field
from chalicelib.i18n import N_

NOTICES = {"created": N_("The field is added."), "deleted": N_("The field is deleted. Contacts keep their values.")}


def fields_page(request, values=None, field_errors=None, status=200) -> Response:
    account, session = require_active(request)
    notice_key = (request.query_params or {}).get("notice")
    return _app_page("pages/fields.html", account, session, "/fields", status=status,
                     fields=services.custom_fields().fields(account), type_names=FIELD_TYPE_NAMES,
                     type_options=[(t.value, i18n.gettext(FIELD_TYPE_NAMES[t])) for t in FieldType],
                     values=values or {"field_type": FieldType.TEXT.value}, errors=field_errors or {},
                     notice=i18n.gettext(NOTICES[notice_key]) if notice_key in NOTICES else None)


def submit_field(request) -> Response:
    account, form = signed_in_form(request)
    try:
        services.custom_fields().create(account, form.get("label", ""), form.get("field_type", ""))
    except errors.ValidationFailed as invalid:
        return fields_page(request, form, messages_by_field(invalid), status=422)
    return redirect("/fields?notice=created")


def submit_field_deletion(request, key: str) -> Response:
    account, _ = signed_in_form(request)
    services.custom_fields().delete(account, key)
    return redirect("/fields?notice=deleted")
