"""Custom fields: typed contact fields an account defines itself (text, number, date, yes/no).

A field's key follows from its label (`csv_import.field_name`: "Geboortedatum" -> "geboortedatum"),
so a CSV column with the same header lands in it. Values are kept on the contact item's `fields`:
text as text, numbers as JSON numbers, dates as ISO text ("2024-03-01"), yes/no as booleans.
Keys nobody defined stay text.

What people type is read the way Dutch and English users write it (`coerce`):

* numbers: "12", "-3", "12,50", "12.50", "1.234,00", "1,234.00", "1.234.567", "1 234,5".
  The rule: when both "," and "." occur, the LAST of them is the decimal separator and the other
  one groups thousands (groups of exactly three digits). When only one of them occurs, once, it is
  the decimal separator, whichever it is ("1,5" and "1.5" are both one and a half; so "1.234" is
  1.234, not 1234: write "1234" or "1.234,00" for a thousand and more). When one of them occurs
  more than once, it groups thousands ("1.234.567" and "1,234,567").
* dates: YYYY-MM-DD, DD-MM-YYYY and DD/MM/YYYY (day and month may have one digit); always day
  before month, as in the Netherlands.
* yes/no: yes, no, true, false, 1, 0, ja, nee, waar, onwaar (any case).
"""

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from enum import Enum

from chalicelib import errors
from chalicelib.audience.csv_import import field_name
from chalicelib.i18n import N_
from chalicelib.observability import logger
from chalicelib.dynamo import conditional_check_failed

MAX_FIELDS = 50  # per account
MAX_LABEL = 100


