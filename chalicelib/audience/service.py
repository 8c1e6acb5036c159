"""Audience services: lists, contacts, double opt-in sign-ups with proof of consent, unsubscribes,
and the suppression list. Consent and unsubscribes are sacred: an address that unsubscribed,
bounced hard or complained is never subscribed again by anyone but the person themselves
(and, for bounces and complaints, not even then)."""

import hashlib
import uuid
from datetime import datetime, timedelta, timezone

from chalicelib import errors
from chalicelib.accounts.auth_store import LinkProblem, LinkPurpose, LinkRefused
from chalicelib.accounts.throttle import Limit
from chalicelib.audience.audience import (BY_DATE_ADDED, PERSON_MAY_LIFT, AudienceList, ConsentSource, Contact,
                                          ContactOrder, Membership, MemberStatus, SuppressionReason, contact_id_for)
from chalicelib.audience.signing import ALL_LISTS, InvalidToken, Subscriber
from chalicelib.delivery.mail import MailRequest
from chalicelib.delivery.service import queue_mail
from chalicelib.hooks import Hook
from chalicelib.i18n import LANGUAGES, N_, gettext, use_language
from chalicelib.observability import logger
from chalicelib.validation import address_key

CONFIRMATION_VALID_FOR = timedelta(days=7)
SIGNUP_LIMIT = Limit("signup-ip", attempts=10, window_s=10 * 60)
SIGNUP_CONSENT_TEXT = N_("Yes, I want to receive the mailings of %(sender)s. I can unsubscribe at any moment with "
                         "the link under every mail.")


class SignUpsClosed(errors.DomainError):
    status = 410
    code = "sign-ups-closed"
    title = N_("This form no longer accepts sign-ups")
    default_message = N_("The sender of this list does not accept new subscribers at the moment.")


CONFIRMATION_LINK_MESSAGES = {
    LinkProblem.USED: N_("You have already confirmed with this link."),
    LinkProblem.EXPIRED: N_("This link has expired. Sign up again to get a new one."),
}
NOT_VALID = N_("This link is not valid. Copy the whole link from the mail.")


