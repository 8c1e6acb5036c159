"""The cookie choice form (P9): what each button and box means, what is refused, and where the
browser may be sent back to."""

import pytest

from chalicelib import errors
from chalicelib.consent.pages import parse_choice
from chalicelib.web.consent_banner import safe_return_path
from chalicelib.web.consent_cookie import ConsentChoice


@pytest.mark.parametrize("form, choice", [
    ({"choice": "all"}, ConsentChoice(analytics=True, marketing=True)),
    ({"choice": "essential"}, ConsentChoice()),
    ({"choice": "essential", "analytics": "on", "marketing": "on"}, ConsentChoice()),
    ({"choice": "custom"}, ConsentChoice()),
    ({"choice": "custom", "analytics": "", "marketing": ""}, ConsentChoice()),
    ({"choice": "custom", "analytics": "on"}, ConsentChoice(analytics=True)),
    ({"choice": "custom", "marketing": "1"}, ConsentChoice(marketing=True)),
])
def test_form_means_its_button_and_boxes(form, choice):
    assert parse_choice(form) == choice


@pytest.mark.parametrize("form, fields", [
    ({}, {"choice"}), ({"choice": "ALL"}, {"choice"}), ({"choice": "custom", "analytics": "true"}, {"analytics"}),
    ({"choice": "nope", "marketing": "yes"}, {"choice", "marketing"}),
])
def test_form_is_refused_naming_each_bad_field(form, fields):
    with pytest.raises(errors.ValidationFailed) as refused:
        parse_choice(form)
    assert {e.field for e in refused.value.field_errors} == fields


@pytest.mark.parametrize("value", ["/", "/contact", "/lists/abc?page=2", "/cookies?saved=1", "/a//b", "/f/x#top"])
def test_path_of_this_site_is_kept_as_return_path(value):
    assert safe_return_path(value) == value


@pytest.mark.parametrize("value", [None, "", "contact", "//evil.example", "///evil.example", "/\\evil.example",
                                   "https://evil.example/", "javascript:alert(1)", "/\tevil", "/a\nb",
                                   "/" + "x" * 2000])
def test_anything_else_returns_to_the_home_page(value):
    assert safe_return_path(value) == "/"
