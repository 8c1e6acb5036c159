"""Sending domains: add one (an SES domain identity with Easy DKIM), check it, remove it, and the
checks campaigns make before they send from it.

A domain is claimed by one MailExpert account at a time: SES identities belong to the AWS account,
so two accounts sharing one would each send as the other. The claim is a conditional write. An
unverified claim lapses after CLAIM_HOURS, so nobody can hold a domain they cannot prove is theirs;
another account may then take it over, and the identity is created anew (new DKIM keys: whoever
publishes them proves control of the domain's DNS). A verified domain is never taken over.
"""

import dataclasses
from datetime import datetime, timedelta, timezone

from chalicelib import errors
from chalicelib.hooks import Hook
from chalicelib.i18n import N_
from chalicelib.observability import logger
from chalicelib.sending_domains.domains import (CLAIM_HOURS, MAX_DOMAINS, Claim, DomainStatus, SendingDomain,
                                                mail_from_label, mail_from_status_of_identity, normalised_domain,
                                                status_of_identity)
from chalicelib.sending_domains.ses_identities import SesUnavailable


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclasses.dataclass(frozen=True)
class _AccountRef:
    """An account as this service needs it when no one is signed in (the scheduler): its id."""

    account_id: str


class SendingDomainNotFound(errors.NotFound):
    default_message = N_("There is no such sending domain in your account.")


class DomainTaken(errors.Conflict):
    code = "domain-taken"
    title = N_("This domain is in use by another account")
    default_message = N_("Another MailExpert account has added this domain. If it is yours, ask that account to "
                         "remove it; an unverified domain is released after 72 hours.")


class DomainInUse(errors.Conflict):
    code = "domain-in-use"
    title = N_("This domain is in use")
    default_message = N_("The campaign \"%(campaign)s\" sends from this domain. Cancel it, or let it finish, "
                         "before you remove the domain.")


