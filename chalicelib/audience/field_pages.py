"""The custom fields page: the account's typed contact fields, a form for a new one, deleting one."""

from chalice.app import Response

from chalicelib import errors, i18n
from chalicelib.accounts.page_routes import Visit, redirect, render_app_page
from chalicelib.audience.custom_fields import FIELD_TYPE_NAMES, FieldType
from chalicelib.forms import messages_by_field
from chalicelib.i18n import N_

NOTICES = {"created": N_("The field is added."), "deleted": N_("The field is deleted. Contacts keep their values.")}


def fields_page(account, visit: Visit, values=None, field_errors=None, status=200) -> Response:
    notice_key = visit.query.get("notice")
    return render_app_page("pages/fields.html", account, visit, "/fields", status=status,
                           fields=visit.services.custom_fields.fields(account), type_names=FIELD_TYPE_NAMES,
                           type_options=[(t.value, i18n.gettext(FIELD_TYPE_NAMES[t])) for t in FieldType],
                           values=values or {"field_type": FieldType.TEXT.value}, errors=field_errors or {},
                           notice=i18n.gettext(NOTICES[notice_key]) if notice_key in NOTICES else None)


def submit_field(account, form: dict, visit: Visit) -> Response:
    try:
        visit.services.custom_fields.create(account, form.get("label", ""), form.get("field_type", ""))
    except errors.ValidationFailed as invalid:
        return fields_page(account, visit, form, messages_by_field(invalid), status=422)
    return redirect("/fields?notice=created")


def submit_field_deletion(account, visit: Visit, key: str) -> Response:
    visit.services.custom_fields.delete(account, key)
    return redirect("/fields?notice=deleted")
