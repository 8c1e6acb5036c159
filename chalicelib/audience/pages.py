"""The account holder's audience pages: lists, contacts, the suppression list."""

from dataclasses import dataclass

from chalice.app import Response

from chalicelib import errors, i18n
from chalicelib.accounts.page_routes import Visit, redirect, render_app_page
from chalicelib.api import validate_fields
from chalicelib.audience.audience import SUPPRESSION_REASON_NAMES, ConsentSource, ContactOrder, MemberStatus
from chalicelib.audience.schemas import ContactIn, ListIn
from chalicelib.forms import messages_by_field
from chalicelib.i18n import N_
from chalicelib.template_environments import pages

STATUS_TABS = ((MemberStatus.SUBSCRIBED.value, N_("Subscribed")), (MemberStatus.UNCONFIRMED.value, N_("Not yet confirmed")),
               (MemberStatus.UNSUBSCRIBED.value, N_("Unsubscribed")))
NOTICES = {
    "contact-added": N_("The contact is added."),
    "confirmation-sent": N_("The contact is added and has been sent a confirmation mail."),
    "not-subscribed": N_("This address unsubscribed, bounced or complained before: it was not subscribed again."),
    "erased": N_("The contact is erased."),
    "export-requested": N_("We are preparing the CSV file. This page shows when it is ready."),
    "contact-saved": N_("The contact is saved."),
    "removed-from-list": N_("The contact is off that list. Only their own sign-up puts them back on it."),
}
STATUS_NAMES = dict(STATUS_TABS)
MEMBER_SORT_CHOICES = (("joined", "desc", N_("Newest first")), ("joined", "asc", N_("Oldest first")))
CONTACT_SORT_CHOICES = {  # a sort link's sort and order on /contacts, and the order it stands for
    ("added", "desc"): (ContactOrder.NEWEST, N_("Newest first")),
    ("added", "asc"): (ContactOrder.OLDEST, N_("Oldest first")),
    ("email", "asc"): (ContactOrder.AZ, N_("E-mail address A-Z")),
    ("email", "desc"): (ContactOrder.ZA, N_("E-mail address Z-A")),
}
CONTACT_SORTS = {order: link for link, (order, _) in CONTACT_SORT_CHOICES.items()}
JOINED_ORDERS = {"desc": "newest", "asc": "oldest"}  # a sort link's order -> repository.MEMBER_ORDERS
RECEIVED_NAMES = {  # what became of a contact's mail of a campaign (campaigns/received.py)
    "sent": N_("sent"), "failed": N_("could not be sent"), "unknown": N_("unknown whether it was sent"),
    "pending": N_("being sent"),
}
CONSENT_LABELS = {
    "source": N_("Source"), "at": N_("Given at"), "ip": N_("IP address"), "user_agent": N_("Browser"),
    "form_text": N_("Text shown"), "form_version": N_("Version of the text"), "language": N_("Language"),
    "lawful_basis": N_("Lawful basis"), "confirmation_requested": N_("Confirmation asked"),
    "confirmed_at": N_("Confirmed at"), "confirmed_ip": N_("Confirmed from IP address"),
    "confirmed_user_agent": N_("Confirmed with browser"), "withdrawn_at": N_("Withdrawn at"),
    "withdrawn_ip": N_("Withdrawn from IP address"),
    "removed_by_account_at": N_("Removed by you at"), "removed_from_ip": N_("Removed from IP address"),
    "import_id": N_("Import"), "file_name": N_("File name"), "declared_by": N_("Declared by"),
    "suppressed_at": N_("Suppressed at"), "suppression_reason": N_("Reason"),
}
CONSENT_SOURCE_NAMES = {ConsentSource.FORM.value: N_("Sign-up form"), ConsentSource.IMPORT.value: N_("Import"),
                        ConsentSource.API.value: N_("API"), ConsentSource.MANUAL.value: N_("Added by hand")}
