"""Validators shared by every schema: e-mail addresses, phone numbers, countries, web addresses,
and the text every request may carry at all.

Well-kept libraries do the work (email-validator, phonenumbers, iso3166); each raises ValueError
with a message id, which the API and the pages translate.

No text we store may hold a C0 control character (NUL, escape, bell...) other than tab, line feed
and carriage return: `unstorable_fields` finds them in a whole JSON body, form or query at once,
so the one place each kind of input is read refuses them (api.parse_body, forms.parse_form, the
HTTP middleware for query and path parameters), never field by field.
"""

import re
from urllib.parse import urlsplit

from chalicelib.i18n import N_

DUTCH_POSTCODE = re.compile(r"^([1-9][0-9]{3})\s?([A-Za-z]{2})$")
KVK_NUMBER = re.compile(r"^[0-9]{8}$")
VAT_NUMBER = re.compile(r"^[A-Z]{2}[0-9A-Z+*.]{2,12}$")
# C0 control characters but tab, line feed and carriage return (multi-line text keeps those)
UNSTORABLE_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
UNSTORABLE_TEXT = N_("This text contains a control character (such as a NUL byte) that cannot be stored. "
                     "Remove it and try again.")


def unstorable_fields(value) -> list[str]:
    """The dotted location ("name", "fields.city", "tags.1") of every text in `value` (nested dicts
    and lists, as parsed from JSON or a form) holding a control character; a key that holds one is
    reported at its dict's location. Iterative: a deeply nested body cannot exhaust the stack."""
    found, pending = [], [((), value)]
    while pending:
        location, item = pending.pop()
        if isinstance(item, str):
            if UNSTORABLE_CHARACTER.search(item):
                found.append(".".join(map(str, location)) or "body")
        elif isinstance(item, dict):
            children = []
            for key, child in item.items():
                if isinstance(key, str) and UNSTORABLE_CHARACTER.search(key):
                    found.append(".".join(map(str, location)) or "body")  # never the key itself
                else:
                    children.append(((*location, key), child))
            pending += reversed(children)
        elif isinstance(item, list):
            pending += reversed([((*location, index), child) for index, child in enumerate(item)])
    return found


def refuse_unstorable(value) -> None:
    """Raise ValidationFailed naming each field of `value` that holds a control character."""
    from chalicelib import errors

    fields = list(dict.fromkeys(unstorable_fields(value)))
    if fields:
        raise errors.ValidationFailed(field_errors=[errors.FieldError(field, UNSTORABLE_TEXT) for field in fields])


def normalised_email(value: str) -> str:
    """Syntax check and normalisation only: no DNS lookups (fast, and no network in tests)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValueError(N_("Enter a valid e-mail address, like name@example.nl.")) from None


def address_key(email: str) -> str:
    """The form under which an address is unique: normalised, and compared case-insensitively."""
    return normalised_email(email).lower()


def e164_phone(value: str, country: str | None) -> str:
    import phonenumbers

    try:
        number = phonenumbers.parse(value, country or "NL")
    except phonenumbers.NumberParseException:
        raise ValueError(N_("Enter a phone number, like 020 123 4567 or +31 20 123 4567.")) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(N_("This phone number does not exist. Check the digits and the country code."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def iso_country(value: str) -> str:
    import iso3166

    code = value.strip().upper()
    if code not in iso3166.countries_by_alpha2:
        raise ValueError(N_("Choose a country from the list."))
    return code


def country_choices() -> list[tuple[str, str]]:
    """(code, name) of every country, named and sorted in the current language (Babel's CLDR names)."""
    import unicodedata

    import iso3166

    from chalicelib.formatting import country_name

    named = [(c.alpha2, country_name(c.alpha2) if country_name(c.alpha2) != c.alpha2 else c.name)
             for c in iso3166.countries]
    return sorted(named, key=lambda pair: unicodedata.normalize("NFKD", pair[1]).casefold())


def postcode_for(country: str, value: str) -> str:
    value = " ".join(value.split())
    if country == "NL":
        match = DUTCH_POSTCODE.match(value)
        if not match:
            raise ValueError(N_("Enter a Dutch postcode, like 1234 AB."))
        return f"{match.group(1)} {match.group(2).upper()}"
    if not 2 <= len(value) <= 12:
        raise ValueError(N_("Enter the postcode."))
    return value


def kvk_number(value: str) -> str:
    digits = value.replace(" ", "").replace(".", "")
    if not KVK_NUMBER.match(digits):
        raise ValueError(N_("A Chamber of Commerce (KvK) number has 8 digits."))
    return digits


def vat_number(value: str) -> str:
    compact = re.sub(r"[\s.\-]", "", value).upper()
    if not VAT_NUMBER.match(compact):
        raise ValueError(N_("Enter the VAT number with its country prefix, like NL123456789B01."))
    return compact


def website(value: str) -> str:
    candidate = value.strip()
    if "://" not in candidate:
        candidate = "https://" + candidate
    parts = urlsplit(candidate)
    if parts.scheme not in ("http", "https") or "." not in parts.netloc or " " in candidate:
        raise ValueError(N_("Enter a web address, like https://www.example.nl."))
    return candidate
