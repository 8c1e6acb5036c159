"""The audience under /api/v1: lists, contacts, members, the suppression list."""

from chalicelib.api import QueryParameter
from chalicelib.audience.audience import ContactOrder, MemberStatus
from chalicelib.audience.schemas import ContactOut, ContactPage, ListOut

CURSOR = QueryParameter("cursor", "The next_cursor of the page before, for the page after it (same order)")
SEARCH = QueryParameter("search", "Only contacts whose address starts with this")
CONTACT_ORDER = QueryParameter(
    "order", "newest (the default) or oldest: by date added; az (the default with ?search=) or za: by address. "
    "Until the one-off audience-added-index job ran on an installation, newest and oldest come as az.",
    choices=tuple(order.value for order in ContactOrder))
MEMBER_STATUS = QueryParameter("status", "Only the members with this status",
                               choices=tuple(status.value for status in MemberStatus))
MEMBER_ORDER = QueryParameter(
    "order", "newest or oldest: by date joined, with ?status= (a list's members are not ordered by address). "
    "Until the one-off audience-joined-index job ran on an installation, they come in no particular order.",
    choices=("newest", "oldest"))


def list_out(services, audience_list) -> ListOut:
    return ListOut(list_id=audience_list.list_id, name=audience_list.name, description=audience_list.description,
                   signup_form_url=services.audience_service.signup_form_url(audience_list.list_id))


def contact_out(services, account, contact, with_lists: bool = False) -> ContactOut:
    lists = {}
    if with_lists:
        lists = {m.list_id: m.status.value for m in services.audience_service.memberships(account, contact)}
    return ContactOut(contact_id=contact.contact_id, email=contact.email, first_name=contact.first_name,
                      last_name=contact.last_name, language=contact.language, tags=list(contact.tags),
                      fields={k: str(v) for k, v in (contact.fields or {}).items()}, lists=lists)


def contact_page(services, account, contacts, next_cursor) -> ContactPage:
    return ContactPage(contacts=[contact_out(services, account, c) for c in contacts], next_cursor=next_cursor)


def import_out(imported, upload: dict | None = None):
    from chalicelib.audience.schemas import ImportOut, UploadForm

    return ImportOut(import_id=imported.import_id, list_id=imported.list_id, status=imported.status.value,
                     headers=imported.headers, mapping=imported.mapping, counts=imported.counts,
                     rows_done=imported.rows_done, problem=imported.problem,
                     upload=UploadForm(url=upload["url"], fields=upload["fields"]) if upload else None)


def custom_field_out(custom_field):
    from chalicelib.audience.schemas import CustomFieldOut

    return CustomFieldOut(key=custom_field.key, label=custom_field.label, field_type=custom_field.field_type.value)


def segment_out(segment):
    from chalicelib.audience.schemas import ConditionOut, SegmentOut

    return SegmentOut(segment_id=segment.segment_id, list_id=segment.list_id, name=segment.name,
                      match=segment.match.value, conditions=[ConditionOut(field=c.field, op=c.op, value=c.value)
                                                             for c in segment.conditions])