class SendingDomainService:
    def __init__(self, store, identities, shared_domain: str, clock=_now, region: str = "eu-west-1", usage=None):
        self.region = region  # the MX record of a custom MAIL FROM names the region's SES feedback host
        self._store = store
        self._identities = identities  # the domains' SES identities (`ses_identities.SesIdentities`)
        self._shared_domain = shared_domain.lower()
        self.sending_from = Hook()  # (account, domain) -> names of the campaigns on their way from it
        self._now = clock
        self._usage = usage  # the usage service: a domain is claimed against the plan's limit first

    def count(self, account_id: str) -> int:
        """How many domains the account has: where its metered count starts if it was never kept."""
        return len(self._store.domains(account_id))

    @property
    def shared_domain(self) -> str:
        return self._shared_domain

    def domains(self, account) -> list[SendingDomain]:
        return self._store.domains(account.account_id)

    def verified_domains(self, account) -> list[SendingDomain]:
        return [d for d in self.domains(account) if d.verified]

    def get(self, account, domain: str) -> SendingDomain:
        found = self._store.get(account.account_id, self._name_or_none(domain) or "")
        if found is None:
            raise SendingDomainNotFound()
        return found

    def _name_or_none(self, text: str) -> str | None:
        try:
            return normalised_domain(text, self._shared_domain)
        except ValueError:
            return None

    # --- adding --------------------------------------------------------------------------------------

    def add(self, account, text: str) -> SendingDomain:
        """Claim the domain for the account and create its SES identity; the page then shows the
        records to publish."""
        from chalicelib.accounts.service import require_may_send

        require_may_send(account)  # only a confirmed, active account may claim a domain
        try:
            domain = normalised_domain(text, self._shared_domain)
        except ValueError as invalid:
            raise errors.ValidationFailed(field_errors=[errors.FieldError("domain", str(invalid))]) from None
        existing = self._store.domains(account.account_id)
        if any(d.domain == domain for d in existing):
            raise errors.ValidationFailed(field_errors=[errors.FieldError(
                "domain", N_("This domain is on your list already."))])
        if len(existing) >= MAX_DOMAINS:
            raise errors.ValidationFailed(field_errors=[errors.FieldError(
                "domain", N_("An account has at most 10 sending domains. Remove one you no longer use first."))])
        now = self._now()
        self._count_one_more(account)  # QuotaExceeded: over the plan's sending domains, nothing claimed
        try:
            self._claim(account.account_id, domain, now)
            try:
                identity = self._identities.create(domain)
            except SesUnavailable:  # throttled, a quota: nothing is held meanwhile
                self._store.release_claim(domain, account.account_id)
                raise
            added = SendingDomain(domain, account.account_id, status_of_identity(identity),
                                  tuple((identity.get("DkimAttributes") or {}).get("Tokens") or ()), now, now)
            self._store.save(added)
        except Exception:
            self._count_one_less(account)
            raise
        logger.info("sending domain added", account_id=account.account_id, domain=domain)
        return added

    def _claim(self, account_id: str, domain: str, now: datetime) -> None:
        current = self._store.claim_of(domain)
        if current is not None and current.account_id != account_id:
            if not current.lapsed(now) or self._verified_at_ses(domain):
                raise DomainTaken()
            logger.info("lapsed domain claim taken over", domain=domain, previous_account_id=current.account_id)
        claim = Claim(domain, account_id, now, False, now + timedelta(hours=CLAIM_HOURS))
        if not self._store.put_claim(claim, current):
            raise DomainTaken()

    def _verified_at_ses(self, domain: str) -> bool:
        identity = self._identities.get(domain)
        return identity is not None and status_of_identity(identity) is DomainStatus.VERIFIED

    # --- checking ------------------------------------------------------------------------------------

    def check(self, account, domain: str) -> SendingDomain:
        """Ask SES again ("Check now"); the claim follows: verified holds the domain for good, an
        unverified one lapses CLAIM_HOURS after it was made (or after verification was lost)."""
        found = self.get(account, domain)
        now = self._now()
        claim = self._store.claim_of(found.domain)
        if claim is None or claim.account_id != account.account_id:
            status, tokens, mail_from_status = DomainStatus.EXPIRED, found.dkim_tokens, found.mail_from_status
        else:
            identity = self._identities.get(found.domain)
            mail_from_status = found.mail_from_status
            if identity is None:  # deleted at SES behind our back: nothing can verify any more
                status, tokens = DomainStatus.FAILED, found.dkim_tokens
            else:
                status = status_of_identity(identity)
                tokens = tuple((identity.get("DkimAttributes") or {}).get("Tokens") or ()) or found.dkim_tokens
                mail_from_status = mail_from_status_of_identity(identity) if found.mail_from_domain else None
            verified = status is DomainStatus.VERIFIED
            if verified != claim.verified:
                self._store.put_claim(dataclasses.replace(
                    claim, verified=verified, expires_at=None if verified else now + timedelta(hours=CLAIM_HOURS)),
                    claim)
        checked = dataclasses.replace(found, status=status, dkim_tokens=tokens, checked_at=now,
                                      mail_from_status=mail_from_status,
                                      verified_at=(found.verified_at or now) if status is DomainStatus.VERIFIED
                                      else None)
        self._store.save(checked)
        if status is not found.status:
            logger.info("sending domain status changed", account_id=account.account_id, domain=found.domain,
                        status=status.value)
        return checked

    # --- a custom MAIL FROM subdomain -----------------------------------------------------------------

    def set_mail_from(self, account, domain: str, label: str | None) -> SendingDomain:
        """Bounces come back through <label>.<domain> (its MX and SPF records published), so SPF
        aligns with the From domain as DKIM does; an empty label goes back to SES's own MAIL FROM."""
        found = self.get(account, domain)
        claim = self._store.claim_of(found.domain)
        if claim is None or claim.account_id != account.account_id:
            raise DomainTaken()
        mail_from = None
        if label and label.strip():
            try:
                mail_from = f"{mail_from_label(label)}.{found.domain}"
            except ValueError as invalid:
                raise errors.ValidationFailed(field_errors=[errors.FieldError("mail_from", str(invalid))]) from None
        self._identities.set_mail_from(found.domain, mail_from)
        changed = dataclasses.replace(found, mail_from_domain=mail_from,
                                      mail_from_status=DomainStatus.PENDING if mail_from else None)
        self._store.save(changed)
        logger.info("sending domain mail from set", account_id=account.account_id, domain=found.domain,
                    custom=bool(mail_from))
        return changed

    # --- removing ------------------------------------------------------------------------------------

    def remove(self, account, domain: str) -> None:
        """The domain goes from the account and from SES. Refused while a campaign on its way sends
        from it; drafts that use it are refused when scheduled."""
        found = self.get(account, domain)
        campaigns = [name for names in self.sending_from(account, found.domain) for name in names]
        if campaigns:
            raise DomainInUse(campaign=campaigns[0])
        if self._store.release_claim(found.domain, account.account_id):
            self._identities.delete(found.domain)
        self._store.delete(account.account_id, found.domain)
        self._count_one_less(account)
        logger.info("sending domain removed", account_id=account.account_id, domain=found.domain)

    def _count_one_more(self, account) -> None:
        if self._usage is not None:
            from chalicelib.usage.plans import Meter

            self._usage.claim(account, Meter.SENDING_DOMAINS, 1, field="domain")

    def _count_one_less(self, account) -> None:
        if self._usage is not None:
            from chalicelib.usage.plans import Meter

            self._usage.release(account, Meter.SENDING_DOMAINS, 1)

    def erase_account(self, account) -> None:
        """The account is erased: its domains go, claims and SES identities too (campaigns go with it)."""
        for found in self._store.domains(account.account_id):
            if self._store.release_claim(found.domain, account.account_id):
                self._identities.delete(found.domain)
            self._store.delete(account.account_id, found.domain)
        logger.info("sending domains erased", account_id=account.account_id)

    # --- what campaigns ask ------------------------------------------------------------------------------

    def is_verified(self, account_id: str, domain: str) -> bool:
        """For the scheduler, starting a campaign sent later from this domain: still the account's,
        and SES has it verified, asked now."""
        try:
            return self.check(_AccountRef(account_id), domain).verified
        except SendingDomainNotFound:
            return False

    def require_own(self, account, domain: str, field: str = "from_email") -> SendingDomain:
        """On saving a campaign: the from address is on one of the account's domains."""
        found = self._store.get(account.account_id, domain)
        if found is None:
            raise errors.ValidationFailed(field_errors=[errors.FieldError(field, N_(
                "Send from the shared address or from a domain of your own: add and verify it under Sending "
                "domains first."))])
        return found

    def require_verified(self, account, domain: str, field: str = "from_email") -> SendingDomain:
        """On scheduling: the domain is the account's and SES has it verified, asked now."""
        self.require_own(account, domain, field)
        checked = self.check(account, domain)
        if not checked.verified:
            raise errors.ValidationFailed(field_errors=[errors.FieldError(field, N_(
                "The domain %(domain)s is not verified (any more): publish its DNS records and check it under "
                "Sending domains, or send from the shared address."), (("domain", checked.display_name),))])
        return checked
