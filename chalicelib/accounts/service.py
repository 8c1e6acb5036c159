"""Account services: register, verify the address, log in and out, edit the profile."""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta

from chalicelib import errors
from chalicelib.accounts import passwords, two_factor
from chalicelib.accounts.account import PRODUCT_NEWS_CONSENT_TEXT, Account, AccountStatus, Plan
from chalicelib.accounts.audit import AuditEvent
from chalicelib.accounts.auth_store import LinkProblem, LinkPurpose, LinkRefused, Session
from chalicelib.accounts.remember import TheftSuspected, split
from chalicelib.accounts.repository import AddressTaken, now
from chalicelib.accounts.throttle import ACCOUNT_LOGIN_LIMIT, IP_LOGIN_LIMIT
from chalicelib.delivery.mail import MailRequest
from chalicelib.delivery.service import queue_mail
from chalicelib.hooks import Hook
from chalicelib.i18n import LANGUAGES, N_, gettext, use_language
from chalicelib.observability import logger
from chalicelib.validation import address_key, normalised_email

VERIFICATION_LINK_VALID_FOR = timedelta(hours=48)
RESET_LINK_VALID_FOR = timedelta(hours=1)



class InvalidCredentials(errors.DomainError):
    status = 401
    code = "invalid-credentials"
    title = N_("Logging in did not work")
    default_message = N_("That e-mail address and password do not match an account.")


class WrongPassword(errors.DomainError):
    status = 403
    code = "wrong-password"
    title = N_("That is not your current password")
    default_message = N_("Enter your current password to confirm this change.")


class AddressNotConfirmed(errors.DomainError):
    status = 403
    code = "address-not-confirmed"
    title = N_("Confirm your e-mail address first")
    default_message = N_("Until your e-mail address is confirmed you cannot send campaigns or import contacts. "
                         "Open the link we mailed you, or ask for a new one on your overview page.")


def require_may_send(account: Account) -> None:
    """For sending and importing (P1, P16): a confirmed address and an active account."""
    if not account.active:
        raise errors.Forbidden(N_("Your account is deactivated: reactivate it to send or import."))
    if not account.email_verified:
        raise AddressNotConfirmed()


class SecondFactorRequired(errors.DomainError):
    status = 401
    code = "second-factor-required"
    title = N_("Enter the code from your authenticator app")
    default_message = N_("This account uses two-factor authentication: send the 6-digit code (or a recovery code) too.")


class InvalidSecondFactor(errors.DomainError):
    status = 401
    code = "invalid-second-factor"
    title = N_("That code did not work")
    default_message = N_("Enter the current 6-digit code from your authenticator app, or one of your recovery codes.")


@dataclass
class SignIn:
    """The outcome of logging in: the account, its new session, and a remember-me cookie if asked.
    With two-factor authentication and no code yet, there is no session but a held login."""

    account: Account
    session: Session | None
    remember: tuple[str, str, int] | None = None
    held_login: str | None = None