class FieldType(str, Enum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"


FIELD_TYPE_NAMES = {FieldType.TEXT: N_("Text"), FieldType.NUMBER: N_("Number"), FieldType.DATE: N_("Date"),
                    FieldType.BOOLEAN: N_("Yes/no")}
NOT_A_NUMBER = N_("Enter a number, such as 12, 12,50 or 1.234,00.")
NOT_A_DATE = N_("Enter a date as DD-MM-YYYY, DD/MM/YYYY or YYYY-MM-DD.")
NOT_YES_OR_NO = N_("Enter yes or no (ja or nee).")
NOT_TEXT = N_("Enter text.")
TRUE_WORDS = frozenset({"yes", "true", "1", "ja", "waar", "y", "j"})
FALSE_WORDS = frozenset({"no", "false", "0", "nee", "onwaar", "n"})

_SIGN_AND_DIGITS = re.compile(r"[+-]?[0-9.,]+")
_GROUPED = re.compile(r"[0-9]{1,3}(?:x[0-9]{3})+")  # thousands groups, with x standing for the separator
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DUTCH_DATE = re.compile(r"([0-9]{1,2})([-/])([0-9]{1,2})\2([0-9]{4})")
_SPACES = re.compile(r"[\s\u00a0\u202f']")  # also the (narrow) no-break space and the Swiss apostrophe


@dataclass
class CustomField:
    key: str
    label: str
    field_type: FieldType
    created_at: datetime


class InvalidValue(ValueError):
    """A value that does not fit its field's type; `message` says what would."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- reading values ----------------------------------------------------------------------------------

def _number(text: str):
    compact = _SPACES.sub("", text)
    if not _SIGN_AND_DIGITS.fullmatch(compact):
        raise InvalidValue(NOT_A_NUMBER)
    sign = "-" if compact[0] == "-" else ""
    digits = compact[1:] if compact[0] in "+-" else compact
    commas, dots = digits.count(","), digits.count(".")
    if commas and dots:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        whole, _, fraction = digits.rpartition(decimal_mark)
        if decimal_mark in whole or not _GROUPED.fullmatch(whole.replace(group_mark, "x")):
            raise InvalidValue(NOT_A_NUMBER)
        whole = whole.replace(group_mark, "")
    elif commas + dots == 1:
        whole, _, fraction = digits.partition("," if commas else ".")
    elif commas or dots:  # one mark, several times: thousands groups
        mark = "," if commas else "."
        if not _GROUPED.fullmatch(digits.replace(mark, "x")):
            raise InvalidValue(NOT_A_NUMBER)
        whole, fraction = digits.replace(mark, ""), ""
    else:
        whole, fraction = digits, ""
    if not (whole or fraction) or not (whole + fraction).isdigit():
        raise InvalidValue(NOT_A_NUMBER)
    try:
        value = Decimal(f"{sign}{whole or '0'}.{fraction or '0'}")
    except InvalidOperation:
        raise InvalidValue(NOT_A_NUMBER) from None
    return int(value) if value == value.to_integral_value() else float(value)


def _date(text: str) -> str:
    iso, dutch = _ISO_DATE.fullmatch(text), _DUTCH_DATE.fullmatch(text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif dutch:
        day, month, year = int(dutch.group(1)), int(dutch.group(3)), int(dutch.group(4))
    else:
        raise InvalidValue(NOT_A_DATE)
    try:
        return date(year, month, day).isoformat()
    except ValueError:  # 31-02-2024 and the like
        raise InvalidValue(NOT_A_DATE) from None


def _boolean(text: str) -> bool:
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise InvalidValue(NOT_YES_OR_NO)


def coerce(field_type: FieldType, raw):
    """A typed field's value from what someone typed (or sent as JSON); None for an empty value.
    Raises InvalidValue when it does not fit."""
    field_type = FieldType(field_type)
    if raw is None:
        return None
    if field_type is FieldType.BOOLEAN and isinstance(raw, bool):
        return raw
    if field_type is FieldType.NUMBER and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if not math.isfinite(raw):
            raise InvalidValue(NOT_A_NUMBER)
        return raw
    if not isinstance(raw, str):
        raise InvalidValue({FieldType.TEXT: NOT_TEXT, FieldType.NUMBER: NOT_A_NUMBER, FieldType.DATE: NOT_A_DATE,
                            FieldType.BOOLEAN: NOT_YES_OR_NO}[field_type])
    text = raw.strip()
    if not text:
        return None
    if field_type is FieldType.NUMBER:
        return _number(text)
    if field_type is FieldType.DATE:
        return _date(text)
    if field_type is FieldType.BOOLEAN:
        return _boolean(text)
    return text


def coerce_fields(definitions, fields: dict | None) -> dict:
    """A contact's fields from a page or the API: defined fields typed, others kept as text. A
    value that does not fit refuses the whole request, with a message per field."""
    clean, problems = typed_fields(definitions, fields or {})
    if problems:
        raise errors.ValidationFailed(field_errors=[errors.FieldError(f"fields.{key}", message)
                                                    for key, message in problems])
    return clean


def typed_fields(definitions, fields: dict) -> tuple[dict, list[tuple[str, str]]]:
    """For imports: defined fields typed, values that do not fit left out; returns the clean fields
    and (key, message id) for each value left out."""
    types = {d.key: d.field_type for d in definitions}
    clean, problems = {}, []
    for key, raw in fields.items():
        if key not in types:
            clean[key] = raw
            continue
        try:
            value = coerce(types[key], raw)
        except InvalidValue as invalid:
            problems.append((key, invalid.message))
            continue
        if value is not None:
            clean[key] = value
    return clean, problems


# --- storage -----------------------------------------------------------------------------------------

class DynamoCustomFields:
    """Field definitions in the audience table (sk FIELD#<key>), next to the contacts that use them."""

    def __init__(self, audience_models):
        self._m = audience_models.CustomFieldModel

    def custom_fields(self, account_id: str) -> list[CustomField]:
        items = self._m.query(f"ACCOUNT#{account_id}", self._m.sk.startswith("FIELD#"), consistent_read=True)
        return sorted((CustomField(i.key, i.label, FieldType(i.field_type), i.created_at) for i in items),
                      key=lambda f: f.created_at)

    def add_custom_field(self, account_id: str, custom_field: CustomField) -> bool:
        """False when the account has a field with this key already."""
        from pynamodb.exceptions import PutError

        try:
            self._m(pk=f"ACCOUNT#{account_id}", sk=f"FIELD#{custom_field.key}", key=custom_field.key,
                    label=custom_field.label, field_type=custom_field.field_type.value,
                    created_at=custom_field.created_at).save(condition=self._m.sk.does_not_exist())
        except PutError as taken:
            if conditional_check_failed(taken):
                return False
            raise
        return True

    def delete_custom_field(self, account_id: str, key: str) -> bool:
        """False when there was no such field."""
        from pynamodb.exceptions import DeleteError

        try:
            self._m(pk=f"ACCOUNT#{account_id}", sk=f"FIELD#{key}").delete(condition=self._m.sk.exists())
        except DeleteError as missing:
            if conditional_check_failed(missing):
                return False
            raise
        return True


class CustomFieldNotFound(errors.NotFound):
    default_message = N_("There is no such field in your account.")


class CustomFieldService:
    def __init__(self, store: DynamoCustomFields):
        self._store = store

    def definitions(self, account_id: str) -> list[CustomField]:
        return self._store.custom_fields(account_id)

    def fields(self, account) -> list[CustomField]:
        return self._store.custom_fields(account.account_id)

    def create(self, account, label: str, field_type) -> CustomField:
        label = (label or "").strip()
        key = field_name(label)
        field_errors = []
        if not label or len(label) > MAX_LABEL:
            field_errors.append(errors.FieldError("label", N_("Give the field a name of 1 to 100 characters.")))
        elif not key:
            field_errors.append(errors.FieldError("label", N_("Use at least one letter or digit in the name.")))
        elif len(self._store.custom_fields(account.account_id)) >= MAX_FIELDS:
            field_errors.append(errors.FieldError("label", N_(
                "An account has at most 50 fields. Delete one you no longer use first.")))
        if field_type not in {t.value for t in FieldType}:
            field_errors.append(errors.FieldError("field_type", N_("Choose a type.")))
        if field_errors:
            raise errors.ValidationFailed(field_errors=field_errors)
        custom_field = CustomField(key, label, FieldType(field_type), datetime.now(timezone.utc))
        if not self._store.add_custom_field(account.account_id, custom_field):
            raise errors.ValidationFailed(field_errors=[errors.FieldError(
                "label", N_("You have a field with this name already."))])
        logger.info("custom field created", field_type=custom_field.field_type.value)
        return custom_field

    def delete(self, account, key: str) -> None:
        """The definition goes; values contacts have keep, as text the segments still read."""
        if not self._store.delete_custom_field(account.account_id, key):
            raise CustomFieldNotFound()
