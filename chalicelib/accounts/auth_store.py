"""Sessions and single-use links in the auth table; only hashes of their secrets are stored."""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum

from chalicelib import errors
from chalicelib.accounts import tokens
from chalicelib.dynamo import bind
from chalicelib.i18n import N_

SESSION_PREFIX = "SESSION#"
LINK_PREFIX = "LINK#"
PENDING_PREFIX = "PENDING#"
PENDING_LOGIN_VALID_FOR = timedelta(minutes=5)
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
SESSION_TOUCH_EVERY = timedelta(minutes=1)  # last-seen is written at most this often
LINK_KEPT_AFTER_EXPIRY_S = 7 * 24 * 3600  # so an expired link is told apart from one never made


class LinkPurpose(str, Enum):
    VERIFY_EMAIL = "verify-email"
    RESET_PASSWORD = "reset-password"
    CHANGE_EMAIL = "change-email"
    CONFIRM_SUBSCRIPTION = "confirm-subscription"


class LinkProblem(Enum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


@dataclass
class Session:
    session_id: str
    account_id: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime


@dataclass
class Link:
    account_id: str
    purpose: LinkPurpose
    payload: dict


LINK_PROBLEM_MESSAGES = {
    LinkProblem.UNKNOWN: N_("This link is not valid. Copy the whole link from the mail, or ask for a new one."),
    LinkProblem.EXPIRED: N_("This link has expired. Ask for a new one."),
    LinkProblem.USED: N_("This link has already been used. Each link works once."),
}


class LinkRefused(errors.DomainError):
    """A mailed link that cannot be used: forged, expired or used before. It answers 400 with the
    reason; a caller may give a message of its own for the same problem."""

    status = 400
    code = "link-not-accepted"
    title = N_("This link cannot be used")

    def __init__(self, problem: LinkProblem, message: str | None = None):
        super().__init__(message or LINK_PROBLEM_MESSAGES[problem])
        self.problem = problem


def _now() -> datetime:
    return datetime.now(timezone.utc)


class DynamoAuthStore:
    def __init__(self, table_name: str, region: str, host: str | None):
        from chalicelib.accounts.models import LinkModel, PendingLoginModel, SessionModel

        for model in (SessionModel, LinkModel, PendingLoginModel):
            bind(model, table_name, region, host)
        self._sessions, self._links, self._pending = SessionModel, LinkModel, PendingLoginModel

    # --- sessions --------------------------------------------------------------------------------

    def create_session(self, account_id: str) -> Session:
        session_id, now = tokens.new_secret(), _now()
        csrf_token = tokens.new_secret()
        self._sessions(pk=SESSION_PREFIX + tokens.stored_hash(session_id), account_id=account_id,
                       csrf_token=csrf_token, created_at=now, last_seen_at=now,
                       expires_at=int((now + SESSION_ABSOLUTE_TIMEOUT).timestamp())).save()
        return Session(session_id, account_id, csrf_token, now, now)

    def session(self, session_id: str) -> Session | None:
        """The live session for a cookie value, or None when unknown, idle too long or too old."""
        from pynamodb.exceptions import DoesNotExist

        if not session_id or len(session_id) > 100:
            return None
        try:
            item = self._sessions.get(SESSION_PREFIX + tokens.stored_hash(session_id))
        except DoesNotExist:
            return None
        now = _now()
        if now - item.last_seen_at > SESSION_IDLE_TIMEOUT or now - item.created_at > SESSION_ABSOLUTE_TIMEOUT:
            item.delete()
            return None
        if now - item.last_seen_at > SESSION_TOUCH_EVERY:
            item.update(actions=[self._sessions.last_seen_at.set(now)])
        return Session(session_id, item.account_id, item.csrf_token, item.created_at, item.last_seen_at)

    def end_session(self, session_id: str) -> None:
        self._sessions(pk=SESSION_PREFIX + tokens.stored_hash(session_id)).delete()

    def end_all_sessions(self, account_id: str, keep_session_id: str | None = None) -> int:
        keep = SESSION_PREFIX + tokens.stored_hash(keep_session_id) if keep_session_id else None
        ended = 0
        for key in self._sessions.by_account.query(account_id, self._sessions.pk.startswith(SESSION_PREFIX)):
            if key.pk != keep:
                self._sessions(pk=key.pk).delete()
                ended += 1
        return ended

    # --- logins waiting for their second factor ------------------------------------------------

    def hold_login(self, account_id: str, remember_me: bool, device: str) -> str:
        token = tokens.new_secret()
        self._pending(pk=PENDING_PREFIX + tokens.stored_hash(token), account_id=account_id, remember_me=remember_me,
                      device=device[:120], expires_at=int((_now() + PENDING_LOGIN_VALID_FOR).timestamp())).save()
        return token

    def held_login(self, token: str):
        from pynamodb.exceptions import DoesNotExist

        if not token or len(token) > 100:
            return None
        try:
            item = self._pending.get(PENDING_PREFIX + tokens.stored_hash(token), consistent_read=True)
        except DoesNotExist:
            return None
        return item if item.expires_at > time.time() else None

    def release_login(self, token: str) -> None:
        self._pending(pk=PENDING_PREFIX + tokens.stored_hash(token)).delete()

    # --- single-use links ------------------------------------------------------------------------

    def issue_link(self, account_id: str, purpose: LinkPurpose, valid_for: timedelta, payload=None) -> str:
        token = tokens.new_secret()
        valid_until = int((_now() + valid_for).timestamp())
        self._links(pk=LINK_PREFIX + tokens.stored_hash(token), account_id=account_id, purpose=purpose.value,
                    payload=payload or {}, valid_until=valid_until,
                    expires_at=valid_until + LINK_KEPT_AFTER_EXPIRY_S).save()
        return token

    def use_link(self, token: str, purpose: LinkPurpose) -> Link:
        """Mark a link used, once: a second use, an expired link or a forged one is refused."""
        from pynamodb.exceptions import DoesNotExist, UpdateError

        if not token or len(token) > 100:
            raise LinkRefused(LinkProblem.UNKNOWN)
        key = LINK_PREFIX + tokens.stored_hash(token)
        try:
            item = self._links.get(key, consistent_read=True)
        except DoesNotExist:
            raise LinkRefused(LinkProblem.UNKNOWN) from None
        if item.purpose != purpose.value:
            raise LinkRefused(LinkProblem.UNKNOWN)
        if item.used_at is not None:
            raise LinkRefused(LinkProblem.USED)
        if item.valid_until < time.time():
            raise LinkRefused(LinkProblem.EXPIRED)
        try:  # the condition makes using it a race that only one request wins
            item.update(actions=[self._links.used_at.set(_now())], condition=self._links.used_at.does_not_exist())
        except UpdateError:
            raise LinkRefused(LinkProblem.USED) from None
        return Link(item.account_id, purpose, dict(item.payload or {}))

    def peek_link(self, token: str, purpose: LinkPurpose) -> Link | None:
        """The link, if it could be used now (not used, not expired), without using it: what a page
        shows before the person presses the button that uses it."""
        from pynamodb.exceptions import DoesNotExist

        if not token or len(token) > 100:
            return None
        try:
            item = self._links.get(LINK_PREFIX + tokens.stored_hash(token), consistent_read=True)
        except DoesNotExist:
            return None
        if item.purpose != purpose.value or item.used_at is not None or item.valid_until < time.time():
            return None
        return Link(item.account_id, purpose, dict(item.payload or {}))

    def delete_links(self, account_id: str) -> None:
        for key in self._links.by_account.query(account_id, self._links.pk.startswith(LINK_PREFIX)):
            self._links(pk=key.pk).delete()

    def revoke_links(self, account_id: str, purpose: LinkPurpose) -> None:
        for key in self._links.by_account.query(account_id, self._links.pk.startswith(LINK_PREFIX)):
            item = self._links.get(key.pk)
            if item.purpose == purpose.value and item.used_at is None:
                item.update(actions=[self._links.used_at.set(_now())])
