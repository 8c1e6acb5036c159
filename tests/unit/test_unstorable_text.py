"""Control characters are found wherever they sit in a parsed body, by location, without recursion;
and a JSON body too deeply nested to walk is a clear 400, not a crash."""

import pytest

from chalicelib import errors
from chalicelib.api import parse_body
from chalicelib.audience.schemas import ListIn
from chalicelib.forms import parse_form
from chalicelib.validation import unstorable_fields


def test_control_characters_are_located_when_nested_in_dicts_and_lists():
    # GIVEN a body with control characters in a value, a list item, a nested value and a key
    body = {"name": "a\x00", "tags": ["ok", "\x1b"], "fields": {"city": "\x08", "note": "tab\tand\r\nlines"},
            "extra": {"k\x00": "x"}}
    # WHEN it is searched
    found = unstorable_fields(body)
    # THEN each is named by its location (a key by its dict's), and tab, CR and LF are fine
    assert sorted(found) == ["extra", "fields.city", "name", "tags.1"]


def test_deeply_nested_body_is_searched_when_it_is_deeper_than_the_stack():
    # GIVEN a list nested far deeper than Python's recursion limit, a NUL at the bottom
    body = "\x00"
    for _ in range(5_000):
        body = [body]
    # WHEN it is searched
    # THEN it is found, without a RecursionError
    assert unstorable_fields(body) == [".".join(["0"] * 5_000)]


def test_json_body_too_deep_to_parse_is_malformed_when_posted():
    # GIVEN a JSON body of 100,000 nested arrays
    # WHEN it is parsed
    with pytest.raises(errors.MalformedRequest):
        parse_body(b"[" * 100_000, ListIn)
    # THEN it is refused as unreadable (not a 500)


@pytest.mark.parametrize("raw", [b"name=\xff", b"name=%FF", b"name=%C3%28"])
def test_form_that_is_not_utf8_is_malformed_when_parsed(raw):
    # GIVEN a form body with bytes, or percent escapes, that are not UTF-8
    # WHEN it is parsed
    with pytest.raises(errors.MalformedRequest):
        parse_form(raw)
    # THEN it is refused, never decoded with U+FFFD


def test_form_field_outside_the_chosen_fields_is_ignored_when_it_holds_a_control_character():
    # GIVEN a form whose unread field holds a NUL byte
    # WHEN only the other field is asked for
    # THEN that one is returned (the NUL is never stored)
    assert parse_form(b"name=Klanten&junk=%00", fields={"name"}) == {"name": "Klanten"}
