"""HTML forms: reading a urlencoded body, and turning a validation failure into per-field messages.

Every form passes through `parse_form`, which refuses what no field may hold: a body (or a percent
escape in it, such as %FF) that is not UTF-8, as the API refuses such a JSON body, and a control
character such as NUL in any field (chalicelib.validation). Nothing is stored as U+FFFD.

A destructive action's form carries the "Yes, I am sure" tick (`confirm_box()` in
templates/macros/forms.html); `is_confirmed` is how the server reads it (`PageRoutes.page(destructive_from=...)`).
"""

from urllib.parse import parse_qs

from chalicelib import errors, validation
from chalicelib.i18n import N_

FORM = "application/x-www-form-urlencoded"
CONFIRMED_FIELD = "confirmed"
CONFIRMED_VALUE = "yes"
NOT_CONFIRMED = N_("Tick 'Yes, I am sure' to confirm.")
NOT_UTF8 = N_("The form could not be read: it is not valid UTF-8 text. Please fill it in again in your browser.")


def parse_form(raw_body, fields=None) -> dict[str, str]:
    """The first value of each field (of `fields`, when given), as text. Raises MalformedRequest
    for a body that is not UTF-8, ValidationFailed naming each field that holds a control character."""
    try:
        body = raw_body.decode("utf-8") if isinstance(raw_body, bytes) else (raw_body or "")
        pairs = parse_qs(body, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise errors.MalformedRequest(NOT_UTF8) from None
    parsed = {name: values[0] for name, values in pairs.items()}
    chosen = {k: v for k, v in parsed.items() if fields is None or k in fields}
    validation.refuse_unstorable(chosen)
    return chosen


def messages_by_field(invalid: errors.ValidationFailed) -> dict[str, str]:
    """One translated message per field (the first), for showing beside the field."""
    by_field = {}
    for error in invalid.field_errors:
        by_field.setdefault(error.field, errors.message_text(error))
    return by_field


def is_confirmed(form: dict) -> bool:
    """Whether a destructive action's form came with its "Yes, I am sure" tick."""
    return form.get(CONFIRMED_FIELD) == CONFIRMED_VALUE
