"""The segment pages of a list: its segments with their sizes, a form for a new one, and one
segment's conditions in words, its members a page at a time and its CSV export."""

from chalice.app import Response

from chalicelib import errors, i18n
from chalicelib.accounts.page_routes import Visit, redirect, render_app_page
from chalicelib.api import validate_fields
from chalicelib.audience.schemas import SegmentIn
from chalicelib.audience.segments import FIELD_PREFIX, STANDARD_FIELDS, SUBSCRIBED_SINCE, TAG, Match, SegmentNotFound
from chalicelib.forms import messages_by_field
from chalicelib.i18n import N_

FORM_ROWS = 5  # condition rows on the form; the API takes up to 20
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


def segments_page(account, visit: Visit, list_id: str, values=None, field_errors=None, status=200) -> Response:
    audience_list = visit.services.audience_service.get_list(account, list_id)
    service = visit.services.segments
    definitions = service.definitions(account.account_id)
    found = [(s, service.count(account, s.segment_id)) for s in service.segments(account, list_id)]
    return render_app_page("pages/segments.html", account, visit, "/lists", status=status, audience_list=audience_list,
                           segments=found, rows=range(FORM_ROWS), field_options=_field_options(definitions),
                           operator_options=[(op, i18n.gettext(name)) for op, name in OPERATOR_NAMES.items()],
                           match_options=[(code, i18n.gettext(name)) for code, name in MATCH_NAMES.items()],
                           values=values or {"match": Match.ALL.value}, errors=field_errors or {},
                           notice=_notice(visit))


def submit_segment(account, form: dict, visit: Visit, list_id: str) -> Response:
    rows = [i for i in range(FORM_ROWS) if form.get(f"condition_{i}_field")]
    data = {"name": form.get("name", ""), "match": form.get("match", ""),
            "conditions": [{"field": form[f"condition_{i}_field"], "op": form.get(f"condition_{i}_op", ""),
                            "value": form.get(f"condition_{i}_value") or None} for i in rows]}
    try:
        segment = visit.services.segments.create(account, list_id, validate_fields(SegmentIn, data))
    except errors.ValidationFailed as invalid:
        return segments_page(account, visit, list_id, form, _on_the_form(messages_by_field(invalid), rows), status=422)
    return redirect(f"/lists/{list_id}/segments/{segment.segment_id}")


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
