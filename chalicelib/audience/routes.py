"""Routes of the audience: lists, contacts, imports, fields, segments, suppression, and the
subscribers' own pages (sign-up, confirmation, unsubscribe, preferences), as pages and /api/v1."""

from chalice import Blueprint

from chalicelib.composition import services
from chalicelib.accounts.page_routes import PageRoutes
from chalicelib.accounts.web import api_caller
from chalicelib.accounts.schemas import ExportOut
from chalicelib.api import ApiRoutes, query_choice
from chalicelib.audience.api import CONTACT_ORDER, CURSOR, MEMBER_ORDER, MEMBER_STATUS, SEARCH
from chalicelib.audience.schemas import (ContactIn, ContactOut, ContactPage, CustomFieldIn, CustomFieldOut, ImportOut,
                                         ImportStartIn, ListIn, ListOut, SegmentIn, SegmentOut, SuppressionIn)
from chalicelib.forms import FORM

routes = Blueprint(__name__)
api = ApiRoutes(routes, api_caller(services))
pages = PageRoutes(routes, services)


@pages.page("/lists")
def lists(account, query, visit):
    from chalicelib.audience.pages import lists_page

    return lists_page(account, visit)


@pages.page("/lists", methods=["POST"])
def create_list(account, form, visit):
    from chalicelib.audience.pages import submit_list

    return submit_list(account, form, visit)


@pages.page("/lists/{list_id}")
def audience_list(account, query, visit, list_id):
    from chalicelib.audience.pages import list_page

    return list_page(account, visit, list_id)


@pages.page("/lists/{list_id}/contacts", methods=["POST"])
def add_contact(account, form, visit, list_id):
    from chalicelib.audience.pages import submit_contact

    return submit_contact(account, form, visit, list_id)


@pages.page("/lists/{list_id}/export", methods=["POST"])
def export_list(account, form, visit, list_id):
    from chalicelib.audience.pages import submit_list_export

    return submit_list_export(account, visit, list_id)


@pages.page("/lists/{list_id}/imports")
def new_import(account, query, visit, list_id):
    from chalicelib.audience.import_pages import new_import_page

    return new_import_page(account, visit, list_id)


@pages.page("/lists/{list_id}/imports/{import_id}/uploaded")
def import_uploaded(account, query, visit, list_id, import_id):
    from chalicelib.audience.import_pages import uploaded

    return uploaded(account, visit, list_id, import_id)


@pages.page("/lists/{list_id}/imports/{import_id}")
def contact_import(account, query, visit, list_id, import_id):
    from chalicelib.audience.import_pages import import_page

    return import_page(account, visit, list_id, import_id)


@pages.page("/lists/{list_id}/imports/{import_id}", methods=["POST"])
def start_contact_import(account, form, visit, list_id, import_id):
    from chalicelib.audience.import_pages import submit_import

    return submit_import(account, form, visit, list_id, import_id)


@pages.page("/lists/{list_id}/imports/{import_id}/report")
def contact_import_report(account, query, visit, list_id, import_id):
    from chalicelib.audience.import_pages import import_report

    return import_report(account, visit, list_id, import_id)


@pages.page("/fields")
def custom_fields_list(account, query, visit):
    from chalicelib.audience.field_pages import fields_page

    return fields_page(account, visit)


@pages.page("/fields", methods=["POST"])
def create_custom_field(account, form, visit):
    from chalicelib.audience.field_pages import submit_field

    return submit_field(account, form, visit)


@pages.page("/fields/{key}/delete", methods=["POST"], destructive_from="/fields")
def delete_custom_field(account, form, visit, key):
    from chalicelib.audience.field_pages import submit_field_deletion

    return submit_field_deletion(account, visit, key)


@pages.page("/lists/{list_id}/segments")
def list_segments(account, query, visit, list_id):
    from chalicelib.audience.segment_pages import segments_page

    return segments_page(account, visit, list_id)


