"""A customer's testimonial and the consent that lets MailExpert publish it (P15): pure domain, no I/O.

What a testimonial shows is a `Shown`: the text and the details beside it (name, company, city,
photo). A customer's `Consent` holds one `Shown` exactly as they agreed to it, with who gave it,
when, from which IP address and which version of the consent wording they were shown, and a
digest of that content, checked whenever a consent is built (so a record changed in storage no
longer loads as a consent).

Publishing cannot show anything but consented content, by construction:

- a `Publication` names a consent by its id and holds no content of its own;
- the one thing the public pages get, `Published`, is made only by `Testimonial.shown_publicly()`
  from the testimonial's *current* consent, and the only content it has is that consent's `Shown`;
  so no text or detail can be shown that differs from what was consented to;
- an edit by staff is a `Proposal` beside the consent: nothing reads a proposal for the public
  pages, and it becomes a consent only when the customer accepts it (a new `Consent`, with its own
  who/when/IP/wording);
- a withdrawal leaves the testimonial without a current consent: it cannot be published again.

Every change returns a new `Testimonial` (frozen dataclasses); the service stores it with an
optimistic version check, so two changes never overwrite each other.
"""

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from enum import Enum

from chalicelib import errors
from chalicelib.i18n import N_

TEXT_MAX = 1000
DETAIL_MAX = 100

# The wording shown beside the consent checkbox, in both languages, as a versioned constant: the
# version is stored with each consent, so what someone agreed to is known exactly, later too. A
# change of wording is a new version (and a new entry here), never an edit of an old one.
CONSENT_WORDING_VERSION = "testimonial-consent-2026-12-v1"
CONSENT_WORDINGS = {
    "testimonial-consent-2026-12-v1": {
        "en": ("I give MailExpert permission to publish this testimonial on its website (the testimonials page "
               "and the home page of mailexpert.nl), with exactly this text and the details I chose to show: "
               "my name, and where I filled them in, my company, my city and my photo. MailExpert will not "
               "change the text or the details without asking my permission again. I can withdraw this "
               "permission at any time in Settings & Options; MailExpert then removes the testimonial from "
               "its website at once."),
        "nl": ("Ik geef MailExpert toestemming om deze testimonial op zijn website te publiceren (de pagina met "
               "testimonials en de homepage van mailexpert.nl), met precies deze tekst en de gegevens die ik "
               "heb gekozen om te tonen: mijn naam, en waar ik ze heb ingevuld, mijn bedrijf, mijn woonplaats en "
               "mijn foto. MailExpert verandert de tekst of de gegevens niet zonder mij opnieuw om toestemming "
               "te vragen. Ik kan deze toestemming op elk moment intrekken via Instellingen & Opties; MailExpert "
               "haalt de testimonial dan direct van zijn website."),
    },
}
WORDING_LANGUAGES = ("nl", "en")
CUSTOMER = "customer"  # who acted, when it was the testimonial's own account (else a staff account id)


def consent_wording(language: str, version: str = CONSENT_WORDING_VERSION) -> str:
    wordings = CONSENT_WORDINGS[version]
    return wordings.get(language) or wordings["en"]


# --- refusals ------------------------------------------------------------------------------------

class TestimonialNotFound(errors.NotFound):
    default_message = N_("There is no such testimonial.")


class NoConsent(errors.Conflict):
    code = "no-consent"
    default_message = N_("This testimonial has no valid consent (it was withdrawn): it cannot be published.")


class ConsentChanged(errors.Conflict):
    code = "consent-changed"
    default_message = N_("The consent of this testimonial changed while you were looking at it. Check what it "
                         "now says before you publish it.")


class ConsentMismatch(errors.Conflict):
    """A stored consent whose content does not match its digest: never shown, never published."""

    code = "consent-mismatch"
    default_message = N_("The stored consent of this testimonial does not match its content: it cannot be used.")


class NothingProposed(errors.Conflict):
    code = "nothing-proposed"
    default_message = N_("This is exactly what was consented to: there is no change to propose.")


class ProposalChanged(errors.Conflict):
    code = "proposal-changed"
    default_message = N_("This proposal has changed or was already answered. Look at it again before you answer.")


class AlreadyWithdrawn(errors.Conflict):
    code = "already-withdrawn"
    default_message = N_("The consent for this testimonial was already withdrawn.")


class NotPublished(errors.Conflict):
    code = "not-published"
    default_message = N_("This testimonial is not published.")


class ChangedMeanwhile(errors.Conflict):
    code = "changed-meanwhile"
    default_message = N_("This testimonial was changed by someone else at the same moment. Please try again.")


# --- what is shown, and the consent to show it ------------------------------------------------------

