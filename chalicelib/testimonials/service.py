"""The testimonial workflow (P15): submitted with consent → published by staff → shown; withdrawn → gone.

A customer submits a testimonial with their consent to exactly its text and chosen details (the
consent record: who, when, IP, text, fields, wording version). Staff publish only a testimonial
with a current consent, and only that consent's content (`Testimonial.publish`); an edit by staff
is a proposal the customer accepts (a new consent) or declines. A withdrawal, by the customer or
by staff on the customer's request, unpublishes in the same write. Erasure of the account removes
its testimonials and photos. Every staff action, and every consent given or withdrawn, is in the
audit log.

Each change reads the testimonial, applies the domain's rule and writes it back with a version
check; when someone else wrote in between, the rule runs again on what they wrote (a withdrawal
always wins; a publication is then refused if the consent is gone).
"""

from datetime import datetime, timezone

from chalicelib.accounts.audit import AuditEvent
from chalicelib.observability import logger
from chalicelib.testimonials.photos import TestimonialPhotos
from chalicelib.testimonials.schemas import ProposalIn, TestimonialIn
from chalicelib.testimonials.testimonial import (CUSTOMER, ChangedMeanwhile, Published, Shown, Testimonial,
                                                 TestimonialNotFound, Withdrawal)

CHANGE_ATTEMPTS = 3
HOME_PAGE_COUNT = 3
PROPOSAL_MAIL = "testimonial_change_proposed"


def _now() -> datetime:
    return datetime.now(timezone.utc)


