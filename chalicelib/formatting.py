"""Values as a person reads them, in the current language: dates and times in Amsterdam time,
numbers, percentages, byte sizes and country names, formatted by Babel's CLDR data.

Pages and mails get these as Jinja filters (`chalicelib.template_environments`), so no page shows
an ISO timestamp, `0.25`, `1234567` or `NL`; Python code that builds text uses the functions.
The language is `chalicelib.i18n`'s current one, so nothing passes it around.
"""

import functools
import re
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers, units

from chalicelib import i18n

TIME_ZONE = ZoneInfo("Europe/Amsterdam")  # the service's customers are Dutch; times are shown in theirs
BYTE_UNITS = ("digital-byte", "digital-kilobyte", "digital-megabyte", "digital-gigabyte", "digital-terabyte")
EMPTY = "–"  # what a missing date or number reads as
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@functools.cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def _current() -> Locale:
    return _locale(i18n.current_language())


def _moment(value) -> datetime | None:
    """A datetime in Amsterdam time from a datetime (naive means UTC), epoch seconds or ISO text."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    elif isinstance(value, (int, float)):
        value = datetime.fromtimestamp(value, timezone.utc)
    elif not isinstance(value, datetime):
        raise TypeError(f"not a moment: {type(value).__name__}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(TIME_ZONE)


def local(value) -> datetime | None:
    """The moment in Amsterdam time (for charts that group by local hour or day)."""
    return _moment(value)


def format_date(value, width: str = "medium") -> str:
    """1 mrt 2026 / Mar 1, 2026 (`long`: 1 maart 2026); a datetime is taken in Amsterdam time."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        value = date.fromisoformat(value)
    day = value if isinstance(value, date) and not isinstance(value, datetime) else _moment(value).date()
    return dates.format_date(day, width, locale=_current())


def format_datetime(value, width: str = "medium") -> str:
    """1 mrt 2026 13:05 / Mar 1, 2026, 1:05 PM, in Amsterdam time, without seconds."""
    moment = _moment(value)
    if moment is None:
        return EMPTY
    locale = _current()
    when = dates.format_date(moment.date(), width, locale=locale)
    time = dates.format_time(moment, "short", locale=locale)
    return dates.get_datetime_format(width, locale=locale).replace("{1}", when).replace("{0}", time).replace("'", "")


def format_time(value) -> str:
    """13:05 / 1:05 PM, in Amsterdam time."""
    moment = _moment(value)
    return EMPTY if moment is None else dates.format_time(moment, "short", locale=_current())


def format_month(value, width: str = "wide") -> str:
    """A calendar month ("2026-12" or a date) in words: december 2026 / December 2026; `abbreviated`:
    the month alone, short (dec / Dec), for chart axes."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, str):
        value = date.fromisoformat(f"{value[:7]}-01")
    pattern = "LLL" if width == "abbreviated" else "LLLL y"
    return dates.format_date(value, pattern, locale=_current())


def format_number(value, decimals: int | None = None) -> str:
    """1.234.567 / 1,234,567; `decimals` fixes the digits after the separator."""
    if value is None or value == "":
        return EMPTY
    if decimals is None:
        return numbers.format_decimal(value, locale=_current())
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return numbers.format_decimal(value, format=pattern, locale=_current(), decimal_quantization=True)


def format_percent(value, decimals: int = 1) -> str:
    """A fraction as a percentage: 0.257 -> 25,7% / 25.7%."""
    if value is None or value == "":
        return EMPTY
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return numbers.format_percent(value, format=pattern, locale=_current(), decimal_quantization=True)


def format_ratio(part, whole, decimals: int = 1) -> str:
    """part / whole as a percentage; a dash when there is no whole."""
    return format_percent(part / whole, decimals) if whole else EMPTY


def format_bytes(value) -> str:
    """A size in bytes, in decimal units as mail clients and SES count them: 1,2 MB / 1.2 MB."""
    if value is None or value == "":
        return EMPTY
    size, unit = float(value), 0
    while abs(size) >= 1000 and unit < len(BYTE_UNITS) - 1:
        size, unit = size / 1000, unit + 1
    return units.format_unit(size if unit else int(size), BYTE_UNITS[unit], length="short",
                             format="#,##0" if unit == 0 else "#,##0.#", locale=_current())


def country_name(code) -> str:
    """The country's name in the current language (NL -> Nederland / Netherlands); the code itself
    when CLDR does not know it."""
    if not code:
        return EMPTY
    return _current().territories.get(str(code).upper(), str(code))


def language_name(code) -> str:
    """nl -> Nederlands / Dutch."""
    if not code:
        return EMPTY
    return _current().languages.get(str(code).lower(), str(code)).capitalize()


def yes_no(value) -> str:
    """A boolean as the words a person reads."""
    return i18n.gettext("Yes") if value else i18n.gettext("No")


def format_value(value) -> str:
    """Any stored value as a person reads it: yes/no, a date, a moment, a number, or the text itself
    (custom fields, proof of consent). ISO dates and moments in text are recognised as such."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, (int, float, Decimal)):
        return format_number(value)
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return format_date(date.fromisoformat(value))
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        try:
            return format_datetime(value)
        except ValueError:
            return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(format_value(item) for item in value)
    return str(value)


FILTERS = {"date": format_date, "datetime": format_datetime, "time": format_time, "number": format_number,
           "percent": format_percent, "filesize": format_bytes, "month": format_month, "country": country_name,
           "language_name": language_name, "yes_no": yes_no, "local": local,
           "readable": format_value}
GLOBALS = {"ratio": format_ratio}