CONSENT_VALUE_NAMES = {"source": CONSENT_SOURCE_NAMES,  # proof-of-consent values shown through a label
                       "suppression_reason": {reason.value: name for reason, name in SUPPRESSION_REASON_NAMES.items()}}


def lists_page(account, visit: Visit, values=None, field_errors=None, status=200) -> Response:
    return render_app_page("pages/lists.html", account, visit, "/lists", status=status,
                           lists=visit.services.audience_service.lists(account), values=values or {},
                           errors=field_errors or {})


def submit_list(account, form: dict, visit: Visit) -> Response:
    try:
        data = validate_fields(ListIn, {k: v for k, v in form.items() if k in ("name", "description")})
    except errors.ValidationFailed as invalid:
        return lists_page(account, visit, form, messages_by_field(invalid), status=422)
    audience_list = visit.services.audience_service.create_list(account, data)
    return redirect(f"/lists/{audience_list.list_id}")


def signup_snippet(form_url: str, consent_text: str, language: str) -> str:
    """The form for the customer's own website, in the account's language."""
    with i18n.use_language(language):
        return pages().get_template("snippets/signup_form.html").render(form_url=form_url, consent_text=consent_text)


@dataclass(frozen=True)
class MemberListing:
    """What a list page's status tab, sort links and paging ask for (snippets/listing_sort.html)."""
    status: str
    order: str  # "desc": newest first (the default), "asc": oldest first
    sort: str = "joined"

    @classmethod
    def from_query(cls, query: dict) -> "MemberListing":
        status = query.get("status") if query.get("status") in {s.value for s in MemberStatus} else "subscribed"
        return cls(status, query.get("order") if query.get("order") in JOINED_ORDERS else "desc")

    def link(self, path: str, **changes) -> str:
        from urllib.parse import urlencode

        values = {"status": self.status, "sort": self.sort, "order": self.order, **changes}
        return f"{path}?{urlencode({name: value for name, value in values.items() if value})}"


def list_page(account, visit: Visit, list_id: str, values=None, field_errors=None, status=200) -> Response:
    service = visit.services.audience_service
    query = visit.query
    audience_list = service.get_list(account, list_id)
    listing = MemberListing.from_query(query)
    member_status = listing.status
    members, next_cursor = service.members(account, list_id, MemberStatus(member_status), query.get("cursor"),
                                           order=JOINED_ORDERS[listing.order])
    form_url = service.signup_form_url(list_id)
    notice_key = query.get("notice")
    notice = i18n.gettext(NOTICES[notice_key]) if notice_key in NOTICES else None
    return render_app_page("pages/list.html", account, visit, "/lists", status=status, audience_list=audience_list,
                           members=members, next_cursor=next_cursor, member_status=member_status, statuses=STATUS_TABS,
                           form_url=form_url, snippet=signup_snippet(form_url, service.consent_text(account, account.language), account.language),
                           values=values or {}, errors=field_errors or {}, notice=notice,
                           exports=visit.services.list_exports.of_list(account, list_id),
                           listing=listing, sort_choices=MEMBER_SORT_CHOICES, listing_path=f"/lists/{list_id}")


def submit_contact(account, form: dict, visit: Visit, list_id: str) -> Response:
    fields = {k: v for k, v in form.items() if k in ("email", "first_name", "last_name", "lawful_basis")}
    fields["confirm"] = form.get("confirm") == "on"
    try:
        data = validate_fields(ContactIn, fields)
        membership = visit.services.audience_service.add_contact(account, list_id, data, ConsentSource.MANUAL,
                                                             visit.ip, visit.user_agent)
    except errors.ValidationFailed as invalid:
        return list_page(account, visit, list_id, form, messages_by_field(invalid), status=422)
    notice = {MemberStatus.SUBSCRIBED: "contact-added", MemberStatus.UNCONFIRMED: "confirmation-sent",
              MemberStatus.UNSUBSCRIBED: "not-subscribed"}[membership.status]
    return redirect(f"/lists/{list_id}?notice={notice}")


