"""The segment pages of a list: its segments with their sizes, a form for a new one, and one
segment's conditions in words, its members a page at a time and its CSV export.

The form starts without condition rows; "Add condition" adds one for the field chosen beside it,
and each row then offers only the comparisons that field's type takes. Without scripts, adding,
removing and counting are buttons that show the form again, as filled in; with scripts,
static/segment.js posts the form to `segment_count` for the count as the conditions change."""

import re

from chalice.app import Response

from chalicelib import errors, i18n
from chalicelib.accounts.page_routes import Visit, redirect, render_app_page
from chalicelib.api import json_response, validate_fields
from chalicelib.audience.schemas import SegmentIn
from chalicelib.audience.custom_fields import FieldType
from chalicelib.audience.segments import (FIELD_PREFIX, MAX_CONDITIONS, STANDARD_FIELDS, SUBSCRIBED_SINCE, TAG,
                                          WITHOUT_VALUE, Match, SegmentNotFound, operators_for)
from chalicelib.forms import messages_by_field
from chalicelib.i18n import N_

_ROW_FIELD = re.compile(r"condition_([0-9]{1,3})_field")
MAX_ROW = 999  # the highest row number a form may use (rows are numbered as they are added)
FIELD_NAMES = {"email": N_("E-mail address"), "first_name": N_("First name"), "last_name": N_("Last name"),
               "language": N_("Language"), TAG: N_("Tags"), SUBSCRIBED_SINCE: N_("Date subscribed")}
OPERATOR_NAMES = {
    "equals": N_("is"), "not_equals": N_("is not"), "contains": N_("contains"), "starts_with": N_("starts with"),
    "is_set": N_("is filled in"), "is_not_set": N_("is empty"), "greater_than": N_("is more than"),
    "less_than": N_("is less than"), "before": N_("is before"), "after": N_("is after"), "on": N_("is on"),
    "is_true": N_("is yes"), "is_false": N_("is no"), "has": N_("include"), "has_not": N_("do not include"),
}
MATCH_NAMES = {Match.ALL.value: N_("All conditions hold"), Match.ANY.value: N_("At least one condition holds")}
NOTICES = {
    "deleted": N_("The segment is deleted."),
    "export-requested": N_("We are preparing the CSV file. This page shows when it is ready."),
}


def _field_options(definitions) -> list[tuple[str, str]]:
    standard = [(name, i18n.gettext(FIELD_NAMES[name])) for name in (*STANDARD_FIELDS, TAG, SUBSCRIBED_SINCE)]
    return [("", i18n.gettext(N_("Choose a field")))] + standard + \
        [(FIELD_PREFIX + d.key, d.label) for d in definitions]


def _in_words(segment, definitions) -> list[tuple[str, str, object]]:
    """Each condition as (field, comparison, value) in the reader's language."""
    labels = {FIELD_PREFIX + d.key: d.label for d in definitions}
    words = []
    for condition in segment.conditions:
        name = labels.get(condition.field) or (i18n.gettext(FIELD_NAMES[condition.field])
                                               if condition.field in FIELD_NAMES else condition.field)
        value = condition.value
        if isinstance(value, float):
            value = f"{value:g}".replace(".", ",") if i18n.current_language() == "nl" else f"{value:g}"
        words.append((name, i18n.gettext(OPERATOR_NAMES.get(condition.op, condition.op)), value))
    return words


def _notice(visit: Visit):
    key = visit.query.get("notice")
    return i18n.gettext(NOTICES[key]) if key in NOTICES else None


def _rows(form: dict) -> list[int]:
    """The form's condition rows, by their numbers: each row that names a field."""
    return sorted(int(found.group(1)) for key, value in form.items()
                  if value and (found := _ROW_FIELD.fullmatch(key)) and int(found.group(1)) <= MAX_ROW)


def _condition_rows(form: dict, rows: list[int], definitions) -> list[dict]:
    """Each row as the template shows it: its field (fixed once added), and only the comparisons
    that field's type takes (text, number, date, yes/no, tags, date subscribed)."""
    labels = dict(_field_options(definitions))
    shown = []
    for row in rows:
        field_name = form[f"condition_{row}_field"]
        operators = operators_for(field_name, definitions) or ()
        shown.append({"index": row, "field": field_name, "label": labels.get(field_name, field_name),
                      "operators": [(op, i18n.gettext(OPERATOR_NAMES[op])) for op in operators],
                      "takes_value": any(op not in WITHOUT_VALUE for op in operators),
                      "kind": _value_kind(field_name, definitions)})
    return shown


def _value_kind(field_name: str, definitions) -> str:
    """How the row's value is typed: "text", "number" or "date" (for the hint beside it)."""
    if field_name == SUBSCRIBED_SINCE:
        return FieldType.DATE.value
    types = {FIELD_PREFIX + d.key: d.field_type for d in definitions}
    return types.get(field_name, FieldType.TEXT).value


def _segment_data(form: dict, rows: list[int]) -> dict:
    return {"name": form.get("name", ""), "match": form.get("match", ""),
            "conditions": [{"field": form[f"condition_{i}_field"], "op": form.get(f"condition_{i}_op", ""),
                            "value": form.get(f"condition_{i}_value") or None} for i in rows]}


def _count_text(count: int) -> str:
    if count == 1:
        return i18n.gettext(N_("1 subscribed member matches."))
    return i18n.gettext(N_("%(count)s subscribed members match.")) % {"count": count}


