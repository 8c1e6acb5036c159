"""Segment conditions: which exist, and whether a contact matches (pure, case-insensitive for text)."""

from datetime import datetime, timezone

import pytest

from chalicelib import errors
from chalicelib.audience.audience import Contact, Membership, MemberStatus
from chalicelib.audience.custom_fields import CustomField, FieldType
from chalicelib.audience.segments import Condition, Match, Segment, matches, validate

DEFINITIONS = [CustomField("city", "City", FieldType.TEXT, None),
               CustomField("amount", "Amount", FieldType.NUMBER, None),
               CustomField("born", "Born", FieldType.DATE, None), CustomField("vip", "VIP", FieldType.BOOLEAN, None)]


def _contact(**fields):
    tags = fields.pop("tags", [])
    standard = {k: fields.pop(k) for k in ("first_name", "last_name", "language") if k in fields}
    return Contact("c1", "a1", "Anna@Example.nl", "anna@example.nl", fields=fields, tags=tags, **standard)


def _membership(day="2024-05-01"):
    return Membership("a1", "l1", "c1", MemberStatus.SUBSCRIBED, None,
                      datetime.fromisoformat(day).replace(tzinfo=timezone.utc))


def _segment(*conditions, match=Match.ALL):
    return Segment("s1", "a1", "Test", "l1", match, [Condition(*c) for c in conditions])


def _matches(contact, *conditions, match=Match.ALL, membership=None):
    return matches(_segment(*conditions, match=match), contact, membership or _membership(), DEFINITIONS)


@pytest.mark.parametrize("condition, expected", [
    (("field:city", "equals", "utrecht"), True), (("field:city", "not_equals", "Utrecht"), False),
    (("field:city", "contains", "TRE"), True), (("field:city", "starts_with", "ut"), True),
    (("field:city", "starts_with", "tr"), False), (("field:city", "is_set", None), True),
    (("field:city", "is_not_set", None), False), (("email", "starts_with", "anna@"), True),
    (("first_name", "equals", "ANNA"), True), (("last_name", "is_not_set", None), True),
    (("last_name", "not_equals", "de Vries"), True),
])
def test_text_conditions_ignore_capitals(condition, expected):
    assert _matches(_contact(city="Utrecht", first_name="Anna"), condition) is expected


@pytest.mark.parametrize("condition, expected", [
    (("field:amount", "equals", 12.5), True), (("field:amount", "greater_than", 10), True),
    (("field:amount", "less_than", 10), False), (("field:born", "before", "1990-01-01"), True),
    (("field:born", "after", "1990-01-01"), False), (("field:born", "on", "1985-06-15"), True),
    (("field:vip", "is_true", None), True), (("field:vip", "is_false", None), False),
    (("tag", "has", "VIP"), True), (("tag", "has_not", "vip"), False), (("tag", "has_not", "nieuw"), True),
    (("subscribed_since", "after", "2024-01-01"), True), (("subscribed_since", "before", "2024-01-01"), False),
])
def test_typed_conditions_compare_as_their_type(condition, expected):
    contact = _contact(amount=12.5, born="1985-06-15", vip=True, tags=["vip", "klant"])
    assert _matches(contact, condition) is expected


def test_values_kept_as_text_before_the_field_was_typed_still_compare():
    assert _matches(_contact(amount="1.234,50", born="15-06-1985"), ("field:amount", "greater_than", 1000),
                    ("field:born", "on", "1985-06-15"))


def test_a_missing_or_unreadable_value_matches_no_comparison():
    contact = _contact(amount="veel")
    assert not _matches(contact, ("field:amount", "greater_than", 1))
    assert not _matches(contact, ("field:amount", "less_than", 1))
    assert not _matches(contact, ("field:born", "before", "2000-01-01"))
    assert not _matches(contact, ("field:vip", "is_false", None))


def test_all_needs_every_condition_and_any_needs_one():
    contact = _contact(city="Utrecht", tags=["klant"])
    conditions = (("field:city", "equals", "Utrecht"), ("tag", "has", "vip"))
    assert not _matches(contact, *conditions, match=Match.ALL)
    assert _matches(contact, *conditions, match=Match.ANY)


def test_no_conditions_match_everyone():
    assert _matches(_contact(), match=Match.ANY)


def test_a_deleted_field_still_evaluates_by_its_comparison():
    assert matches(_segment(("field:amount", "greater_than", 5)), _contact(amount="7"), _membership(), [])


def test_validate_normalises_values_when_the_segment_is_saved():
    name, match, conditions = validate(" Utrechtse vips ", "any", [
        Condition("field:amount", "greater_than", "1.234,50"), Condition("field:born", "before", "01-02-1990"),
        Condition("field:vip", "is_true", "ignored"), Condition("tag", "has", " vip ")], DEFINITIONS)
    assert (name, match) == ("Utrechtse vips", Match.ANY)
    assert [c.value for c in conditions] == [1234.5, "1990-02-01", None, "vip"]


def test_validate_names_each_problem_when_the_segment_is_refused():
    # GIVEN an unknown field, an operator of another type, a bad value, a missing value, a bad match
    with pytest.raises(errors.ValidationFailed) as refused:
        validate("", "some", [Condition("field:shoe", "equals", "42"), Condition("field:city", "greater_than", "1"),
                              Condition("field:amount", "equals", "abc"), Condition("tag", "has", "")], DEFINITIONS)
    # THEN each is named by its field
    assert [e.field for e in refused.value.field_errors] == [
        "name", "match", "conditions.0.field", "conditions.1.op", "conditions.2.value", "conditions.3.value"]


def test_validate_refuses_more_than_twenty_conditions():
    with pytest.raises(errors.ValidationFailed) as refused:
        validate("Veel", "all", [Condition("tag", "has", f"t{i}") for i in range(21)], DEFINITIONS)
    assert [e.field for e in refused.value.field_errors] == ["conditions"]