@pages.page("/lists/{list_id}/segments", methods=["POST"])
def create_segment(account, form, visit, list_id):
    from chalicelib.audience.segment_pages import submit_segment

    return submit_segment(account, form, visit, list_id)


@pages.page("/lists/{list_id}/segment-count", methods=["POST"])
def count_segment_members(account, form, visit, list_id):
    from chalicelib.audience.segment_pages import segment_count

    return segment_count(account, form, visit, list_id)


@pages.page("/lists/{list_id}/segments/{segment_id}")
def segment_details(account, query, visit, list_id, segment_id):
    from chalicelib.audience.segment_pages import segment_page

    return segment_page(account, visit, list_id, segment_id)


@pages.page("/lists/{list_id}/segments/{segment_id}/export", methods=["POST"])
def export_segment(account, form, visit, list_id, segment_id):
    from chalicelib.audience.segment_pages import submit_segment_export

    return submit_segment_export(account, visit, list_id, segment_id)


@pages.page("/lists/{list_id}/segments/{segment_id}/delete", methods=["POST"],
            destructive_from="/lists/{list_id}/segments/{segment_id}")
def delete_segment(account, form, visit, list_id, segment_id):
    from chalicelib.audience.segment_pages import submit_segment_deletion

    return submit_segment_deletion(account, visit, list_id, segment_id)


@pages.page("/contacts")
def contacts(account, query, visit):
    from chalicelib.audience.pages import contacts_page

    return contacts_page(account, visit)


@pages.page("/contacts/{contact_id}")
def contact_details(account, query, visit, contact_id):
    from chalicelib.audience.pages import contact_page

    return contact_page(account, visit, contact_id)


@pages.page("/contacts/{contact_id}", methods=["POST"])
def edit_contact(account, form, visit, contact_id):
    from chalicelib.audience.pages import submit_contact_edit

    return submit_contact_edit(account, form, visit, contact_id)


@pages.page("/contacts/{contact_id}/lists", methods=["POST"])
def add_contact_to_list(account, form, visit, contact_id):
    from chalicelib.audience.pages import submit_contact_to_list

    return submit_contact_to_list(account, form, visit, contact_id)


@pages.page("/contacts/{contact_id}/lists/{list_id}/remove", methods=["POST"],
            destructive_from="/contacts/{contact_id}")
def remove_contact_from_list(account, form, visit, contact_id, list_id):
    from chalicelib.audience.pages import submit_contact_list_removal

    return submit_contact_list_removal(account, visit, contact_id, list_id)


@pages.page("/contacts/{contact_id}/export")
def contact_export(account, query, visit, contact_id):
    from chalicelib.audience.pages import contact_export

    return contact_export(account, visit, contact_id)


@pages.page("/contacts/{contact_id}/erase", methods=["POST"], destructive_from="/contacts/{contact_id}")
def erase_contact(account, form, visit, contact_id):
    from chalicelib.audience.pages import submit_contact_erasure

    return submit_contact_erasure(account, visit, contact_id)


@pages.page("/suppression")
def suppression(account, query, visit):
    from chalicelib.audience.pages import suppression_page

    return suppression_page(account, visit)


@pages.page("/suppression", methods=["POST"])
def add_suppressions(account, form, visit):
    from chalicelib.audience.pages import submit_suppressions

    return submit_suppressions(account, form, visit)


@pages.page("/f/confirm", signed_in=False)
def subscription_confirmation(account, query, visit):
    from chalicelib.audience.public_pages import confirmation_page

    return confirmation_page(visit, query.get("token", ""))


@pages.page("/f/confirm", methods=["POST"], signed_in=False)
def confirm_subscription(account, form, visit):
    from chalicelib.audience.public_pages import submit_confirmation

    return submit_confirmation(form, visit)


@pages.page("/f/{list_id}", signed_in=False)
def signup_form(account, query, visit, list_id):
    from chalicelib.audience.public_pages import signup_form

    return signup_form(visit, list_id)


@pages.page("/f/{list_id}", methods=["POST"], signed_in=False)
def sign_up(account, form, visit, list_id):
    from chalicelib.audience.public_pages import submit_signup

    return submit_signup(form, visit, list_id)