@dataclass(frozen=True)
class Photo:
    """A checked, re-encoded portrait in the assets bucket; `sha256` of its bytes is what was consented to."""

    photo_id: str
    sha256: str
    width: int
    height: int


@dataclass(frozen=True)
class Shown:
    """What a testimonial shows: its text, and the details beside it ("" or None: not shown)."""

    text: str
    name: str
    company: str = ""
    city: str = ""
    photo: Photo | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Shown":
        photo = data.get("photo")
        return cls(data["text"], data["name"], data.get("company") or "", data.get("city") or "",
                   Photo(**photo) if photo else None)

    @property
    def fields(self) -> dict:
        """The details consented to be shown beside the text, by name (only those shown)."""
        chosen = {"name": self.name, "company": self.company, "city": self.city,
                  "photo": f"sha256:{self.photo.sha256}" if self.photo else ""}
        return {name: value for name, value in chosen.items() if value}

    def digest(self) -> str:
        canonical = json.dumps(self.as_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Consent:
    """A customer's permission to publish exactly `shown`. Built with its digest (from storage) the
    digest is checked; built without, it is computed."""

    consent_id: str
    account_id: str
    given_by: str  # the account holder's name when they gave it
    given_at: datetime
    ip: str | None
    wording_version: str
    language: str  # the language the wording was shown in
    shown: Shown
    digest: str = ""

    def __post_init__(self):
        if self.wording_version not in CONSENT_WORDINGS:
            raise ConsentMismatch()
        expected = self.shown.digest()
        if not self.digest:
            object.__setattr__(self, "digest", expected)
        elif self.digest != expected:
            raise ConsentMismatch()

    @property
    def wording(self) -> str:
        return consent_wording(self.language, self.wording_version)

    def as_dict(self) -> dict:
        return {"consent_id": self.consent_id, "account_id": self.account_id, "given_by": self.given_by,
                "given_at": self.given_at.isoformat(), "ip": self.ip, "wording_version": self.wording_version,
                "language": self.language, "text": self.shown.text, "fields": self.shown.fields,
                "shown": self.shown.as_dict(), "digest": self.digest}

    @classmethod
    def from_dict(cls, data: dict) -> "Consent":
        given_at = datetime.fromisoformat(data["given_at"]).astimezone(timezone.utc)
        return cls(data["consent_id"], data["account_id"], data["given_by"], given_at,
                   data.get("ip"), data["wording_version"], data["language"], Shown.from_dict(data["shown"]),
                   data["digest"])


@dataclass(frozen=True)
class Publication:
    """Which consent is on the public pages, since when, published by which staff account. No content."""

    consent_id: str
    at: datetime
    by: str


@dataclass(frozen=True)
class Proposal:
    """An edit by staff: shown nowhere but to the customer, until they consent to it."""

    shown: Shown
    proposed_by: str
    proposed_at: datetime

    @property
    def digest(self) -> str:
        return self.shown.digest()


@dataclass(frozen=True)
class Withdrawal:
    at: datetime
    by: str  # CUSTOMER, or the staff account that recorded a withdrawal on the customer's request
    requested_by: str | None = None  # for staff: who asked (as they told us)
    requested_at: datetime | None = None  # for staff: when they asked


class TestimonialEvent(str, Enum):
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"
    CHANGE_PROPOSED = "change_proposed"
    CHANGE_ACCEPTED = "change_accepted"
    CHANGE_DECLINED = "change_declined"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class LogEntry:
    at: datetime
    event: TestimonialEvent
    by: str  # CUSTOMER or a staff account id


class TestimonialStatus(str, Enum):
    SUBMITTED = "submitted"  # consented, waiting for staff
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Published:
    """A testimonial as the public pages show it. Its only content is its consent's: it has no text
    or detail of its own to differ from what was consented to. Made by `Testimonial.shown_publicly`."""

    testimonial_id: str
    consent: Consent
    since: datetime

    @property
    def shown(self) -> Shown:
        return self.consent.shown


def new_id() -> str:
    return secrets.token_hex(16)


@dataclass(frozen=True)
class Testimonial:
    testimonial_id: str
    account_id: str
    created_at: datetime
    consents: tuple[Consent, ...]  # every consent given, oldest first; the last one is current unless withdrawn
    publication: Publication | None = None
    proposal: Proposal | None = None
    withdrawal: Withdrawal | None = None
    log: tuple[LogEntry, ...] = field(default=())
    version: int | None = None  # the stored version this was read at (None: never stored)

    @classmethod
    def submit(cls, account_id: str, given_by: str, shown: Shown, ip: str | None, language: str,
               now: datetime) -> "Testimonial":
        """A new testimonial, with the customer's consent to exactly `shown` (the current wording)."""
        consent = Consent(new_id(), account_id, given_by, now, ip, CONSENT_WORDING_VERSION, _language(language), shown)
        return cls(new_id(), account_id, now, (consent,), log=(LogEntry(now, TestimonialEvent.SUBMITTED, CUSTOMER),))

    # --- reading ---------------------------------------------------------------------------------------

    @property
    def current_consent(self) -> Consent | None:
        if self.withdrawal is not None or not self.consents:
            return None
        return self.consents[-1]

    @property
    def latest_shown(self) -> Shown:
        """What the customer last consented to (also after a withdrawal): for the customer's and staff's pages."""
        return self.consents[-1].shown

    @property
    def status(self) -> TestimonialStatus:
        if self.withdrawal is not None:
            return TestimonialStatus.WITHDRAWN
        return TestimonialStatus.PUBLISHED if self.shown_publicly() is not None else TestimonialStatus.SUBMITTED

    def shown_publicly(self) -> Published | None:
        """What the public pages may show of this testimonial: its current consent's content, when a
        publication names exactly that consent; else nothing."""
        consent = self.current_consent
        if consent is None or self.publication is None or self.publication.consent_id != consent.consent_id:
            return None
        return Published(self.testimonial_id, consent, self.publication.at)

    def photos(self) -> set[str]:
        """Every photo any consent or proposal of this testimonial names."""
        shown = [c.shown for c in self.consents] + ([self.proposal.shown] if self.proposal else [])
        return {s.photo.photo_id for s in shown if s.photo}

    # --- staff -----------------------------------------------------------------------------------------

    def publish(self, consent_id: str, staff_id: str, now: datetime) -> "Testimonial":
        """Publish the consent staff looked at (`consent_id`), which must still be the current one."""
        consent = self.current_consent
        if consent is None:
            raise NoConsent()
        if consent.consent_id != consent_id:
            raise ConsentChanged()
        if self.shown_publicly() is not None:
            return self
        return self._logged(TestimonialEvent.PUBLISHED, staff_id, now,
                            publication=Publication(consent.consent_id, now, staff_id))

    def unpublish(self, staff_id: str, now: datetime) -> "Testimonial":
        if self.publication is None:
            raise NotPublished()
        return self._logged(TestimonialEvent.UNPUBLISHED, staff_id, now, publication=None)

    def propose(self, shown: Shown, staff_id: str, now: datetime) -> "Testimonial":
        """An edit by staff: the customer must consent to it before it can be shown."""
        consent = self.current_consent
        if consent is None:
            raise NoConsent()
        if shown.photo is not None and shown.photo != consent.shown.photo:
            raise NothingProposed()  # staff may leave out the consented photo, never bring another
        if shown == consent.shown:
            raise NothingProposed()
        return self._logged(TestimonialEvent.CHANGE_PROPOSED, staff_id, now,
                            proposal=Proposal(shown, staff_id, now))

    # --- the customer ------------------------------------------------------------------------------------

    def accept_proposal(self, digest: str, given_by: str, ip: str | None, language: str,
                        now: datetime) -> "Testimonial":
        """The customer consents to the proposal they saw (`digest`): a new consent of its own. A
        published testimonial then shows the new consent (staff asked for it, the customer agreed)."""
        if self.withdrawal is not None:
            raise AlreadyWithdrawn()
        if self.proposal is None or self.proposal.digest != digest:
            raise ProposalChanged()
        consent = Consent(new_id(), self.account_id, given_by, now, ip, CONSENT_WORDING_VERSION, _language(language),
                          self.proposal.shown)
        publication = self.publication
        if self.shown_publicly() is not None:
            publication = Publication(consent.consent_id, self.publication.at, self.publication.by)
        return self._logged(TestimonialEvent.CHANGE_ACCEPTED, CUSTOMER, now, consents=self.consents + (consent,),
                            proposal=None, publication=publication)

    def decline_proposal(self, digest: str, now: datetime) -> "Testimonial":
        if self.proposal is None or self.proposal.digest != digest:
            raise ProposalChanged()
        return self._logged(TestimonialEvent.CHANGE_DECLINED, CUSTOMER, now, proposal=None)

    def withdraw(self, withdrawal: Withdrawal) -> "Testimonial":
        """Consent withdrawn (by the customer, or by staff on their request): unpublished at once, for good."""
        if self.withdrawal is not None:
            raise AlreadyWithdrawn()
        return self._logged(TestimonialEvent.WITHDRAWN, withdrawal.by, withdrawal.at, withdrawal=withdrawal,
                            publication=None, proposal=None)

    def _logged(self, event: TestimonialEvent, by: str, now: datetime, **changes) -> "Testimonial":
        return replace(self, log=self.log + (LogEntry(now, event, by),), **changes)


def _language(language: str) -> str:
    return language if language in WORDING_LANGUAGES else "en"
