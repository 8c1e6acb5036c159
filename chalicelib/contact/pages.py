"""The contact page: the same schema and service as the API, with per-field errors in the form."""

from chalice.app import Response

from chalicelib import errors, i18n
from chalicelib.api import validate_fields
from chalicelib.contact.schemas import ContactMessageIn
from chalicelib.contact.service import submit_contact_message
from chalicelib.forms import messages_by_field
from chalicelib.http import html
from chalicelib.i18n import N_
from chalicelib.web import render_page

FORM_FIELDS = (("name", N_("Your name"), "text"), ("email", N_("Your e-mail address"), "email"),
               ("subject", N_("Subject"), "text"), ("message", N_("Your message"), "textarea"))


def contact_page(support_address: str, *, sent=False, values=None, field_errors=None, status=200,
                 security_address: str | None = None) -> Response:
    """The form, with the support address and (P18) the address for security questions."""
    fields = [(name, i18n.gettext(label), kind) for name, label, kind in FORM_FIELDS]
    return html(render_page("pages/contact.html", fields=fields, values=values or {}, errors=field_errors or {},
                            sent=sent, support_address=support_address, security_address=security_address),
                status=status)


def submit_contact_form(form: dict, queue, support_address: str, security_address: str | None = None) -> Response:
    submitted = {k: v for k, v in form.items() if k in {f[0] for f in FORM_FIELDS}}
    try:
        message = validate_fields(ContactMessageIn, submitted)
    except errors.ValidationFailed as invalid:
        return contact_page(support_address, values=submitted, field_errors=messages_by_field(invalid), status=422,
                            security_address=security_address)
    submit_contact_message(message, i18n.current_language(), queue, support_address)
    return Response(body="", status_code=303, headers={"Location": "/contact?sent=1"})