@dataclass(frozen=True)
class ContactListing:
    """What the contacts page's search, sort links and paging ask for (snippets/listing_sort.html)."""
    search: str
    sort: str  # "added" (newest first: the default once the by-added index is ready) or "email" (A-Z)
    order: str  # "desc" or "asc"

    @classmethod
    def of(cls, search: str, order: ContactOrder) -> "ContactListing":
        return cls(search, *CONTACT_SORTS[order])

    def link(self, path: str, **changes) -> str:
        from urllib.parse import urlencode

        values = {"search": self.search, "sort": self.sort, "order": self.order, **changes}
        return f"{path}?{urlencode({name: value for name, value in values.items() if value})}"


def contacts_page(account, visit: Visit) -> Response:
    query = visit.query
    search = query.get("search", "")
    service = visit.services.audience_service
    # a link from before the date orders has ?order= alone: by address
    requested = CONTACT_SORT_CHOICES.get((query.get("sort", "email"), query.get("order")), (None,))[0]
    order = service.contact_order(requested, search)
    listing = ContactListing.of(search, order)
    contacts, next_cursor = service.contacts(account, query.get("cursor"), search, order)
    offered = service.contact_orders()
    sort_choices = [(sort, way, label) for (sort, way), (choice, label) in CONTACT_SORT_CHOICES.items()
                    if choice in offered]
    notice_key = query.get("notice")
    notice = i18n.gettext(NOTICES[notice_key]) if notice_key in NOTICES else None
    return render_app_page("pages/contacts.html", account, visit, "/contacts", contacts=contacts,
                           next_cursor=next_cursor, search=search, notice=notice, listing=listing,
                           sort_choices=sort_choices, listing_path="/contacts")


def _contact_values(contact, definitions) -> dict:
    """The edit form's fields as the contact has them (custom fields as `fields.<key>`)."""
    def shown(value):
        return ("true" if value else "false") if isinstance(value, bool) else str(value)

    return {"first_name": contact.first_name or "", "last_name": contact.last_name or "",
            "language": contact.language or "", "tags": ", ".join(contact.tags),
            **{f"fields.{d.key}": shown(contact.fields[d.key]) for d in definitions if d.key in contact.fields}}


def contact_page(account, visit: Visit, contact_id: str, values=None, field_errors=None, status=200,
                 list_values=None, list_errors=None) -> Response:
    from chalicelib.audience.custom_fields import FieldType

    service = visit.services.audience_service
    contact = service.get_contact(account, contact_id)
    lists = service.lists(account)
    names = {l.list_id: l.name for l in lists}
    memberships = [(m, names.get(m.list_id, "?")) for m in service.memberships(account, contact)]
    suppression = visit.services.audience.suppression(account.account_id, contact.email_key)
    activity = visit.services.campaign_service.contact_activity(account, contact_id)
    definitions = service.custom_field_definitions(account.account_id)
    on_lists = {m.list_id for m, _ in memberships}
    notice_key = visit.query.get("notice")
    return render_app_page("pages/audience_contact.html", account, visit, "/contacts", status=status, contact=contact,
                           memberships=memberships, activity=activity, received_names=RECEIVED_NAMES,
                           status_names=STATUS_NAMES, consent_labels=CONSENT_LABELS,
                           value_names=CONSENT_VALUE_NAMES,
                           field_labels={f.key: f.label for f in definitions},
                           suppressed=SUPPRESSION_REASON_NAMES[suppression.reason] if suppression else None,
                           definitions=definitions, field_types=FieldType,
                           values=_contact_values(contact, definitions) if values is None else values,
                           errors=field_errors or {}, list_values=list_values or {}, list_errors=list_errors or {},
                           other_lists=[(l.list_id, l.name) for l in lists if l.list_id not in on_lists],
                           notice=i18n.gettext(NOTICES[notice_key]) if notice_key in NOTICES else None)