def segments_page(account, visit: Visit, list_id: str, values=None, field_errors=None, status=200,
                  count: int | None = None) -> Response:
    audience_list = visit.services.audience_service.get_list(account, list_id)
    service = visit.services.segments
    definitions = service.definitions(account.account_id)
    found = [(s, service.count(account, s.segment_id)) for s in service.segments(account, list_id)]
    values = dict(values or {"match": Match.ALL.value})
    rows = _rows(values)
    if count is None and not field_errors:  # the count of the form as it stands, if it is complete
        try:
            count = service.count_unsaved(account, list_id, validate_fields(SegmentIn, _segment_data(values, rows)))
        except errors.ValidationFailed:
            count = None
    return render_app_page("pages/segments.html", account, visit, "/lists", status=status, audience_list=audience_list,
                           segments=found, conditions=_condition_rows(values, rows, definitions),
                           field_options=_field_options(definitions),
                           match_options=[(code, i18n.gettext(name)) for code, name in MATCH_NAMES.items()],
                           values=values, errors=field_errors or {}, notice=_notice(visit),
                           count_text=_count_text(count) if count is not None else None)


def submit_segment(account, form: dict, visit: Visit, list_id: str) -> Response:
    """The new-segment form: save it, or (without scripts) add or remove a condition row, or count
    who would be in it; each of those shows the form again as it was filled in."""
    form = dict(form)
    form.pop("csrf_token", None)
    rows = _rows(form)
    definitions = visit.services.segments.definitions(account.account_id)
    removed = form.get("remove", "")
    if removed.isdigit():
        for part in ("field", "op", "value"):
            form.pop(f"condition_{removed}_{part}", None)
        return segments_page(account, visit, list_id, form)
    action = form.get("action", "save")
    if action == "add":
        return _add_condition(account, visit, list_id, form, rows, definitions)
    try:
        data = validate_fields(SegmentIn, _segment_data(form, rows))
        if action == "count":
            return segments_page(account, visit, list_id, form,
                                 count=visit.services.segments.count_unsaved(account, list_id, data))
        segment = visit.services.segments.create(account, list_id, data)
    except errors.ValidationFailed as invalid:
        return segments_page(account, visit, list_id, form, _on_the_form(messages_by_field(invalid), rows), status=422)
    return redirect(f"/lists/{list_id}/segments/{segment.segment_id}")


def _add_condition(account, visit: Visit, list_id: str, form: dict, rows: list[int], definitions) -> Response:
    field_name = form.get("add_field", "")
    operators = operators_for(field_name, definitions)
    problem = None
    if operators is None:
        problem = N_("Choose the field of the new condition.")
    elif len(rows) >= MAX_CONDITIONS or (rows and max(rows) >= MAX_ROW):
        problem = N_("A segment has at most 20 conditions.")
    if problem:
        return segments_page(account, visit, list_id, form, {"add_field": i18n.gettext(problem)}, status=422)
    row = (max(rows) + 1) if rows else 0
    form.update({f"condition_{row}_field": field_name, f"condition_{row}_op": operators[0]})
    form.pop("add_field", None)
    return segments_page(account, visit, list_id, form)


def segment_count(account, form: dict, visit: Visit, list_id: str) -> Response:
    """How many subscribed members the form's conditions would hold, as JSON for the form's script:
    {"count": n, "text": "n subscribed members match."}; 422 with the problems by form field when a
    condition does not fit its field. A post, like the form itself: the values typed in (addresses,
    names) stay out of addresses, logs and the browser's history."""
    rows = _rows(form)
    try:
        data = validate_fields(SegmentIn, _segment_data({**form, "name": "-"}, rows))
        count = visit.services.segments.count_unsaved(account, list_id, data)
    except errors.ValidationFailed as invalid:
        problems = _on_the_form(messages_by_field(invalid), rows)
        return json_response({"count": None, "text": i18n.gettext(N_("Complete the conditions to see the count.")),
                              "errors": problems}, 422)
    return json_response({"count": count, "text": _count_text(count)}, 200)


def _on_the_form(messages: dict, rows: list[int]) -> dict:
    """Errors named "conditions.<n>.<part>" (the n-th filled-in row) as the form's field names."""
    named = {}
    for name, message in messages.items():
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "conditions" and parts[1].isdigit() and int(parts[1]) < len(rows):
            name = f"condition_{rows[int(parts[1])]}_{parts[2]}"
        named.setdefault(name, message)
    return named


def _segment_of(account, visit: Visit, list_id: str, segment_id: str):
    segment = visit.services.segments.get(account, segment_id)
    if segment.list_id != list_id:
        raise SegmentNotFound()
    return visit.services.audience_service.get_list(account, list_id), segment


def segment_page(account, visit: Visit, list_id: str, segment_id: str) -> Response:
    audience_list, segment = _segment_of(account, visit, list_id, segment_id)
    service = visit.services.segments
    members, next_cursor = service.members(account, segment_id, visit.query.get("cursor"))
    return render_app_page("pages/segment.html", account, visit, "/lists", audience_list=audience_list, segment=segment,
                           conditions=_in_words(segment, service.definitions(account.account_id)),
                           match_name=i18n.gettext(MATCH_NAMES[segment.match.value]), members=members,
                           next_cursor=next_cursor, exports=visit.services.list_exports.of_segment(account, segment),
                           notice=_notice(visit))


def submit_segment_export(account, visit: Visit, list_id: str, segment_id: str) -> Response:
    audience_list, segment = _segment_of(account, visit, list_id, segment_id)
    visit.services.list_exports.request(account, audience_list, segment)
    return redirect(f"/lists/{list_id}/segments/{segment_id}?notice=export-requested#export")


def submit_segment_deletion(account, visit: Visit, list_id: str, segment_id: str) -> Response:
    _segment_of(account, visit, list_id, segment_id)
    visit.services.segments.delete(account, segment_id)
    return redirect(f"/lists/{list_id}/segments?notice=deleted")
