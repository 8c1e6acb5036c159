"""The consent cookie's value round-trips, and anything else counts as no choice (P9)."""

import pytest

from chalicelib.web.consent_cookie import ESSENTIAL_ONLY, ConsentChoice, from_cookies, parse


@pytest.mark.parametrize("choice", [ESSENTIAL_ONLY, ConsentChoice(analytics=True),
                                    ConsentChoice(marketing=True), ConsentChoice(analytics=True, marketing=True)])
def test_a_choice_reads_back_from_its_cookie_value(choice):
    assert parse(choice.value) == choice


def test_essential_only_is_written_as_essential():
    assert ESSENTIAL_ONLY.value == "1.essential"
    assert ConsentChoice(analytics=True, marketing=True).value == "1.analytics.marketing"


@pytest.mark.parametrize("value", [None, "", "1", "1.", "0.analytics", "2.analytics", "1.tracking",
                                   "1.essential.analytics", "analytics"])
def test_no_valid_choice_for_the_current_banner_is_no_choice(value):
    assert parse(value) is None


def test_the_choice_is_read_from_the_cookie_jar():
    assert from_cookies({"mx_consent": "1.analytics"}) == ConsentChoice(analytics=True)
    assert from_cookies({}) is None
