"""HTML forms: reading a urlencoded body, and turning a validation failure into per-field messages.

Every form passes through `parse_form`, which refuses what no field may hold: a control character
such as NUL in any field (chalicelib.validation).
"""

from urllib.parse import parse_qs

from chalicelib import errors, i18n, validation

FORM = "application/x-www-form-urlencoded"


def parse_form(raw_body, fields=None) -> dict[str, str]:
    """The first value of each field (of `fields`, when given), as text. Raises ValidationFailed
    naming each field that holds a control character."""
    body = raw_body.decode("utf-8", "replace") if isinstance(raw_body, bytes) else (raw_body or "")
    parsed = {name: values[0] for name, values in parse_qs(body, keep_blank_values=True).items()}
    chosen = {k: v for k, v in parsed.items() if fields is None or k in fields}
    validation.refuse_unstorable(chosen)
    return chosen


def messages_by_field(invalid: errors.ValidationFailed) -> dict[str, str]:
    """One translated message per field (the first), for showing beside the field."""
    by_field = {}
    for error in invalid.field_errors:
        text = i18n.gettext(error.message)
        by_field.setdefault(error.field, text % dict(error.params) if error.params else text)
    return by_field
