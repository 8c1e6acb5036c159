"""Staff's announcement form is checked before anything is published: both languages, and a banner
window entered in Amsterdam time that ends after it starts and in the future."""

from datetime import datetime, timezone

import pytest

from chalicelib import errors
from chalicelib.news.service import announcement_draft

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=timezone.utc)
FORM = {"title_nl": "Onderhoud", "body_nl": "Zondagnacht.", "title_en": "Maintenance", "body_en": "Sunday night."}


def field_errors(form) -> dict:
    with pytest.raises(errors.ValidationFailed) as refused:
        announcement_draft(form, NOW)
    return {e.field: e.message for e in refused.value.field_errors}


def test_a_window_is_read_in_amsterdam_time_across_the_change_to_summer_time():
    # GIVEN a window from Saturday 23:00 (winter time) to Sunday 04:00 (summer time) in Amsterdam
    draft = announcement_draft({**FORM, "banner_start": "2026-03-28T23:00", "banner_end": "2026-03-29T04:00"}, NOW)
    # THEN it is stored in UTC: 22:00 on Saturday to 02:00 on Sunday (four hours, not five)
    assert draft.banner_start == datetime(2026, 3, 28, 22, 0, tzinfo=timezone.utc)
    assert draft.banner_end == datetime(2026, 3, 29, 2, 0, tzinfo=timezone.utc)


def test_no_window_means_no_banner_and_text_is_kept_per_language():
    draft = announcement_draft(FORM, NOW)
    assert draft.banner_start is None and draft.banner_end is None
    assert draft.title == {"nl": "Onderhoud", "en": "Maintenance"}


def test_every_missing_text_is_named_beside_its_own_field():
    assert field_errors({}) == {name: "Fill in this field." for name in ("title_nl", "body_nl", "title_en", "body_en")}


def test_an_end_before_the_start_or_in_the_past_is_refused_beside_the_end():
    assert field_errors({**FORM, "banner_start": "2026-04-02T10:00", "banner_end": "2026-04-02T09:00"}) == {
        "banner_end": "The end must come after the start."}
    assert field_errors({**FORM, "banner_start": "2026-03-27T10:00", "banner_end": "2026-03-27T11:00"}) == {
        "banner_end": "The end must be in the future."}


def test_a_title_too_long_is_refused_with_the_limit():
    assert field_errors({**FORM, "title_en": "x" * 151}) == {"title_en": "Use at most %(limit)s characters."}