class AccountService:
    def __init__(self, accounts, auth, audit, mail_queue, public_base_url: str, remembered, throttle):
        self._accounts = accounts
        self._auth = auth
        self._audit = audit
        self._mail_queue = mail_queue
        self._base_url = public_base_url
        self._remembered = remembered
        self._throttle = throttle
        self.tracking_changed = Hook()  # (account): its campaign tracking choice was set

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
                           reset_url=self._reset_url)
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
        link = self._auth.use_link(token, LinkPurpose.VERIFY_EMAIL)
        account = self._accounts.get(link.account_id)
        if account is None or account.email != link.payload.get("email"):
            raise LinkRefused(LinkProblem.UNKNOWN)
        if not account.email_verified:
            account.email_verified_at = now()
            self._accounts.save(account)
            self._audit.record(account.account_id, AuditEvent.EMAIL_VERIFIED, ip)
        return account

    # --- logging in and out --------------------------------------------------------------------

    def log_in(self, email: str, password: str, ip: str | None, previous_session_id: str | None,
               remember_me: bool = False, device: str = "", second_factor: str | None = None,
               hold_for_second_factor: bool = False) -> SignIn:
        """Check the password and start a fresh session (a new id at every login). Failed attempts
        are counted per address and per IP; past the limit the answer says when to try again.
        With two-factor authentication, the code comes with the request (API) or the login is held
        until it is entered on the next page (`hold_for_second_factor`)."""
        who = _throttle_key(email)
        self._refuse_when_throttled(who, ip)
        account = self._accounts.by_email(email)
        if account is None:
            passwords.spend_verification_time()
            self._count_failure(who, ip)
            raise InvalidCredentials()
        if not passwords.verify_password(account.password_hash, password):
            self._count_failure(who, ip)
            self._audit.record(account.account_id, AuditEvent.LOGIN_FAILED, ip)
            raise InvalidCredentials()
        if passwords.needs_rehash(account.password_hash):
            account.password_hash = passwords.hash_password(password)
            self._accounts.save(account)
        if account.two_factor:
            if second_factor:
                self._check_second_factor(account, second_factor, who, ip)
            elif hold_for_second_factor:
                return SignIn(account, None, held_login=self._auth.hold_login(account.account_id, remember_me, device))
            else:
                raise SecondFactorRequired()
        return self._start_session(account, previous_session_id, ip, remember_me, device)

    def complete_login(self, held_login: str, code: str, ip: str | None, previous_session_id: str | None) -> SignIn:
        """The second step of a login with two-factor authentication."""
        held = self._auth.held_login(held_login)
        if held is None:
            raise errors.NotAuthenticated(N_("Your login took too long. Please enter your password again."))
        account = self._accounts.get(held.account_id)
        if account is None:
            raise errors.NotAuthenticated()
        who = _throttle_key(account.email)
        self._refuse_when_throttled(who, ip)
        self._check_second_factor(account, code, who, ip)
        self._auth.release_login(held_login)
        return self._start_session(account, previous_session_id, ip, held.remember_me, held.device)

    def _check_second_factor(self, account: Account, code: str, who: str, ip: str | None) -> None:
        if two_factor.code_is_valid(account.totp_secret, code):
            return
        hashes = list(account.recovery_code_hashes or [])
        used = two_factor.recovery_hash(code)
        if used in hashes:
            hashes.remove(used)
            account.recovery_code_hashes = hashes
            self._accounts.save(account)
            self._audit.record(account.account_id, AuditEvent.RECOVERY_CODE_USED, ip, left=len(hashes))
            return
        self._count_failure(who, ip)
        self._audit.record(account.account_id, AuditEvent.TWO_FACTOR_FAILED, ip)
        raise InvalidSecondFactor()

    def _start_session(self, account: Account, previous_session_id, ip, remember_me: bool, device: str) -> SignIn:
        if previous_session_id:
            self._auth.end_session(previous_session_id)
        session = self._auth.create_session(account.account_id)
        self._audit.record(account.account_id, AuditEvent.LOGIN_SUCCEEDED, ip)
        remember = None
        if remember_me:
            remember = self._remembered.remember(account.account_id, device)
            self._audit.record(account.account_id, AuditEvent.DEVICE_REMEMBERED, ip)
            self._mail(account, "security_alert", alert="new_device", device=device[:120],
                       settings_url=f"{self._base_url}/settings#devices")
        return SignIn(account, session, remember)

    # --- two-factor authentication -------------------------------------------------------------

    def start_two_factor_setup(self, account: Account) -> dict:
        account.totp_pending_secret = two_factor.new_secret()
        self._accounts.save(account)
        return self.two_factor_setup(account)

    @staticmethod
    def two_factor_setup(account: Account) -> dict:
        uri = two_factor.provisioning_uri(account.totp_pending_secret, account.email)
        return {"secret": account.totp_pending_secret, "uri": uri, "qr_code": two_factor.qr_code_data_uri(uri)}

    def confirm_two_factor(self, account: Account, code: str, ip: str | None) -> list[str]:
        """Switch it on with a first correct code; returns the recovery codes, shown this once."""
        if not account.totp_pending_secret or not two_factor.code_is_valid(account.totp_pending_secret, code):
            raise errors.ValidationFailed(field_errors=[errors.FieldError(
                "code", N_("That code did not work. Enter the 6 digits your app shows now."))])
        codes = two_factor.new_recovery_codes()
        account.totp_secret, account.totp_pending_secret = account.totp_pending_secret, None
        account.recovery_code_hashes = [two_factor.recovery_hash(c) for c in codes]
        self._accounts.save(account)
        self._audit.record(account.account_id, AuditEvent.TWO_FACTOR_ENABLED, ip)
        self._mail(account, "security_alert", alert="two_factor_enabled", reset_url=self._reset_url)
        return codes

    def disable_two_factor(self, account: Account, password: str, ip: str | None) -> None:
        if not passwords.verify_password(account.password_hash, password):
            raise WrongPassword()
        account.totp_secret = account.totp_pending_secret = account.recovery_code_hashes = None
        self._accounts.save(account)
        self._audit.record(account.account_id, AuditEvent.TWO_FACTOR_DISABLED, ip)
        self._mail(account, "security_alert", alert="two_factor_disabled", reset_url=self._reset_url)

    def _refuse_when_throttled(self, who: str, ip: str | None) -> None:
        waits = [self._throttle.retry_after(ACCOUNT_LOGIN_LIMIT, who)]
        if ip:
            waits.append(self._throttle.retry_after(IP_LOGIN_LIMIT, ip))
        wait = max((w for w in waits if w), default=None)
        if wait:
            raise errors.TooManyRequests(N_("Too many failed attempts. Try again in %(minutes)s minutes."),
                                         retry_after_s=wait, minutes=max(1, -(-wait // 60)))

    def _count_failure(self, who: str, ip: str | None) -> None:
        self._throttle.record_failure(ACCOUNT_LOGIN_LIMIT, who)
        if ip:
            self._throttle.record_failure(IP_LOGIN_LIMIT, ip)

    def sign_in_remembered(self, cookie_value: str | None, ip: str | None) -> SignIn | None:
        """A browser without a live session but with a remember-me cookie: a new session and a
        rotated cookie. A stolen cookie (see `remember`) forgets every device of the account."""
        parts = split(cookie_value)
        if parts is None:
            return None
        try:
            used = self._remembered.use(*parts)
        except TheftSuspected as theft:
            self._lock_out_devices(theft.account_id, ip)
            raise
        if used is None:
            return None
        account_id, remember = used
        account = self._accounts.get(account_id)
        if account is None:
            return None
        session = self._auth.create_session(account_id)
        self._audit.record(account_id, AuditEvent.LOGIN_REMEMBERED, ip)
        return SignIn(account, session, remember)

    def _lock_out_devices(self, account_id: str, ip: str | None) -> None:
        self._remembered.forget_all(account_id)
        self._auth.end_all_sessions(account_id)
        self._audit.record(account_id, AuditEvent.REMEMBER_THEFT_SUSPECTED, ip)
        account = self._accounts.get(account_id)
        if account is not None:
            self._mail(account, "security_alert", alert="remember_theft",
                       reset_url=self._reset_url)
        logger.warning("remembered device cookie reused; all devices signed out", account_id=account_id)

    def remembered_devices(self, account: Account):
        return self._remembered.devices(account.account_id)

    def forget_device(self, account: Account, selector: str, ip: str | None) -> None:
        if not self._remembered.forget(account.account_id, selector):
            raise errors.NotFound(N_("That device is not remembered for your account."))
        self._audit.record(account.account_id, AuditEvent.DEVICE_FORGOTTEN, ip)

    # --- passwords -----------------------------------------------------------------------------

    def change_password(self, account: Account, current: str, new: str, ip: str | None) -> Session:
        """Every session and remembered device ends; the caller gets a fresh session."""
        if not passwords.verify_password(account.password_hash, current):
            raise WrongPassword()
        self._set_password(account, new, ip)
        return self._auth.create_session(account.account_id)

    def request_password_reset(self, email: str, ip: str | None) -> None:
        """Mail a reset link if the address has an account; the answer is the same either way."""
        account = self._accounts.by_email(email)
        if account is None:
            return
        self._auth.revoke_links(account.account_id, LinkPurpose.RESET_PASSWORD)
        token = self._auth.issue_link(account.account_id, LinkPurpose.RESET_PASSWORD, RESET_LINK_VALID_FOR,
                                      payload={"password_changed_at": account.password_changed_at.isoformat()})
        self._audit.record(account.account_id, AuditEvent.PASSWORD_RESET_REQUESTED, ip)
        self._mail(account, "reset_password", reset_url=f"{self._base_url}/password/reset?token={token}",
                   valid_minutes=int(RESET_LINK_VALID_FOR.total_seconds() // 60))

    def reset_password(self, token: str, new: str, ip: str | None) -> Account:
        link = self._auth.use_link(token, LinkPurpose.RESET_PASSWORD)
        account = self._accounts.get(link.account_id)
        if account is None or link.payload.get("password_changed_at") != account.password_changed_at.isoformat():
            raise LinkRefused(LinkProblem.USED)
        self._set_password(account, new, ip)
        return account

    def _set_password(self, account: Account, new: str, ip: str | None) -> None:
        problem = passwords.password_problem(new)
        if problem:
            raise errors.ValidationFailed(field_errors=[errors.FieldError("new_password", problem)])
        account.password_hash = passwords.hash_password(new)
        account.password_changed_at = now()
        self._accounts.save(account)
        self._auth.end_all_sessions(account.account_id)
        self._remembered.forget_all(account.account_id)
        self._audit.record(account.account_id, AuditEvent.PASSWORD_CHANGED, ip)
        self._mail(account, "security_alert", alert="password_changed",
                   reset_url=self._reset_url)

    def log_out(self, session: Session, ip: str | None, forget_device: str | None = None) -> None:
        self._auth.end_session(session.session_id)
        if forget_device:
            self._remembered.forget(session.account_id, forget_device)
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

    def set_product_news(self, account: Account, opted_in: bool, language: str, ip: str | None,
                         source: str = "settings") -> None:
        """Record the choice with its moment and the exact words shown (P4); `source` says where it
        was made (Settings & Options, or the unsubscribe link of a product-news mail)."""
        if opted_in == account.product_news:
            return
        with use_language(language):
            shown = gettext(PRODUCT_NEWS_CONSENT_TEXT)
        account.product_news = opted_in
        account.product_news_consent = {"opted_in": opted_in, "at": now().isoformat(), "text": shown,
                                        "language": language, "source": source}
        self._accounts.save(account)
        event = AuditEvent.PRODUCT_NEWS_CONSENT_GIVEN if opted_in else AuditEvent.PRODUCT_NEWS_CONSENT_WITHDRAWN
        self._audit.record(account.account_id, event, ip, text=shown, language=language, source=source)

    def set_campaign_tracking(self, account: Account, on: bool, ip: str | None) -> None:
        """Whether the account's campaigns count opens and clicks (P14); its campaigns are told, and
        follow it (through `tracking_changed`)."""
        if on != account.campaign_tracking:
            account.campaign_tracking = on
            self._accounts.save(account)
            self._audit.record(account.account_id, AuditEvent.PROFILE_CHANGED, ip, fields=["campaign_tracking"])
        self.tracking_changed(account)

    def change_plan(self, account: Account, plan: str, ip: str | None) -> None:
        try:
            chosen = Plan(plan)
        except ValueError:
            raise errors.ValidationFailed(field_errors=[errors.FieldError("plan", N_("Choose one of the offered values."))]) from None
        if chosen is not account.plan:
            previous, account.plan = account.plan, chosen
            self._accounts.save(account)
            self._audit.record(account.account_id, AuditEvent.PLAN_CHANGED, ip, previous=previous.value, plan=chosen.value)

    # --- e-mail address ------------------------------------------------------------------------

    def request_email_change(self, account: Account, new_email: str, password: str, ip: str | None) -> None:
        """Mail a confirmation link to the new address; the change takes effect when it is used."""
        if not passwords.verify_password(account.password_hash, password):
            raise WrongPassword()
        try:
            new_email = normalised_email(new_email)
        except ValueError as invalid:
            raise errors.ValidationFailed(field_errors=[errors.FieldError("new_email", str(invalid))]) from None
        self._audit.record(account.account_id, AuditEvent.EMAIL_CHANGE_REQUESTED, ip)
        if self._accounts.by_email(new_email) is not None:
            return  # the same answer as for a free address: which addresses have accounts stays private
        self._auth.revoke_links(account.account_id, LinkPurpose.CHANGE_EMAIL)
        token = self._auth.issue_link(account.account_id, LinkPurpose.CHANGE_EMAIL, VERIFICATION_LINK_VALID_FOR,
                                      payload={"old_email": account.email, "new_email": new_email})
        self._mail(account, "confirm_email_change", to=new_email,
                   confirm_url=f"{self._base_url}/settings/email/confirm?token={token}",
                   valid_hours=int(VERIFICATION_LINK_VALID_FOR.total_seconds() // 3600))
        self._mail(account, "security_alert", alert="email_change_requested", new_email=new_email,
                   reset_url=self._reset_url)

    def confirm_email_change(self, token: str, ip: str | None) -> Account:
        link = self._auth.use_link(token, LinkPurpose.CHANGE_EMAIL)
        account = self._accounts.get(link.account_id)
        if account is None or account.email != link.payload.get("old_email"):
            raise LinkRefused(LinkProblem.USED)
        try:
            self._accounts.change_email(account, link.payload["new_email"])
        except AddressTaken:
            raise errors.Conflict(N_("That address has been taken by another account in the meantime.")) from None
        account.email_verified_at = now()
        self._accounts.save(account)
        self._audit.record(account.account_id, AuditEvent.EMAIL_CHANGED, ip)
        self._mail(account, "security_alert", to=link.payload["old_email"], alert="email_changed",
                   new_email=account.email, reset_url=self._reset_url)
        return account

    # --- deactivation (P16) --------------------------------------------------------------------

    def deactivate(self, account: Account, password: str, ip: str | None) -> None:
        """A deactivated account sends nothing and receives no announcements or marketing;
        logging in again offers to reactivate it."""
        if not passwords.verify_password(account.password_hash, password):
            raise WrongPassword()
        account.status = AccountStatus.DEACTIVATED
        self._accounts.save(account)
        self._auth.end_all_sessions(account.account_id)
        self._remembered.forget_all(account.account_id)
        self._audit.record(account.account_id, AuditEvent.DEACTIVATED, ip)

    def reactivate(self, account: Account, ip: str | None) -> None:
        if account.status is AccountStatus.DEACTIVATED:
            account.status = AccountStatus.ACTIVE
            self._accounts.save(account)
            self._audit.record(account.account_id, AuditEvent.REACTIVATED, ip)

    @property
    def _reset_url(self) -> str:
        return f"{self._base_url}/password/forgot"

    def _mail(self, account: Account, template: str, to: str | None = None, **context) -> None:
        """Mail about this account, in its language, to its address (or `to`), tagged with it so
        delivery events can be found again (and erased) by account."""
        queue_mail(self._mail_queue, MailRequest(template=template, to=(to or account.email,), language=account.language,
                                                 context={"name": account.name, **context},
                                                 tags={"account": account.account_id}))


def _throttle_key(email: str) -> str:
    """Throttle counters are keyed by a hash of the address: no addresses in the auth table."""
    try:
        key = address_key(email)
    except ValueError:
        key = email.strip().lower()
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