@pages.page("/u/{token}", signed_in=False)
def unsubscribe_page(account, query, visit, token):
    from chalicelib.audience.public_pages import unsubscribe_page

    return unsubscribe_page(visit, token)


# RFC 8058 one-click: whatever the body (mail clients post it as either type), it is not read
@pages.page("/u/{token}", methods=["POST"], signed_in=False, content_types=[FORM, "multipart/form-data"],
            reads_form=False)
def unsubscribe(account, form, visit, token):
    from chalicelib.audience.public_pages import submit_unsubscribe

    return submit_unsubscribe(visit, token)


@pages.page("/u/{token}/preferences", signed_in=False)
def subscription_preferences(account, query, visit, token):
    from chalicelib.audience.public_pages import preferences_page

    return preferences_page(visit, token)


@pages.page("/u/{token}/preferences", methods=["POST"], signed_in=False)
def update_subscription_preferences(account, form, visit, token):
    from chalicelib.audience.public_pages import submit_preferences

    return submit_preferences(form, visit, token)


@api.route("/lists", "GET", summary="The account's lists", tags=["audience"], signed_in=True)
def api_lists(caller):
    from chalicelib.audience.api import list_out

    return [list_out(services(), l).model_dump() for l in services().audience_service.lists(caller.account)]


@api.route("/lists", "POST", summary="Create a list", request=ListIn, response=ListOut, status=201,
           tags=["audience"], signed_in=True)
def api_create_list(data: ListIn, caller):
    from chalicelib.audience.api import list_out

    return list_out(services(), services().audience_service.create_list(caller.account, data))


@api.route("/lists/{list_id}", "GET", summary="One list", response=ListOut, tags=["audience"], signed_in=True,
           errors_=(404,))
def api_list(list_id, caller):
    from chalicelib.audience.api import list_out

    return list_out(services(), services().audience_service.get_list(caller.account, list_id))


@api.route("/lists/{list_id}/members", "GET", summary="A page of a list's members (?status=, ?order=, ?cursor=)",
           response=ContactPage, tags=["audience"], signed_in=True, errors_=(400, 404),
           query=(MEMBER_STATUS, MEMBER_ORDER, CURSOR))
def api_members(list_id, caller):
    from chalicelib import errors
    from chalicelib.audience.api import contact_page
    from chalicelib.audience.audience import MemberStatus
    from chalicelib.i18n import N_

    query = routes.current_request.query_params or {}
    status = MemberStatus(query["status"]) if query.get("status") in {s.value for s in MemberStatus} else None
    order = query_choice(MEMBER_ORDER, query)
    if order and status is None:
        raise errors.MalformedRequest(N_("Ordering a list's members by date joined needs a status (?status=)."))
    members, cursor = services().audience_service.members(caller.account, list_id, status, query.get("cursor"),
                                                          order=order)
    return contact_page(services(), caller.account, members, cursor)

@api.route("/lists/{list_id}/contacts", "POST", summary="Add a contact (double opt-in unless a lawful basis is given)",
           request=ContactIn, response=ContactOut, status=201, tags=["audience"], signed_in=True, errors_=(404,))
def api_add_contact(data: ContactIn, list_id, caller):
    from chalicelib.audience.api import contact_out
    from chalicelib.audience.audience import ConsentSource

    membership = services().audience_service.add_contact(caller.account, list_id, data, ConsentSource.API, caller.ip,
                                                         routes.current_request.headers.get("user-agent"))
    contact = services().audience_service.get_contact(caller.account, membership.contact_id)
    return contact_out(services(), caller.account, contact, with_lists=True)


@api.route("/lists/{list_id}/exports", "POST", summary="Prepare a CSV file of the list's members with consent",
           response=ExportOut, status=202, tags=["audience"], signed_in=True, errors_=(404,))
