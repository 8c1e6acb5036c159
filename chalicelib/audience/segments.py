"""Segments: saved filters over one list (field and tag conditions) that campaigns can target.

A segment is a list plus conditions, matched on all or any of them. Conditions name a standard
field ("email", "first_name", "last_name", "language"), a tag ("tag"), the day the person joined
the list ("subscribed_since") or a custom field ("field:<key>"); which operators apply follows
from the field's type. Matching (`matches`) is pure and case-insensitive for text, so the same
rule serves the segment page, its CSV export and a campaign's fan-out.

Segments are evaluated when read, by scanning the list's members: there is no index per field.
A page of matches therefore scans at most SCAN_LIMIT members before it returns what it found,
with the cursor to go on from.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from enum import Enum

from chalicelib import errors
from chalicelib.audience.audience import MemberStatus
from chalicelib.audience.custom_fields import FieldType, InvalidValue, coerce
from chalicelib.i18n import N_
from chalicelib.observability import logger

MAX_CONDITIONS = 20
MAX_NAME = 100
MAX_VALUE = 500
MEMBERS_PAGE = 50  # matching contacts on a page (about: a page may end a few beyond)
SCAN_LIMIT = 2000  # members read at most for one page of matches
MIN_READ = 10  # members read at least per query, so sparse matches do not cost a query each
COUNT_READ = 500

STANDARD_FIELDS = ("email", "first_name", "last_name", "language")
TAG = "tag"
SUBSCRIBED_SINCE = "subscribed_since"
FIELD_PREFIX = "field:"

OPERATORS = {
    FieldType.TEXT: ("equals", "not_equals", "contains", "starts_with", "is_set", "is_not_set"),
    FieldType.NUMBER: ("equals", "greater_than", "less_than", "is_set", "is_not_set"),
    FieldType.DATE: ("before", "after", "on", "is_set", "is_not_set"),
    FieldType.BOOLEAN: ("is_true", "is_false"),
}
TAG_OPERATORS = ("has", "has_not")
SINCE_OPERATORS = ("before", "after")
WITHOUT_VALUE = frozenset({"is_set", "is_not_set", "is_true", "is_false"})


class Match(str, Enum):
    ALL = "all"
    ANY = "any"


@dataclass
class Condition:
    field: str
    op: str
    value: object = None


@dataclass
class Segment:
    segment_id: str
    account_id: str
    name: str
    list_id: str
    match: Match
    conditions: list = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None


class SegmentNotFound(errors.NotFound):
    default_message = N_("There is no such segment in your account.")


def _now() -> datetime:
    return datetime.now(timezone.utc)


# --- which conditions exist ------------------------------------------------------------------------

def operators_for(field_name: str, definitions) -> tuple | None:
    """The operators a field takes, or None for a field that does not exist."""
    if field_name in STANDARD_FIELDS:
        return OPERATORS[FieldType.TEXT]
    if field_name == TAG:
        return TAG_OPERATORS
    if field_name == SUBSCRIBED_SINCE:
        return SINCE_OPERATORS
    if field_name.startswith(FIELD_PREFIX):
        types = {d.key: d.field_type for d in definitions}
        key = field_name.removeprefix(FIELD_PREFIX)
        return OPERATORS[types[key]] if key in types else None
    return None


def _value_type(field_name: str, op: str, definitions) -> FieldType:
    """How a condition's value (and the contact's) is read. A field deleted since the segment was
    saved reads as the type its operator belongs to, so an old segment still evaluates."""
    if field_name == SUBSCRIBED_SINCE:
        return FieldType.DATE
    if field_name.startswith(FIELD_PREFIX):
        types = {d.key: d.field_type for d in definitions}
        defined = types.get(field_name.removeprefix(FIELD_PREFIX))
        if defined is not None and op in OPERATORS[defined]:
            return defined
        return next((t for t, ops in OPERATORS.items() if op in ops), FieldType.TEXT)
    return FieldType.TEXT


def validate(name, match, conditions, definitions) -> tuple[str, Match, list[Condition]]:
    """A segment as the account holder described it, checked and with its values normalised
    (numbers as numbers, dates as YYYY-MM-DD); each problem is named by its field."""
    problems = []
    name = (name or "").strip()
    if not 1 <= len(name) <= MAX_NAME:
        problems.append(errors.FieldError("name", N_("Give the segment a name of 1 to 100 characters.")))
    if match not in {m.value for m in Match}:
        problems.append(errors.FieldError("match", N_("Choose whether all or any of the conditions must hold.")))
    conditions = list(conditions or [])
    if len(conditions) > MAX_CONDITIONS:
        problems.append(errors.FieldError("conditions", N_("A segment has at most 20 conditions.")))
        conditions = conditions[:MAX_CONDITIONS]
    clean = []
    for index, condition in enumerate(conditions):
        where = f"conditions.{index}"
        operators = operators_for(condition.field or "", definitions)
        if operators is None:
            problems.append(errors.FieldError(f"{where}.field", N_("Choose a field that exists.")))
            continue
        if condition.op not in operators:
            problems.append(errors.FieldError(f"{where}.op", N_("This comparison does not fit this field.")))
            continue
        try:
            value = _condition_value(condition, definitions)
        except InvalidValue as invalid:
            problems.append(errors.FieldError(f"{where}.value", invalid.message))
            continue
        clean.append(Condition(condition.field, condition.op, value))
    if problems:
        raise errors.ValidationFailed(field_errors=problems)
    return name, Match(match), clean


def _condition_value(condition: Condition, definitions):
    if condition.op in WITHOUT_VALUE:
        return None
    raw = condition.value
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise InvalidValue(N_("Enter the value to compare with."))
    value_type = _value_type(condition.field, condition.op, definitions)
    if condition.field == TAG or value_type is FieldType.TEXT:
        text = str(raw).strip()
        if len(text) > MAX_VALUE:
            raise InvalidValue(N_("Keep the value under 500 characters."))
        return text
    return coerce(value_type, raw)


# --- matching --------------------------------------------------------------------------------------

def matches(segment: Segment, contact, membership, definitions) -> bool:
    """Whether a contact (with its membership of the segment's list) is in the segment."""
    if not segment.conditions:
        return True
    results = (_holds(c, contact, membership, definitions) for c in segment.conditions)
    return all(results) if Match(segment.match) is Match.ALL else any(results)


def _holds(condition: Condition, contact, membership, definitions) -> bool:
    op = condition.op
    if condition.field == TAG:
        tags = {str(t).casefold() for t in contact.tags or ()}
        has = str(condition.value).casefold() in tags
        return has if op == "has" else not has
    if condition.field == SUBSCRIBED_SINCE:
        if membership is None or membership.updated_at is None:
            return False
        day, limit = membership.updated_at.date(), date.fromisoformat(condition.value)
        return day < limit if op == "before" else day > limit
    if condition.field in STANDARD_FIELDS:
        raw = getattr(contact, condition.field, None)
    else:
        raw = (contact.fields or {}).get(condition.field.removeprefix(FIELD_PREFIX))
    present = raw is not None and raw != ""
    if op == "is_set":
        return present
    if op == "is_not_set":
        return not present
    value_type = _value_type(condition.field, op, definitions)
    if value_type is FieldType.TEXT:
        text, wanted = (_text(raw) if present else ""), str(condition.value).casefold()
        return {"equals": text == wanted, "not_equals": text != wanted, "contains": wanted in text,
                "starts_with": text.startswith(wanted)}.get(op, False)
    value = _typed(value_type, raw) if present else None
    if value is None:
        return False
    if value_type is FieldType.BOOLEAN:
        return value is (op == "is_true")
    if value_type is FieldType.DATE:
        value, wanted = date.fromisoformat(value), date.fromisoformat(str(condition.value))
        return {"before": value < wanted, "after": value > wanted, "on": value == wanted}.get(op, False)
    wanted = condition.value
    return {"equals": value == wanted, "greater_than": value > wanted, "less_than": value < wanted}.get(op, False)


def _text(raw) -> str:
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    return str(raw).casefold()


def _typed(value_type: FieldType, raw):
    """A stored value as its field's type; values kept from before the field was typed are read
    the same way as typed ones, and what cannot be read matches nothing."""
    try:
        return coerce(value_type, raw)
    except InvalidValue:
        return None


# --- storage ---------------------------------------------------------------------------------------

class DynamoSegments:
    """Segments in the audience table (sk SEGMENT#<segment>), in the account's partition."""

    def __init__(self, audience_models):
        self._m = audience_models.SegmentModel

    def save(self, segment: Segment) -> None:
        self._m(pk=f"ACCOUNT#{segment.account_id}", sk=f"SEGMENT#{segment.segment_id}",
                segment_id=segment.segment_id, name=segment.name, list_id=segment.list_id,
                match=Match(segment.match).value,
                conditions=[{"field": c.field, "op": c.op, "value": c.value} for c in segment.conditions],
                created_at=segment.created_at, updated_at=segment.updated_at).save()

    def get(self, account_id: str, segment_id: str) -> Segment | None:
        from pynamodb.exceptions import DoesNotExist

        try:
            item = self._m.get(f"ACCOUNT#{account_id}", f"SEGMENT#{segment_id}", consistent_read=True)
        except (DoesNotExist, ValueError):
            return None
        return self._segment(account_id, item)

    def of_account(self, account_id: str) -> list[Segment]:
        items = self._m.query(f"ACCOUNT#{account_id}", self._m.sk.startswith("SEGMENT#"))
        return sorted((self._segment(account_id, i) for i in items), key=lambda s: s.name.lower())

    def delete(self, account_id: str, segment_id: str) -> None:
        self._m(pk=f"ACCOUNT#{account_id}", sk=f"SEGMENT#{segment_id}").delete()

    @staticmethod
    def _segment(account_id: str, item) -> Segment:
        conditions = [Condition(c.get("field", ""), c.get("op", ""), c.get("value")) for c in item.conditions or []]
        return Segment(item.segment_id, account_id, item.name, item.list_id, Match(item.match), conditions,
                       item.created_at, item.updated_at)


# --- the service -----------------------------------------------------------------------------------

class SegmentService:
    def __init__(self, audience_repo, audience_service, custom_fields, store: DynamoSegments):
        self._audience = audience_repo
        self._service = audience_service
        self._custom_fields = custom_fields
        self._store = store

    def definitions(self, account_id: str) -> list:
        return self._custom_fields.definitions(account_id)

    def get(self, account, segment_id: str) -> Segment:
        segment = self._store.get(account.account_id, segment_id)
        if segment is None:
            raise SegmentNotFound()
        return segment

    def segments(self, account, list_id: str | None = None) -> list[Segment]:
        if list_id is not None:
            self._service.get_list(account, list_id)
        return [s for s in self._store.of_account(account.account_id) if list_id is None or s.list_id == list_id]

    def create(self, account, list_id: str, data) -> Segment:
        """`data` has name, match and conditions (each with field, op, value)."""
        self._service.get_list(account, list_id)
        name, match, conditions = self._checked(account, data)
        segment = Segment(uuid.uuid4().hex, account.account_id, name, list_id, match, conditions, _now(), _now())
        self._store.save(segment)
        logger.info("segment created", segment_id=segment.segment_id, conditions=len(conditions))
        return segment

    def update(self, account, segment_id: str, data) -> Segment:
        segment = self.get(account, segment_id)
        segment.name, segment.match, segment.conditions = self._checked(account, data)
        segment.updated_at = _now()
        self._store.save(segment)
        return segment

    def delete(self, account, segment_id: str) -> None:
        self.get(account, segment_id)
        self._store.delete(account.account_id, segment_id)
        logger.info("segment deleted", segment_id=segment_id)

    def _checked(self, account, data):
        conditions = [Condition(c.field, c.op, c.value) for c in (data.conditions or [])]
        return validate(data.name, data.match, conditions, self.definitions(account.account_id))

    # --- who is in it ---------------------------------------------------------------------------

    def member_filter(self, account_id: str, segment_id: str):
        """(contact, membership) -> bool for this segment, or None when there is no such segment."""
        segment = self._store.get(account_id, segment_id)
        if segment is None:
            return None
        definitions = self.definitions(account_id)
        return lambda contact, membership: matches(segment, contact, membership, definitions)

    def members(self, account, segment_id: str, cursor: str | None = None):
        """About a page of subscribed members that match: (contacts, cursor of the members after
        them). A page ends at MEMBERS_PAGE matches, or after SCAN_LIMIT members read, so a
        segment that few match still answers in time; it may then hold fewer, even none, and a
        cursor."""
        segment = self.get(account, segment_id)
        definitions = self.definitions(account.account_id)
        found, scanned = [], 0
        while True:
            limit = min(max(MEMBERS_PAGE - len(found), MIN_READ), SCAN_LIMIT - scanned)
            page, cursor = self._audience.member_page(account.account_id, segment.list_id, MemberStatus.SUBSCRIBED,
                                                      cursor, limit)
            scanned += limit
            found.extend(contact for contact, membership in page
                         if matches(segment, contact, membership, definitions))
            if not cursor or len(found) >= MEMBERS_PAGE or scanned >= SCAN_LIMIT:
                return found, cursor

    def count(self, account, segment_id: str) -> int:
        """How many subscribed members match: reads the whole list."""
        return self._count(account, self.get(account, segment_id))

    def count_unsaved(self, account, list_id: str, data) -> int:
        """How many subscribed members of the list a segment described by `data` (name, match,
        conditions, as for `create`) would hold, without saving it; the name is not needed.
        Conditions that do not fit their field are refused as `create` refuses them."""
        self._service.get_list(account, list_id)
        conditions = [Condition(c.field, c.op, c.value) for c in (data.conditions or [])]
        _, match, conditions = validate(data.name or "-", data.match, conditions, self.definitions(account.account_id))
        return self._count(account, Segment("", account.account_id, "", list_id, match, conditions))

    def _count(self, account, segment: Segment) -> int:
        definitions = self.definitions(account.account_id)
        counted, cursor = 0, None
        while True:
            page, cursor = self._audience.member_page(account.account_id, segment.list_id, MemberStatus.SUBSCRIBED,
                                                      cursor, COUNT_READ)
            counted += sum(1 for contact, membership in page if matches(segment, contact, membership, definitions))
            if not cursor:
                return counted

    def recipient_pages(self, account_id: str, segment_id: str, cursor: str | None = None):
        """What a campaign to this segment mails, a page at a time: the list's recipients
        (subscribed, not suppressed) that match. Yields (contacts, next_cursor)."""
        segment = self._store.get(account_id, segment_id)
        if segment is None:
            raise SegmentNotFound()
        definitions = self.definitions(account_id)
        on_membership = any(c.field == SUBSCRIBED_SINCE for c in segment.conditions)
        for contacts, next_cursor in self._service.recipient_pages(account_id, segment.list_id, cursor):
            # the recipients come without their membership: read it only when a condition needs it
            memberships = {c.contact_id: self._audience.membership(account_id, segment.list_id, c.contact_id)
                           for c in contacts} if on_membership else {}
            yield [c for c in contacts if matches(segment, c, memberships.get(c.contact_id), definitions)], next_cursor