class TestimonialService:
    __test__ = False  # not a pytest test class

    def __init__(self, store, photos: TestimonialPhotos, audit, accounts=None, mail_queue=None, base_url: str = "",
                 clock=_now):
        """`accounts` and `mail_queue` let a proposal by staff be mailed to the customer (without them it is not)."""
        self._store, self._photos, self._audit, self._clock = store, photos, audit, clock
        self._accounts, self._mail_queue, self._base_url = accounts, mail_queue, base_url.rstrip("/")

    # --- the customer ----------------------------------------------------------------------------

    def submit(self, account, data: TestimonialIn, ip: str | None, language: str) -> Testimonial:
        """Stores the testimonial with the customer's consent to exactly what it will show."""
        photo = self._photos.get(account.account_id, data.photo_id) if data.show_photo and data.photo_id else None
        shown = Shown(data.text, data.name, data.company, data.city, photo)
        testimonial = self._store.save(Testimonial.submit(account.account_id, account.name, shown, ip, language,
                                                          self._clock()))
        consent = testimonial.current_consent
        self._audit.record(account.account_id, AuditEvent.TESTIMONIAL_CONSENT_GIVEN, ip,
                           testimonial_id=testimonial.testimonial_id, consent_id=consent.consent_id,
                           wording_version=consent.wording_version, digest=consent.digest)
        self._sweep_photos(account.account_id)
        logger.info("testimonial submitted", testimonial_id=testimonial.testimonial_id)
        return testimonial

    def mine(self, account) -> list[Testimonial]:
        """Newest first."""
        return sorted(self._store.of_account(account.account_id), key=lambda t: t.created_at, reverse=True)

    def accept(self, account, testimonial_id: str, digest: str, ip: str | None, language: str) -> Testimonial:
        changed = self._change(account.account_id, testimonial_id,
                               lambda t: t.accept_proposal(digest, account.name, ip, language, self._clock()))
        consent = changed.current_consent
        self._audit.record(account.account_id, AuditEvent.TESTIMONIAL_CONSENT_GIVEN, ip, testimonial_id=testimonial_id,
                           consent_id=consent.consent_id, wording_version=consent.wording_version,
                           digest=consent.digest, change_proposed=True)
        self._sweep_photos(account.account_id)
        return changed

    def decline(self, account, testimonial_id: str, digest: str, ip: str | None) -> Testimonial:
        changed = self._change(account.account_id, testimonial_id, lambda t: t.decline_proposal(digest, self._clock()))
        self._audit.record(account.account_id, AuditEvent.TESTIMONIAL_CHANGE_DECLINED, ip,
                           testimonial_id=testimonial_id)
        return changed

    def withdraw(self, account, testimonial_id: str, ip: str | None) -> Testimonial:
        """The customer withdraws their consent: unpublished at once, and never published again."""
        changed = self._change(account.account_id, testimonial_id,
                               lambda t: t.withdraw(Withdrawal(self._clock(), CUSTOMER)))
        self._audit.record(account.account_id, AuditEvent.TESTIMONIAL_CONSENT_WITHDRAWN, ip,
                           testimonial_id=testimonial_id, by=CUSTOMER)
        self._after_withdrawal(changed)
        return changed

    # --- photos ----------------------------------------------------------------------------------

    def photo_upload_form(self, account, redirect_to: str) -> dict:
        return self._photos.upload_form(account.account_id, redirect_to)

    def finish_photo_upload(self, account, upload_id: str):
        """A checked candidate photo for the account's next testimonial (earlier unused ones go)."""
        photo = self._photos.finish_upload(account.account_id, upload_id)
        self._sweep_photos(account.account_id, keep={photo.photo_id})
        return photo

    def candidate_photo(self, account, photo_id: str):
        return self._photos.get(account.account_id, photo_id)

    def own_photo_link(self, account, photo_id: str) -> str | None:
        photo = self._photos.get(account.account_id, photo_id)
        return self._photos.link(account.account_id, photo) if photo else None

    def staff_photo_link(self, testimonial_id: str) -> str | None:
        testimonial = self._store.find(testimonial_id)
        if testimonial is None or not testimonial.consents:
            return None
        photo = (testimonial.proposal.shown.photo if testimonial.proposal and testimonial.proposal.shown.photo
                 else testimonial.latest_shown.photo)
        return self._photos.link(testimonial.account_id, photo) if photo else None

    def public_photo_link(self, testimonial_id: str) -> str | None:
        """Only the photo of a published testimonial, exactly as consented to."""
        testimonial = self._store.find(testimonial_id)
        published = testimonial.shown_publicly() if testimonial else None
        if published is None or published.shown.photo is None:
            return None
        return self._photos.link(testimonial.account_id, published.shown.photo)

    def photo_origin(self) -> str:
        return self._photos.origin()

    # --- staff -----------------------------------------------------------------------------------

    def every(self) -> list[Testimonial]:
        """Every testimonial, newest first."""
        return sorted(self._store.every(), key=lambda t: t.created_at, reverse=True)

    def find(self, testimonial_id: str) -> Testimonial:
        found = self._store.find(testimonial_id)
        if found is None:
            raise TestimonialNotFound()
        return found

    def publish(self, staff, testimonial_id: str, consent_id: str, ip: str | None) -> Testimonial:
        """Publish exactly the consent staff looked at; refused when there is none or it changed."""
        owner = self.find(testimonial_id).account_id
        changed = self._change(owner, testimonial_id, lambda t: t.publish(consent_id, staff.account_id, self._clock()))
        self._staff_audit(staff, AuditEvent.TESTIMONIAL_PUBLISHED, ip, changed, consent_id=consent_id)
        return changed

    def unpublish(self, staff, testimonial_id: str, ip: str | None) -> Testimonial:
        owner = self.find(testimonial_id).account_id
        changed = self._change(owner, testimonial_id, lambda t: t.unpublish(staff.account_id, self._clock()))
        self._staff_audit(staff, AuditEvent.TESTIMONIAL_UNPUBLISHED, ip, changed)
        return changed

    def propose(self, staff, testimonial_id: str, data: ProposalIn, ip: str | None) -> Testimonial:
        """An edit by staff: shown to the customer for their consent, to no one else."""
        found = self.find(testimonial_id)

        def proposal(testimonial: Testimonial) -> Testimonial:
            consent = testimonial.current_consent
            photo = consent.shown.photo if consent is not None and data.keep_photo else None
            shown = Shown(data.text, data.name, data.company, data.city, photo)
            return testimonial.propose(shown, staff.account_id, self._clock())

        changed = self._change(found.account_id, testimonial_id, proposal)
        self._staff_audit(staff, AuditEvent.TESTIMONIAL_CHANGE_PROPOSED, ip, changed,
                          digest=changed.proposal.digest)
        self._tell_of_proposal(changed.account_id)
        return changed

    def withdraw_on_request(self, staff, testimonial_id: str, requested_by: str, requested_at: datetime,
                            ip: str | None) -> Testimonial:
        """Staff record the customer's withdrawal (who asked, when): unpublished at once."""
        owner = self.find(testimonial_id).account_id
        changed = self._change(owner, testimonial_id, lambda t: t.withdraw(
            Withdrawal(self._clock(), staff.account_id, requested_by, requested_at)))
        # who asked is personal data: it stays with the testimonial (erased with the account), not in the log
        self._staff_audit(staff, AuditEvent.TESTIMONIAL_WITHDRAWN_ON_REQUEST, ip, changed,
                          requested_at=requested_at.isoformat())
        self._audit.record(owner, AuditEvent.TESTIMONIAL_CONSENT_WITHDRAWN, None, testimonial_id=testimonial_id,
                           by="staff", requested_at=requested_at.isoformat())
        self._after_withdrawal(changed)
        return changed

    # --- the public pages ------------------------------------------------------------------------

    def published(self, limit: int | None = None) -> list[Published]:
        """What the public pages show, most recently published first: consented content only."""
        shown = [p for p in (t.shown_publicly() for t in self._store.published()) if p is not None]
        shown.sort(key=lambda p: p.since, reverse=True)
        return shown[:limit] if limit else shown

    # --- data rights -----------------------------------------------------------------------------

    def export(self, account_id: str) -> list[dict]:
        """The account's testimonials with every consent record, as stored."""
        return self._store.stored_items(account_id)

    def erase_account(self, account_id: str) -> None:
        """Testimonials, consent records and photos of the account; photos first, so a failure
        leaves the items by which a repeat finds nothing but what is left."""
        self._photos.erase_account(account_id)
        count = self._store.erase_account(account_id)
        logger.info("testimonials erased", count=count)

    # --- helpers ---------------------------------------------------------------------------------

    def _change(self, account_id: str, testimonial_id: str, change) -> Testimonial:
        for attempt in range(CHANGE_ATTEMPTS):
            testimonial = self._store.get(account_id, testimonial_id)
            if testimonial is None:
                raise TestimonialNotFound()
            changed = change(testimonial)
            if changed is testimonial:
                return testimonial
            try:
                return self._store.save(changed)
            except ChangedMeanwhile:
                if attempt == CHANGE_ATTEMPTS - 1:
                    raise
        raise ChangedMeanwhile()  # pragma: no cover (the loop returns or raises)

    def _staff_audit(self, staff, event: AuditEvent, ip: str | None, testimonial: Testimonial, **details) -> None:
        self._audit.record(staff.account_id, event, ip, testimonial_id=testimonial.testimonial_id,
                           owner_account_id=testimonial.account_id, **details)

    def _tell_of_proposal(self, account_id: str) -> None:
        """A transactional mail (P5: about the account): a change waits for the customer's answer."""
        account = self._accounts.get(account_id) if self._accounts is not None and self._mail_queue else None
        if account is None:
            return
        from chalicelib.delivery.mail import MailRequest
        from chalicelib.delivery.service import queue_mail

        queue_mail(self._mail_queue, MailRequest(
            template=PROPOSAL_MAIL, to=(account.email,), language=account.language,
            context={"name": account.name, "url": f"{self._base_url}/settings/testimonials"},
            tags={"account": account.account_id}))

    def _after_withdrawal(self, testimonial: Testimonial) -> None:
        """Withdrawn: its photos are no longer needed (the consent record keeps their digest)."""
        for photo_id in testimonial.photos():
            self._photos.delete(testimonial.account_id, photo_id)
        logger.info("testimonial withdrawn", testimonial_id=testimonial.testimonial_id)

    def _sweep_photos(self, account_id: str, keep: frozenset = frozenset()) -> None:
        """Photos uploaded but used by no live testimonial of the account go (one candidate at a time)."""
        used = set(keep)
        for testimonial in self._store.of_account(account_id):
            if testimonial.withdrawal is None:
                used |= testimonial.photos()
        for photo_id in self._photos.photo_ids(account_id):
            if photo_id not in used:
                self._photos.delete(account_id, photo_id)