def api_export_list(list_id, caller):
    from chalicelib.accounts.api import export_out

    audience_list = services().audience_service.get_list(caller.account, list_id)
    return export_out(services(), routes.current_request, caller.account, services().list_exports.request(caller.account, audience_list))

@api.route("/lists/{list_id}/imports", "POST", summary="Begin a CSV import: returns the form that uploads the file",
           response=ImportOut, status=201, tags=["audience"], signed_in=True, errors_=(404,))
def api_begin_import(list_id, caller):
    from chalicelib.audience.api import import_out

    return import_out(*services().contact_imports.begin(caller.account, list_id))


@api.route("/imports/{import_id}", "GET", summary="An import: suggested mapping once the file is there, then progress",
           response=ImportOut, tags=["audience"], signed_in=True, errors_=(404, 409, 422))
def api_import(import_id, caller):
    from chalicelib.audience.api import import_out
    from chalicelib.audience.imports import ImportNotReady

    try:
        return import_out(services().contact_imports.file_received(caller.account, import_id))
    except ImportNotReady:
        return import_out(services().contact_imports.get(caller.account, import_id))

@api.route("/imports/{import_id}/start", "POST", summary="Start an import with a mapping and a declared lawful basis",
           request=ImportStartIn, response=ImportOut, status=202, tags=["audience"], signed_in=True,
           errors_=(404, 409, 422))
def api_start_import(data, import_id, caller):
    from chalicelib.audience.api import import_out

    return import_out(services().contact_imports.start(caller.account, import_id, data.mapping, data.declared,
                                                       data.lawful_basis, caller.ip,
                                                       routes.current_request.headers.get("user-agent")))

@api.route("/imports/{import_id}/report", "GET", summary="A short-lived link to the import's per-row report (CSV)",
           tags=["audience"], signed_in=True, errors_=(404, 409))
def api_import_report(import_id, caller):
    return {"url": services().contact_imports.report_url(caller.account, import_id)}


@api.route("/fields", "GET", summary="The account's custom fields", tags=["audience"], signed_in=True)
def api_custom_fields(caller):
    from chalicelib.audience.api import custom_field_out

    return [custom_field_out(f).model_dump() for f in services().custom_fields.fields(caller.account)]


@api.route("/fields", "POST", summary="Define a custom field (text, number, date or boolean); at most 50",
           request=CustomFieldIn, response=CustomFieldOut, status=201, tags=["audience"], signed_in=True)
def api_create_custom_field(data: CustomFieldIn, caller):
    from chalicelib.audience.api import custom_field_out

    return custom_field_out(services().custom_fields.create(caller.account, data.label, data.field_type))


@api.route("/fields/{key}", "DELETE", summary="Delete a custom field; contacts keep their values as text",
           status=204, tags=["audience"], signed_in=True, errors_=(404,))
def api_delete_custom_field(key, caller):
    services().custom_fields.delete(caller.account, key)

@api.route("/lists/{list_id}/segments", "GET", summary="A list's segments", tags=["audience"], signed_in=True,
           errors_=(404,))
def api_list_segments(list_id, caller):
    from chalicelib.audience.api import segment_out

    return [segment_out(s).model_dump() for s in services().segments.segments(caller.account, list_id)]


@api.route("/lists/{list_id}/segments", "POST", summary="Save a segment: the list's members matching conditions",
           request=SegmentIn, response=SegmentOut, status=201, tags=["audience"], signed_in=True, errors_=(404,))
def api_create_segment(data: SegmentIn, list_id, caller):
    from chalicelib.audience.api import segment_out

    return segment_out(services().segments.create(caller.account, list_id, data))


@api.route("/segments/{segment_id}", "GET", summary="One segment", response=SegmentOut, tags=["audience"],
           signed_in=True, errors_=(404,))
def api_segment(segment_id, caller):
    from chalicelib.audience.api import segment_out

    return segment_out(services().segments.get(caller.account, segment_id))


@api.route("/segments/{segment_id}", "PUT", summary="Change a segment's name and conditions", request=SegmentIn,
           response=SegmentOut, tags=["audience"], signed_in=True, errors_=(404,))