def invalid_link(message: str = NOT_VALID) -> LinkRefused:
    return LinkRefused(LinkProblem.UNKNOWN, message)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def form_version(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def sender_name(account) -> str:
    """Who subscribers get mail from: the account's company name, else its holder's name."""
    return account.company_name or account.name


class AudienceService:
    def __init__(self, audience, accounts, links, mail_queue, signer, throttle, public_base_url: str,
                 custom_fields=None, usage=None):
        self._audience = audience
        self._usage = usage  # the usage service: a new contact is claimed against the plan's limit first
        # What other domains keep of a contact (campaigns: what they received, opened and clicked) is
        # part of the contact's data, and erased with them.
        self.contact_activity = Hook()  # (account, contact_id) -> a list of activity entries
        self.contact_erased = Hook()  # (account, contact_id): about to be erased
        self._custom_fields = custom_fields  # the account's typed fields (custom_fields.CustomFieldService)
        self._accounts = accounts
        self._links = links
        self._mail_queue = mail_queue
        self._signer = signer  # a function returning the Signer: its key is fetched on first use
        self._throttle = throttle
        self._base_url = public_base_url

    # --- lists -----------------------------------------------------------------------------------

    def create_list(self, account, data) -> AudienceList:
        audience_list = AudienceList(uuid.uuid4().hex, account.account_id, data.name, data.description, _now())
        self._audience.add_list(audience_list)
        return audience_list

    def lists(self, account) -> list[AudienceList]:
        return self._audience.lists(account.account_id)

    def get_list(self, account, list_id: str) -> AudienceList:
        found = self._audience.get_list(account.account_id, list_id)
        if found is None:
            raise errors.NotFound(N_("There is no such list in your account."))
        return found

    def signup_form_url(self, list_id: str) -> str:
        return f"{self._base_url}/f/{list_id}"

    # --- contacts --------------------------------------------------------------------------------

    def contact_orders(self) -> tuple[ContactOrder, ...]:
        """The orders the contacts can be listed in now: by address, and by date added once the
        by-added index holds every contact (its one-off backfill ran)."""
        dated = BY_DATE_ADDED if self._audience.added_index_ready() else ()
        return (*dated, ContactOrder.AZ, ContactOrder.ZA)

    def contact_order(self, requested: ContactOrder | None, search: str | None = None) -> ContactOrder:
        """The order the contacts come in: the one asked for when it is offered now; else newest
        first, or by address while searching (the search is by address prefix, which that order
        pages through directly) or before the by-added index is ready."""
        offered = self.contact_orders()
        if requested in offered:
            return requested
        return ContactOrder.AZ if (search or "").strip() or requested in BY_DATE_ADDED else offered[0]

    def contacts(self, account, cursor=None, search: str | None = None, order: ContactOrder = ContactOrder.AZ):
        """A page of the account's contacts in `order` (see `contact_order`), optionally those whose
        address starts with `search`."""
        prefix = (search or "").strip() or None
        if order in BY_DATE_ADDED:
            return self._audience.contacts_by_added(account.account_id, cursor=cursor, email_prefix=prefix,
                                                    newest=order is ContactOrder.NEWEST)
        return self._audience.contacts(account.account_id, cursor=cursor, email_prefix=prefix,
                                       descending=order is ContactOrder.ZA)

    def get_contact(self, account, contact_id: str) -> Contact:
        contact = self._audience.get_contact(account.account_id, contact_id)
        if contact is None:
            raise errors.NotFound(N_("There is no such contact in your account."))
        return contact

    def memberships(self, account, contact: Contact) -> list[Membership]:
        return self._audience.memberships(account.account_id, contact.contact_id)

    def members(self, account, list_id: str, status: MemberStatus | None = None, cursor=None, order=None):
        """A page of a list's contacts; `order` "newest"/"oldest" by date joined (with a status)."""
        self.get_list(account, list_id)
        page, next_cursor = self._audience.member_page(account.account_id, list_id, status, cursor, order=order)
        return [contact for contact, _ in page], next_cursor

    def add_contact(self, account, list_id: str, data, source: ConsentSource, ip: str | None,
                    user_agent: str | None = None) -> Membership:
        """Add a contact to a list, as the account holder (page, API) or an import."""
        audience_list = self.get_list(account, list_id)
        if data.confirm:  # a confirmation mail goes out in this account's name
            from chalicelib.accounts.service import require_may_send

            require_may_send(account)
        if not data.confirm and not data.lawful_basis:
            raise errors.ValidationFailed(field_errors=[errors.FieldError(
                "lawful_basis", N_("Say how this person gave consent, or send them a confirmation mail."))])
        contact = self._upsert_contact(account.account_id, data)
        consent = {"source": source.value, "at": _now().isoformat(), "ip": ip, "user_agent": user_agent,
                   "lawful_basis": data.lawful_basis, "confirmation_requested": data.confirm}
        return self._join(account, audience_list, contact, consent, confirm=data.confirm)

    def update_contact(self, account, contact_id: str, data) -> Contact:
        """The account holder changes a contact's name, language, tags and custom fields (`data`: a
        schemas.ContactEdit). A defined field left empty is removed; values of fields no longer
        defined stay as they are. The address does not change: a new address is a new contact."""
        from chalicelib.audience.custom_fields import coerce_fields

        contact = self.get_contact(account, contact_id)
        definitions = self.custom_field_definitions(account.account_id)
        defined = {d.key for d in definitions}
        given = {key: value for key, value in data.fields.items() if key in defined}
        fields = {key: value for key, value in contact.fields.items() if key not in given}
        fields.update(coerce_fields(definitions, {key: value for key, value in given.items() if value.strip()}))
        contact.first_name, contact.last_name, contact.language = data.first_name, data.last_name, data.language
        contact.tags, contact.fields = list(dict.fromkeys(data.tags)), fields
        self._audience.save_contact(contact)
        logger.info("contact changed", contact_id=contact_id)
        return self._audience.get_contact(account.account_id, contact_id)

    def remove_from_list(self, account, contact_id: str, list_id: str, ip: str | None) -> None:
        """The account holder takes a contact off a list. It counts as leaving it: only the person's
        own sign-up subscribes them there again (`_join`), and the consent record says who removed them."""
        contact = self.get_contact(account, contact_id)
        self.get_list(account, list_id)
        membership = self._audience.membership(account.account_id, list_id, contact.contact_id)
        if membership is None or membership.status is MemberStatus.UNSUBSCRIBED:
            return
        if membership.status is MemberStatus.SUBSCRIBED:
            self._audience.count_growth(account.account_id, {"unsubscribed": 1})
        membership.status, membership.updated_at = MemberStatus.UNSUBSCRIBED, _now()
        membership.consent = {**(membership.consent or {}), "removed_by_account_at": _now().isoformat(),
                              "removed_from_ip": ip}
        self._audience.save_membership(membership)
        logger.info("contact removed from a list", list_id=list_id)

    def custom_field_definitions(self, account_id: str) -> list:
        return self._custom_fields.definitions(account_id) if self._custom_fields is not None else []

    def _upsert_contact(self, account_id: str, data) -> Contact:
        from chalicelib.audience.custom_fields import coerce_fields

        fields = getattr(data, "fields", None)
        fields = coerce_fields(self.custom_field_definitions(account_id), fields) if fields else {}
        key = address_key(data.email)
        existing = self._audience.contact_by_email(account_id, key)
        if existing is not None:
            changed = False
            for name in ("first_name", "last_name", "language"):
                value = getattr(data, name, None)
                if value and value != getattr(existing, name):
                    setattr(existing, name, value)
                    changed = True
            for tag in getattr(data, "tags", None) or ():
                if tag not in existing.tags:
                    existing.tags.append(tag)
                    changed = True
            if fields:
                existing.fields.update(fields)
                changed = True
            if changed:
                self._audience.save_contact(existing)
            return existing
        contact = Contact(contact_id_for(account_id, key), account_id, data.email, key, getattr(data, "first_name", None),
                          getattr(data, "last_name", None), getattr(data, "language", None),
                          dict(fields), list(getattr(data, "tags", None) or []), _now())
        self._claim_contacts(account_id, 1)  # QuotaExceeded: over the plan's contacts, nothing stored
        try:
            added = self._audience.add_contact(contact)
        except Exception:
            self._release_contacts(account_id, 1)
            raise
        if not added:  # someone else added it a moment ago
            self._release_contacts(account_id, 1)
            return self._audience.contact_by_email(account_id, key)
        return contact

    def _claim_contacts(self, account_id: str, n: int) -> None:
        if self._usage is not None:
            from chalicelib.usage.plans import Meter

            self._usage.claim(account_id, Meter.CONTACTS, n, field="email")

    def _release_contacts(self, account_id: str, n: int) -> None:
        if self._usage is not None:
            from chalicelib.usage.plans import Meter

            self._usage.release(account_id, Meter.CONTACTS, n)

    def claim_contacts_up_to(self, account_id: str, n: int) -> int:
        """For an import: how many of `n` new contacts fit under the plan's limit (claimed now)."""
        if self._usage is None:
            return n
        from chalicelib.usage.plans import Meter

        return self._usage.claim_up_to(account_id, Meter.CONTACTS, n)

    def contacts_imported(self, account_id: str, imported: int) -> None:
        """An import finished: counted for the month (P3) and platform-wide (P7)."""
        if self._usage is not None:
            self._usage.record_import(account_id, imported)

    def contact_limit(self, account_id: str) -> int | None:
        if self._usage is None:
            return None
        return self._usage.limits(account_id).contacts

    def _join(self, account, audience_list: AudienceList, contact: Contact, consent: dict, confirm: bool,
              by_the_person: bool = False) -> Membership:
        """The one place that decides a contact's status on a list."""
        current = self._audience.membership(account.account_id, audience_list.list_id, contact.contact_id)
        if current is not None and current.status is MemberStatus.SUBSCRIBED:
            return current
        suppression = self._audience.suppression(account.account_id, contact.email_key)
        blocked = suppression is not None and (suppression.reason not in PERSON_MAY_LIFT or not by_the_person)
        left_this_list = current is not None and current.status is MemberStatus.UNSUBSCRIBED
        if blocked or (left_this_list and not by_the_person):
            membership = current or Membership(account.account_id, audience_list.list_id, contact.contact_id,
                                               MemberStatus.UNSUBSCRIBED, consent, _now())
            if current is None:
                self._audience.save_membership(membership)
            logger.info("contact not subscribed: suppressed or unsubscribed", list_id=audience_list.list_id)
            return membership
        status = MemberStatus.UNCONFIRMED if confirm else MemberStatus.SUBSCRIBED
        membership = Membership(account.account_id, audience_list.list_id, contact.contact_id, status, consent, _now())
        self._audience.save_membership(membership)
        if confirm:
            self._send_confirmation(account, audience_list, contact)
        return membership

    # --- one contact's data rights (the customer answers their subscribers' requests) --------------

    def contact_data(self, account, contact_id: str) -> dict:
        """Everything kept about one contact: details, lists with proof of consent, suppression, the
        campaigns they received (and the outcome) and what they opened and clicked."""
        contact = self.get_contact(account, contact_id)
        names = {l.list_id: l.name for l in self.lists(account)}
        suppression = self._audience.suppression(account.account_id, contact.email_key)
        return {
            "contact": {"email": contact.email, "first_name": contact.first_name, "last_name": contact.last_name,
                        "language": contact.language, "tags": contact.tags, "fields": contact.fields,
                        "created_at": contact.created_at.isoformat() if contact.created_at else None},
            "lists": [{"list": names.get(m.list_id, m.list_id), "status": m.status.value, "consent": m.consent,
                       "updated_at": m.updated_at.isoformat()} for m in self._audience.memberships(account.account_id,
                                                                                                  contact.contact_id)],
            "suppressed": {"reason": suppression.reason.value, "since": suppression.at.isoformat()} if suppression else None,
            "campaigns": [{"campaign": a["campaign"].name,
                           "sent_at": a["sent_at"].isoformat() if a["sent_at"] else None, "received": a["received"],
                           "opened_at": a["opened"], "clicked": a["clicked"]}
                          for activity in self.contact_activity(account, contact_id) for a in activity],
        }

    def erase_contact(self, account, contact_id: str) -> None:
        """Remove a contact and everything about them; only a hash of the address stays on the
        suppression list, so an import can never bring them back."""
        contact = self.get_contact(account, contact_id)
        self.contact_erased(account, contact_id)
        self._audience.delete_contact(contact)
        self._release_contacts(account.account_id, 1)
        self._audience.suppress(account.account_id, contact.email_key, None, SuppressionReason.ERASED, "erasure")
        logger.info("contact erased", contact_id=contact_id)

    # --- public sign-up form and double opt-in ---------------------------------------------------

    def public_list(self, list_id: str):
        """The list and its account for the public form; closed when the account is deactivated (P16)."""
        account_id = self._audience.list_owner(list_id)
        account = self._accounts.get(account_id) if account_id else None
        audience_list = self._audience.get_list(account_id, list_id) if account else None
        if audience_list is None:
            raise errors.NotFound(N_("This sign-up form does not exist."))
        if not account.may_send:  # deactivated (P16), or its own address still unconfirmed
            raise SignUpsClosed()
        return account, audience_list

    def sender_name(self, account_id: str) -> str:
        """The name subscribers know the account by (its company, else its holder), for the pages
        they see; empty when there is no such account."""
        account = self._accounts.get(account_id) if account_id else None
        return sender_name(account) if account else ""

    def pending_confirmation(self, token: str):
        """(sender name, list) a confirmation link leads to while it can still be used, or None;
        the link stays unused."""
        link = self._links.peek_link(token, LinkPurpose.CONFIRM_SUBSCRIPTION)
        audience_list = self._audience.get_list(link.account_id, link.payload.get("list_id", "")) if link else None
        if audience_list is None:
            return None
        return self.sender_name(link.account_id), audience_list

    def consent_text(self, account, language: str) -> str:
        with use_language(language):
            return gettext(SIGNUP_CONSENT_TEXT) % {"sender": sender_name(account)}

    def sign_up(self, list_id: str, data, honeypot: str, language: str, ip: str | None, user_agent: str | None) -> None:
        """A sign-up on the public form: a confirmation mail; subscribed only once confirmed."""
        account, audience_list = self.public_list(list_id)
        if honeypot:  # a field people never see: only bots fill it in; they get the normal answer
            logger.info("sign-up ignored: honeypot filled", list_id=list_id)
            return
        if ip:
            wait = self._throttle.retry_after(SIGNUP_LIMIT, ip)
            if wait:
                raise errors.TooManyRequests(retry_after_s=wait)
            self._throttle.record_failure(SIGNUP_LIMIT, ip)  # every sign-up counts towards the limit
        text = self.consent_text(account, language)
        from chalicelib.usage.service import QuotaExceeded

        try:
            contact = self._upsert_contact(account.account_id, _SignUp(data.email, data.first_name, language))
        except QuotaExceeded:  # the sender's plan is full: the person is told no more than that
            raise SignUpsClosed() from None
        consent = {"source": ConsentSource.FORM.value, "at": _now().isoformat(), "ip": ip, "user_agent": user_agent,
                   "form_text": text, "form_version": form_version(text), "language": language}
        self._join(account, audience_list, contact, consent, confirm=True, by_the_person=True)

    def _send_confirmation(self, account, audience_list: AudienceList, contact: Contact) -> None:
        token = self._links.issue_link(account.account_id, LinkPurpose.CONFIRM_SUBSCRIPTION, CONFIRMATION_VALID_FOR,
                                       payload={"list_id": audience_list.list_id, "contact_id": contact.contact_id})
        language = contact.language if contact.language in LANGUAGES else account.language
        queue_mail(self._mail_queue, MailRequest(
            template="confirm_subscription", to=(contact.email,), language=language,
            context={"list_name": audience_list.name, "sender": account.company_name or account.name,
                     "confirm_url": f"{self._base_url}/f/confirm?token={token}",
                     "valid_days": CONFIRMATION_VALID_FOR.days},
            tags={"account": account.account_id, "list": audience_list.list_id}))

    def confirm_subscription(self, token: str, ip: str | None, user_agent: str | None):
        try:
            link = self._links.use_link(token, LinkPurpose.CONFIRM_SUBSCRIPTION)
        except LinkRefused as refused:
            raise LinkRefused(refused.problem, CONFIRMATION_LINK_MESSAGES.get(refused.problem, NOT_VALID)) from None
        account_id = link.account_id
        membership = self._audience.membership(account_id, link.payload["list_id"], link.payload["contact_id"])
        contact = self._audience.get_contact(account_id, link.payload["contact_id"])
        if membership is None or contact is None or membership.status is MemberStatus.UNSUBSCRIBED:
            raise invalid_link()
        suppression = self._audience.suppression(account_id, contact.email_key)
        if suppression is not None and suppression.reason not in PERSON_MAY_LIFT:
            raise invalid_link()
        membership.status = MemberStatus.SUBSCRIBED
        membership.consent = {**(membership.consent or {}), "confirmed_at": _now().isoformat(), "confirmed_ip": ip,
                              "confirmed_user_agent": user_agent}
        membership.updated_at = _now()
        self._audience.save_membership(membership)
        if suppression is not None:  # they unsubscribed from everything before, and now chose again
            self._audience.unsuppress(account_id, contact.email_key)
        return self._audience.get_list(account_id, membership.list_id), contact

    # --- unsubscribes (P4, RFC 8058) ----------------------------------------------------------------

    def unsubscribe_token(self, account_id: str, contact_id: str, list_id: str = ALL_LISTS) -> str:
        return self._signer().token(Subscriber(account_id, contact_id, list_id))

    def unsubscribe_headers(self, account_id: str, contact_id: str, list_id: str) -> tuple[tuple[str, str], ...]:
        """The headers every campaign mail carries, for one-click unsubscribing (RFC 8058)."""
        url = f"{self._base_url}/u/{self.unsubscribe_token(account_id, contact_id, list_id)}"
        return (("List-Unsubscribe", f"<{url}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))

    def subscriber(self, token: str):
        """(account, contact, memberships, subscriber) for an unsubscribe or preferences link."""
        try:
            subscriber = self._signer().subscriber(token)
        except InvalidToken:
            raise invalid_link() from None
        account = self._accounts.get(subscriber.account_id)
        contact = self._audience.get_contact(subscriber.account_id, subscriber.contact_id) if account else None
        if contact is None:
            raise invalid_link(N_("This address is no longer on any list of this sender."))
        return account, contact, self._audience.memberships(subscriber.account_id, contact.contact_id), subscriber

    def unsubscribe(self, token: str, ip: str | None, list_ids=None) -> list[str]:
        """Unsubscribe at once: from the link's list (or `list_ids`), or from everything of this
        sender (then the address is suppressed too). Returns the list ids left."""
        account, contact, memberships, subscriber = self.subscriber(token)
        everything = subscriber.list_id == ALL_LISTS if list_ids is None else list_ids == ALL_LISTS
        targets = {m.list_id for m in memberships} if everything else \
            ({subscriber.list_id} if list_ids is None else set(list_ids))
        left, was_subscribed = [], False
        for membership in memberships:
            if membership.list_id in targets and membership.status is not MemberStatus.UNSUBSCRIBED:
                was_subscribed = was_subscribed or membership.status is MemberStatus.SUBSCRIBED
                membership.status = MemberStatus.UNSUBSCRIBED
                membership.consent = {**(membership.consent or {}), "withdrawn_at": _now().isoformat(),
                                      "withdrawn_ip": ip}
                membership.updated_at = _now()
                self._audience.save_membership(membership)
                left.append(membership.list_id)
        # Not (or no longer) on a list they asked to leave: record the wish, so no later import or
        # manual add subscribes them there.
        known = {m.list_id for m in memberships}
        for list_id in targets - known:
            if self._audience.get_list(account.account_id, list_id) is not None:
                self._audience.save_membership(Membership(
                    account.account_id, list_id, contact.contact_id, MemberStatus.UNSUBSCRIBED,
                    {"withdrawn_at": _now().isoformat(), "withdrawn_ip": ip}, _now()))
                left.append(list_id)
        if was_subscribed:  # the audience's growth counts a subscriber who left once a day
            self._audience.count_growth(account.account_id, {"unsubscribed": 1})
        if everything:
            self._audience.suppress(account.account_id, contact.email_key, contact.email,
                                    SuppressionReason.UNSUBSCRIBED, "unsubscribe link")
        logger.info("contact unsubscribed", lists=len(left), everything=everything)
        return left

    # --- suppression -------------------------------------------------------------------------------

    def suppress(self, account_id: str, email: str, reason: SuppressionReason, source: str) -> None:
        """Also what bounce and complaint handling, imports and the account holder call: from now on,
        nothing goes to this address, and no list counts it as subscribed (or waiting to confirm).

        Every reason ends the contact's memberships, not only the lasting ones: a list whose members
        stayed "subscribed" beside a suppression would list, count and export them as subscribed.
        An "unsubscribed" suppression is lifted only by the person's own confirmed sign-up, which
        subscribes them to that one list again (confirm_subscription)."""
        key = address_key(email)
        self._audience.suppress(account_id, key, email, reason, source)
        contact = self._audience.contact_by_email(account_id, key)
        if contact is None:
            return
        now = _now()
        memberships = self._audience.memberships(account_id, contact.contact_id)
        if any(m.status is MemberStatus.SUBSCRIBED for m in memberships):
            self._audience.count_growth(account_id, {"unsubscribed": 1})
        for membership in memberships:
            if membership.status is not MemberStatus.UNSUBSCRIBED:
                ended = {"suppressed_at": now.isoformat(), "suppression_reason": reason.value}
                if reason is SuppressionReason.UNSUBSCRIBED:
                    ended["withdrawn_at"] = now.isoformat()
                membership.status, membership.updated_at = MemberStatus.UNSUBSCRIBED, now
                membership.consent = {**(membership.consent or {}), **ended}
                self._audience.save_membership(membership)

    def suppress_failed_delivery(self, event) -> None:
        """SES said the address does not exist, or the person marked the mail as spam."""
        from chalicelib.delivery.ses_events import SesEventType

        reason = SuppressionReason.COMPLAINT if event.event_type is SesEventType.COMPLAINT else SuppressionReason.HARD_BOUNCE
        for recipient in event.recipients:
            self.suppress(event.account_id, recipient, reason, f"ses {event.event_type.value.lower()}")

    def suppress_addresses(self, account, emails: list[str]) -> tuple[int, list[str]]:
        """Add addresses by hand (in bulk); returns how many were added and which were not addresses."""
        from chalicelib.validation import normalised_email

        added, refused = 0, []
        for raw in emails:
            try:
                email = normalised_email(raw.strip())
            except ValueError:
                if raw.strip():
                    refused.append(raw.strip()[:320])
                continue
            self.suppress(account.account_id, email, SuppressionReason.MANUAL, "added by the account")
            added += 1
        return added, refused

    def suppressions(self, account, cursor=None):
        return self._audience.suppressions(account.account_id, cursor)

    def is_suppressed(self, account_id: str, email: str) -> bool:
        return self._audience.suppression(account_id, address_key(email)) is not None

    def growth(self, account, days: int) -> list[tuple]:
        """The audience's last `days` days, oldest first, today included: (day, contacts added,
        contacts that left: unsubscribed or erased), from the daily counters (no contact is read)."""
        from datetime import date

        from chalicelib.audience.repository import growth_day

        last = date.fromisoformat(growth_day())
        first = last - timedelta(days=days - 1)
        found = self._audience.growth(account.account_id, first.isoformat(), last.isoformat())
        rows = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            counts = found.get(day.isoformat(), {})
            rows.append((day, counts.get("added", 0), counts.get("unsubscribed", 0) + counts.get("removed", 0)))
        return rows

    def has_contacts(self, account) -> bool:
        contacts, _ = self._audience.contacts(account.account_id, limit=1)
        return bool(contacts)

    def recipients(self, account_id: str, list_id: str):
        """Every contact a campaign to this list may mail: subscribed, and not suppressed."""
        for contacts, _ in self.recipient_pages(account_id, list_id):
            yield from contacts

    def recipient_pages(self, account_id: str, list_id: str, cursor: str | None = None, page_size: int = 100):
        """Recipients a page at a time (a page's suppressions read in one batch), with the cursor of
        the next page, so a fan-out can stop and resume: yields (contacts, next_cursor)."""
        while True:
            contacts, cursor = self._audience.subscribed_page(account_id, list_id, cursor, page_size)
            suppressed = self._audience.suppressed_among(account_id, [contact.email_key for contact in contacts])
            yield [contact for contact in contacts if contact.email_key not in suppressed], cursor
            if not cursor:
                return


class _SignUp:
    """A public sign-up, in the shape `_upsert_contact` reads."""

    def __init__(self, email, first_name, language):
        self.email, self.first_name, self.language = email, first_name, language
        self.last_name, self.tags, self.fields = None, (), {}
