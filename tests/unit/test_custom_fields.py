"""Typed custom fields read what Dutch and English users type, and refuse what does not fit."""

import pytest

from chalicelib import errors
from chalicelib.audience.custom_fields import (NOT_A_DATE, NOT_A_NUMBER, CustomField, FieldType, InvalidValue,
                                               coerce, coerce_fields, typed_fields)


@pytest.mark.parametrize("typed, expected", [
    ("12", 12), ("-3", -3), ("+7", 7), ("12,50", 12.5), ("12.50", 12.5), ("1.234,00", 1234), ("1,234.00", 1234),
    ("1.234,56", 1234.56), ("1,234.56", 1234.56), ("1.234.567", 1234567), ("1,234,567", 1234567),
    ("1 234,5", 1234.5), ("0,5", 0.5), (",5", 0.5), ("1,5", 1.5), ("1.5", 1.5), ("1.234", 1.234), ("1,234", 1.234),
    (" 42 ", 42), (12, 12), (2.5, 2.5),
])
def test_number_is_read_when_typed_the_dutch_or_english_way(typed, expected):
    # GIVEN what someone typed in a number field
    # WHEN it is read
    value = coerce(FieldType.NUMBER, typed)
    # THEN the one separator that occurs once is the decimal mark, and of two kinds the last one is
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("typed", ["abc", "12a", "1.2.3,4,5", "1,23.456,7", "12,34,5", "1.23.456", "--1", "1e5",
                                   ",", "€ 12", True, "1,2345.6"])
def test_number_is_refused_when_it_is_not_one(typed):
    with pytest.raises(InvalidValue) as refused:
        coerce(FieldType.NUMBER, typed)
    assert refused.value.message == NOT_A_NUMBER


@pytest.mark.parametrize("typed, expected", [
    ("2024-03-01", "2024-03-01"), ("01-03-2024", "2024-03-01"), ("01/03/2024", "2024-03-01"),
    ("1-3-2024", "2024-03-01"), ("29-02-2024", "2024-02-29"),
])
def test_date_is_stored_as_iso_when_typed_in_a_known_form(typed, expected):
    assert coerce(FieldType.DATE, typed) == expected


@pytest.mark.parametrize("typed", ["31-02-2024", "2024/03/01", "03-01-24", "1 maart 2024", "01-03/2024",
                                   "29-02-2023"])
def test_date_is_refused_when_not_a_real_day_or_known_form(typed):
    with pytest.raises(InvalidValue) as refused:
        coerce(FieldType.DATE, typed)
    assert refused.value.message == NOT_A_DATE


@pytest.mark.parametrize("typed, expected", [
    ("yes", True), ("No", False), ("TRUE", True), ("false", False), ("1", True), ("0", False), ("ja", True),
    ("Nee", False), ("waar", True), ("onwaar", False), (True, True), (False, False),
])
def test_boolean_is_read_in_dutch_and_english(typed, expected):
    assert coerce(FieldType.BOOLEAN, typed) is expected


def test_boolean_is_refused_when_neither_yes_nor_no():
    with pytest.raises(InvalidValue):
        coerce(FieldType.BOOLEAN, "misschien")


def test_empty_value_is_no_value_for_every_type():
    assert {coerce(t, "  ") for t in FieldType} == {None}
    assert coerce(FieldType.TEXT, "  Utrecht ") == "Utrecht"


DEFINITIONS = [CustomField("city", "City", FieldType.TEXT, None),
               CustomField("amount", "Amount", FieldType.NUMBER, None), CustomField("born", "Born", FieldType.DATE, None)]


def test_coerce_fields_refuses_with_a_message_per_field_when_values_do_not_fit():
    # GIVEN two typed values that do not fit, and an undefined key
    # WHEN the contact's fields are read
    with pytest.raises(errors.ValidationFailed) as refused:
        coerce_fields(DEFINITIONS, {"amount": "abc", "born": "gisteren", "shoe": "42"})
    # THEN each bad field is named
    assert {(e.field, e.message) for e in refused.value.field_errors} == {("fields.amount", NOT_A_NUMBER),
                                                                         ("fields.born", NOT_A_DATE)}


def test_coerce_fields_types_defined_fields_and_keeps_others_as_text():
    assert coerce_fields(DEFINITIONS, {"amount": "12,50", "born": "01-03-2024", "shoe": "42", "city": "Utrecht"}) == \
        {"amount": 12.5, "born": "2024-03-01", "shoe": "42", "city": "Utrecht"}


def test_typed_fields_leave_bad_values_out_when_importing():
    clean, problems = typed_fields(DEFINITIONS, {"amount": "7", "born": "32-01-2024", "city": "Gouda"})
    assert clean == {"amount": 7, "city": "Gouda"}
    assert problems == [("born", NOT_A_DATE)]
