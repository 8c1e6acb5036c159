"""Account services: register, verify the address, log in and out, edit the profile."""

import uuid
from datetime import timedelta

from chalicelib import errors
from chalicelib.accounts import passwords
from chalicelib.accounts.account import Account, AccountStatus, Plan
from chalicelib.accounts.audit import AuditEvent
from chalicelib.accounts.auth_store import LinkProblem, LinkPurpose, LinkRefused, Session
from chalicelib.accounts.repository import AddressTaken, now
from chalicelib.delivery.mail import MailRequest
from chalicelib.delivery.service import queue_mail
from chalicelib.i18n import LANGUAGES, N_
from chalicelib.observability import logger

VERIFICATION_LINK_VALID_FOR = timedelta(hours=48)

LINK_PROBLEM_MESSAGES = {
    LinkProblem.UNKNOWN: N_("This link is not valid. Copy the whole link from the mail, or ask for a new one."),
    LinkProblem.EXPIRED: N_("This link has expired. Ask for a new one."),
    LinkProblem.USED: N_("This link has already been used. Each link works once."),
}


class InvalidCredentials(errors.DomainError):
    status = 401
    code = "invalid-credentials"
    title = N_("Logging in did not work")
    default_message = N_("That e-mail address and password do not match an account.")


class LinkNotAccepted(errors.DomainError):
    status = 400
    code = "link-not-accepted"
    title = N_("This link cannot be used")


class AccountService:
    def __init__(self, accounts, auth, audit, mail_queue, public_base_url: str):
        self._accounts = accounts
        self._auth = auth
        self._audit = audit
        self._mail_queue = mail_queue
        self._base_url = public_base_url

    # --- registration and verification -------------------------------------------------------

    def register(self, data, language: str, ip: str | None) -> None:
        """Create the account and mail a verification link. For an address that already has an
        account the answer is the same, and its owner gets a mail instead (no enumeration)."""
        language = data.language if data.language in LANGUAGES else language
        moment = now()
        account = Account(
            account_id=uuid.uuid4().hex, email=data.email, name=data.name, phone=data.phone, street=data.street,
            postcode=data.postcode, city=data.city, country=data.country, language=language,
            password_hash=passwords.hash_password(data.password), password_changed_at=moment, created_at=moment,
            status=AccountStatus.ACTIVE, plan=Plan.FREE, company_name=data.company_name,
            coc_number=data.coc_number, vat_number=data.vat_number, website=data.website)
        try:
            self._accounts.create(account)
        except AddressTaken:
            owner = self._accounts.by_email(data.email)
            if owner is not None:
                self._audit.record(owner.account_id, AuditEvent.REGISTRATION_FOR_TAKEN_ADDRESS, ip)
                self._mail(owner, "already_registered", login_url=f"{self._base_url}/login",
                           reset_url=f"{self._base_url}/password/forgot")
            return
        self._audit.record(account.account_id, AuditEvent.REGISTERED, ip)
        logger.info("account registered", account_id=account.account_id)
        self._send_verification(account)

    def resend_verification(self, account: Account) -> None:
        if not account.email_verified:
            self._auth.revoke_links(account.account_id, LinkPurpose.VERIFY_EMAIL)
            self._send_verification(account)

    def _send_verification(self, account: Account) -> None:
        token = self._auth.issue_link(account.account_id, LinkPurpose.VERIFY_EMAIL, VERIFICATION_LINK_VALID_FOR,
                                      payload={"email": account.email})
        self._mail(account, "verify_email", verify_url=f"{self._base_url}/verify-email?token={token}",
                   valid_hours=int(VERIFICATION_LINK_VALID_FOR.total_seconds() // 3600))

    def verify_email(self, token: str, ip: str | None) -> Account:
        try:
            link = self._auth.use_link(token, LinkPurpose.VERIFY_EMAIL)
        except LinkRefused as refused:
            raise LinkNotAccepted(LINK_PROBLEM_MESSAGES[refused.problem]) from None
        account = self._accounts.get(link.account_id)
        if account is None or account.email != link.payload.get("email"):
            raise LinkNotAccepted(LINK_PROBLEM_MESSAGES[LinkProblem.UNKNOWN])
        if not account.email_verified:
            account.email_verified_at = now()
            self._accounts.save(account)
            self._audit.record(account.account_id, AuditEvent.EMAIL_VERIFIED, ip)
        return account

    # --- logging in and out --------------------------------------------------------------------

    def log_in(self, email: str, password: str, ip: str | None, previous_session_id: str | None) -> tuple[Account, Session]:
        """Check the password and start a fresh session (a new id at every login)."""
        account = self._accounts.by_email(email)
        if account is None:
            passwords.spend_verification_time()
            raise InvalidCredentials()
        if not passwords.verify_password(account.password_hash, password):
            self._audit.record(account.account_id, AuditEvent.LOGIN_FAILED, ip)
            raise InvalidCredentials()
        if passwords.needs_rehash(account.password_hash):
            account.password_hash = passwords.hash_password(password)
            self._accounts.save(account)
        if previous_session_id:
            self._auth.end_session(previous_session_id)
        session = self._auth.create_session(account.account_id)
        self._audit.record(account.account_id, AuditEvent.LOGIN_SUCCEEDED, ip)
        return account, session

    def log_out(self, session: Session, ip: str | None) -> None:
        self._auth.end_session(session.session_id)
        self._audit.record(session.account_id, AuditEvent.LOGGED_OUT, ip)

    def signed_in(self, session_id: str | None) -> tuple[Account, Session] | None:
        session = self._auth.session(session_id) if session_id else None
        if session is None:
            return None
        account = self._accounts.get(session.account_id)
        if account is None:
            self._auth.end_session(session_id)
            return None
        return account, session

    # --- settings ------------------------------------------------------------------------------

    def update_profile(self, account: Account, profile, ip: str | None) -> Account:
        changed = sorted(f for f in Account.PROFILE_FIELDS if getattr(account, f) != getattr(profile, f))
        for field in changed:
            setattr(account, field, getattr(profile, field))
        if changed:
            self._accounts.save(account)
            self._audit.record(account.account_id, AuditEvent.PROFILE_CHANGED, ip, fields=changed)
        return account

    def _mail(self, account: Account, template: str, **context) -> None:
        queue_mail(self._mail_queue, MailRequest(template=template, to=(account.email,), language=account.language,
                                                 context={"name": account.name, **context}))
