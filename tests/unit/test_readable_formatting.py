"""Dates, numbers, sizes and countries as a Dutch or an English reader writes them (Babel's CLDR
data), and moments in Amsterdam time whatever the server's clock says."""

from datetime import date, datetime, timezone
from decimal import Decimal

import jinja2
import pytest

from chalicelib import i18n
from chalicelib.template_environments import pages
from chalicelib import formatting

WINTER = datetime(2026, 3, 1, 12, 5, 30, tzinfo=timezone.utc)  # 13:05 in Amsterdam (CET)
SUMMER = datetime(2026, 7, 1, 22, 30, tzinfo=timezone.utc)  # 00:30 the next day in Amsterdam (CEST)


@pytest.mark.parametrize("language, expected", [
    ("nl", ["1 mrt 2026, 13:05", "2 jul 2026", "13:05", "1.234.567,5", "25,7%", "1,2 MB", "999 byte",
            "Nederland", "Ja", "Nederlands"]),
    ("en", ["Mar 1, 2026, 1:05\u202fPM", "Jul 2, 2026", "1:05\u202fPM", "1,234,567.5", "25.7%", "1.2 MB", "999 byte",
            "Netherlands", "Yes", "Dutch"]),
])
def test_values_are_written_as_the_language_writes_them(language, expected):
    # GIVEN values of every kind WHEN formatted in the language
    with i18n.use_language(language):
        shown = [formatting.format_datetime(WINTER), formatting.format_date(SUMMER), formatting.format_time(WINTER),
                 formatting.format_number(1234567.5), formatting.format_percent(0.2567),
                 formatting.format_bytes(1_234_567), formatting.format_bytes(999), formatting.country_name("nl"),
                 formatting.yes_no(True), formatting.language_name("nl")]
    # THEN each reads as that language writes it, in Amsterdam time
    assert shown == expected


def test_naive_moments_epoch_seconds_and_iso_text_are_utc_shown_in_amsterdam_time():
    # GIVEN the same moment as an aware, a naive (UTC) datetime, epoch seconds and ISO text
    moments = [WINTER, WINTER.replace(tzinfo=None), WINTER.timestamp(), "2026-03-01T12:05:30+00:00",
               "2026-03-01T12:05:30Z"]
    # WHEN each is shown THEN they read the same, an hour ahead of UTC
    with i18n.use_language("nl"):
        assert {formatting.format_datetime(moment) for moment in moments} == {"1 mrt 2026, 13:05"}


def test_stored_values_are_shown_by_their_kind():
    # GIVEN values as custom fields and proof of consent store them WHEN shown in Dutch
    with i18n.use_language("nl"):
        shown = [formatting.format_value(value) for value in (
            True, False, None, "1990-05-17", "2026-03-01T12:05:30+00:00", Decimal("1234.5"), 3, date(2026, 1, 2),
            "Utrecht", ["a", True])]
    # THEN no raw boolean, None or ISO text is left
    assert shown == ["Ja", "Nee", "–", "17 mei 1990", "1 mrt 2026, 13:05", "1.234,5", "3", "2 jan 2026", "Utrecht",
                     "a, Ja"]


def test_missing_values_and_an_empty_whole_read_as_a_dash():
    # GIVEN nothing to show WHEN formatted THEN a dash, never "None" or a division by zero
    assert {formatting.format_date(None), formatting.format_datetime(""), formatting.format_number(None),
            formatting.format_ratio(3, 0), formatting.format_bytes(None), formatting.country_name("")} == {"–"}


def test_page_templates_have_the_filters():
    # GIVEN the pages' environment WHEN a template uses the filters THEN they format in the current language
    template = pages().from_string("{{ when | datetime }} · {{ n | number }} · {{ size | filesize }} · "
                                   "{{ code | country }} · {{ ratio(1, 4) }}")
    with i18n.use_language("en"):
        assert template.render(when=WINTER, n=1234, size=2_500, code="BE") == \
            "Mar 1, 2026, 1:05\u202fPM · 1,234 · 2.5 kB · Belgium · 25.0%"
    with pytest.raises(jinja2.UndefinedError):
        pages().from_string("{{ missing | datetime }}").render()