def submit_contact_edit(account, form: dict, visit: Visit, contact_id: str) -> Response:
    from chalicelib.audience.schemas import ContactEdit

    fields = {k: v for k, v in form.items() if k in ("first_name", "last_name", "language")}
    fields["tags"] = [tag.strip() for tag in form.get("tags", "").split(",") if tag.strip()]
    fields["fields"] = {k.removeprefix("fields."): v for k, v in form.items() if k.startswith("fields.")}
    try:
        visit.services.audience_service.update_contact(account, contact_id, validate_fields(ContactEdit, fields))
    except errors.ValidationFailed as invalid:
        return contact_page(account, visit, contact_id, form, _edit_messages(invalid), status=422)
    return redirect(f"/contacts/{contact_id}?notice=contact-saved")


def _edit_messages(invalid: errors.ValidationFailed) -> dict:
    """Messages by form field: a tag's problem (tags.3) shows beside the tags field."""
    messages = {}
    for name, message in messages_by_field(invalid).items():
        messages.setdefault("tags" if name.startswith("tags") else name, message)
    return messages


def submit_contact_to_list(account, form: dict, visit: Visit, contact_id: str) -> Response:
    """Put a contact on another of the account's lists: with a confirmation mail, or a lawful basis."""
    service = visit.services.audience_service
    contact = service.get_contact(account, contact_id)
    list_id = form.get("list_id", "")
    try:
        if not list_id:
            raise errors.ValidationFailed(field_errors=[errors.FieldError("list_id", N_("Choose a list."))])
        data = validate_fields(ContactIn, {"email": contact.email, "confirm": form.get("confirm") == "on",
                                           "lawful_basis": form.get("lawful_basis", "")})
        membership = service.add_contact(account, list_id, data, ConsentSource.MANUAL, visit.ip, visit.user_agent)
    except errors.ValidationFailed as invalid:
        return contact_page(account, visit, contact_id, list_values=form, list_errors=messages_by_field(invalid),
                            status=422)
    notice = {MemberStatus.SUBSCRIBED: "contact-added", MemberStatus.UNCONFIRMED: "confirmation-sent",
              MemberStatus.UNSUBSCRIBED: "not-subscribed"}[membership.status]
    return redirect(f"/contacts/{contact_id}?notice={notice}")


def submit_contact_list_removal(account, visit: Visit, contact_id: str, list_id: str) -> Response:
    visit.services.audience_service.remove_from_list(account, contact_id, list_id, visit.ip)
    return redirect(f"/contacts/{contact_id}?notice=removed-from-list")


def suppression_page(account, visit: Visit, notice=None) -> Response:
    entries, next_cursor = visit.services.audience_service.suppressions(account, visit.query.get("cursor"))
    return render_app_page("pages/suppression.html", account, visit, "/suppression", suppressions=entries,
                           next_cursor=next_cursor, reason_names=SUPPRESSION_REASON_NAMES, notice=notice)


def submit_suppressions(account, form: dict, visit: Visit) -> Response:
    added, refused = visit.services.audience_service.suppress_addresses(account, form.get("emails", "").splitlines())
    notice = i18n.gettext(N_("%(added)s addresses added.")) % {"added": added}
    if refused:
        notice += " " + i18n.gettext(N_("Not addresses, so not added: %(refused)s")) % {"refused": ", ".join(refused[:20])}
    return suppression_page(account, visit, notice=notice)


def contact_export(account, visit: Visit, contact_id: str) -> Response:
    import json

    data = visit.services.audience_service.contact_data(account, contact_id)
    return Response(body=json.dumps(data, ensure_ascii=False, indent=2), headers={
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": f'attachment; filename="contact-{contact_id}.json"'})


def submit_contact_erasure(account, visit: Visit, contact_id: str) -> Response:
    visit.services.audience_service.erase_contact(account, contact_id)
    return redirect("/contacts?notice=erased")


def submit_list_export(account, visit: Visit, list_id: str) -> Response:
    visit.services.list_exports.request(account, visit.services.audience_service.get_list(account, list_id))
    return redirect(f"/lists/{list_id}?notice=export-requested#export")