def api_update_segment(data: SegmentIn, segment_id, caller):
    from chalicelib.audience.api import segment_out

    return segment_out(services().segments.update(caller.account, segment_id, data))


@api.route("/segments/{segment_id}", "DELETE", summary="Delete a segment (its contacts stay on the list)",
           status=204, tags=["audience"], signed_in=True, errors_=(404,))
def api_delete_segment(segment_id, caller):
    services().segments.delete(caller.account, segment_id)

@api.route("/segments/{segment_id}/members", "GET", summary="About a page of the subscribed members that match "
           "(?cursor=); a page may hold fewer while next_cursor goes on", response=ContactPage, tags=["audience"],
           signed_in=True, errors_=(404,))
def api_segment_members(segment_id, caller):
    from chalicelib.audience.api import contact_page

    cursor = (routes.current_request.query_params or {}).get("cursor")
    return contact_page(services(), caller.account, *services().segments.members(caller.account, segment_id, cursor))

@api.route("/segments/{segment_id}/exports", "POST", summary="Prepare a CSV file of the segment's members with consent",
           response=ExportOut, status=202, tags=["audience"], signed_in=True, errors_=(404,))
def api_export_segment(segment_id, caller):
    from chalicelib.accounts.api import export_out

    segment = services().segments.get(caller.account, segment_id)
    audience_list = services().audience_service.get_list(caller.account, segment.list_id)
    export = services().list_exports.request(caller.account, audience_list, segment)
    return export_out(services(), routes.current_request, caller.account, export)

@api.route("/contacts", "GET", summary="A page of contacts (?search= by address prefix, ?order=, ?cursor=)",
           response=ContactPage, tags=["audience"], signed_in=True, query=(SEARCH, CONTACT_ORDER, CURSOR))
def api_contacts(caller):
    from chalicelib.audience.api import contact_page
    from chalicelib.audience.audience import ContactOrder

    query = routes.current_request.query_params or {}
    requested = query_choice(CONTACT_ORDER, query)
    service = services().audience_service
    order = service.contact_order(ContactOrder(requested) if requested else None, query.get("search"))
    contacts, cursor = service.contacts(caller.account, query.get("cursor"), query.get("search"), order)
    return contact_page(services(), caller.account, contacts, cursor)


@api.route("/contacts/{contact_id}", "GET", summary="One contact with its lists", response=ContactOut,
           tags=["audience"], signed_in=True, errors_=(404,))
def api_contact(contact_id, caller):
    from chalicelib.audience.api import contact_out

    return contact_out(services(), caller.account, services().audience_service.get_contact(caller.account, contact_id), with_lists=True)


@api.route("/contacts/{contact_id}/data", "GET", summary="Everything kept about one contact (their data request)",
           tags=["audience"], signed_in=True, errors_=(404,))
def api_contact_data(contact_id, caller):
    return services().audience_service.contact_data(caller.account, contact_id)

@api.route("/contacts/{contact_id}", "DELETE", summary="Erase a contact; only a hash stays on the suppression list",
           status=204, tags=["audience"], signed_in=True, errors_=(404,))
def api_erase_contact(contact_id, caller):
    services().audience_service.erase_contact(caller.account, contact_id)


@api.route("/suppression", "GET", summary="A page of the suppression list (?cursor=)", tags=["audience"],
           signed_in=True)
def api_suppressions(caller):
    entries, cursor = services().audience_service.suppressions(caller.account, (routes.current_request.query_params or {}).get("cursor"))
    return {"suppressions": [{"email": e.email, "reason": e.reason.value, "since": e.at.isoformat()} for e in entries],
            "next_cursor": cursor}

@api.route("/suppression", "POST", summary="Add addresses to the suppression list", request=SuppressionIn,
           tags=["audience"], signed_in=True)
def api_add_suppressions(data: SuppressionIn, caller):
    added, refused = services().audience_service.suppress_addresses(caller.account, data.emails)
    return {"added": added, "not_addresses": refused}
