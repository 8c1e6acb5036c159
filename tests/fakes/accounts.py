"""Accounts in memory, keeping DynamoAccounts' contract (tests/integration/test_accounts_repository_contract.py),
the audit log as a list, and an account holder to store in them."""

import dataclasses
from datetime import datetime, timezone

from chalicelib import errors
from chalicelib.accounts.account import Account, AccountFacts
from chalicelib.accounts.audit import AuditEvent
from chalicelib.accounts.repository import CHANGED_ELSEWHERE, AddressTaken
from chalicelib.validation import address_key
from tests.fakes.stored import json_value, utc


CREATED = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=timezone.utc)


def an_account(account_id="acc-1", email="anna@example.nl", **changes) -> Account:
    """An account holder with every required field, not yet stored; `changes` set any other."""
    return dataclasses.replace(Account(
        account_id=account_id, email=email, name="Anna de Vries", phone="+31201234567", street="Dam 1",
        postcode="1012 JS", city="Amsterdam", country="NL", language="nl", password_hash="argon2-hash",
        password_changed_at=CREATED, created_at=CREATED), **changes)


class InMemoryAuditLog:
    """What DynamoAuditLog.record is told, in order: (account id, event, ip, details)."""

    def __init__(self):
        self.entries: list[tuple[str, AuditEvent, str | None, dict]] = []

    def record(self, account_id: str, event: AuditEvent, ip: str | None = None, **details) -> None:
        self.entries.append((account_id, event, ip, details))


def _stored(account: Account, version: int) -> Account:
    """The account as DynamoDB gives it back: times in UTC, JSON values through JSON, its new version."""
    return dataclasses.replace(
        account, email_verified_at=utc(account.email_verified_at), password_changed_at=utc(account.password_changed_at),
        created_at=utc(account.created_at), sending_paused_at=utc(account.sending_paused_at),
        product_news_consent=json_value(account.product_news_consent),
        recovery_code_hashes=json_value(account.recovery_code_hashes),
        sending_paused_reason=json_value(account.sending_paused_reason), version=version)


class InMemoryAccounts:
    def __init__(self):
        self._accounts: dict[str, Account] = {}  # by account id
        self._claims: dict[str, str] = {}  # normalised address -> account id

    def create(self, account: Account) -> None:
        key = address_key(account.email)
        if key in self._claims or account.account_id in self._accounts:
            raise AddressTaken()
        self._claims[key] = account.account_id
        self._accounts[account.account_id] = _stored(account, 1)
        account.version = 1

    def get(self, account_id: str) -> Account | None:
        found = self._accounts.get(account_id)
        return _stored(found, found.version) if found else None

    def by_email(self, email: str) -> Account | None:
        try:
            account_id = self._claims.get(address_key(email))
        except ValueError:
            return None
        return self.get(account_id) if account_id else None

    def _require_current(self, account: Account) -> None:
        stored = self._accounts.get(account.account_id)
        if (stored.version if stored else None) != account.version:
            raise errors.Conflict(CHANGED_ELSEWHERE)

    def change_email(self, account: Account, new_email: str) -> None:
        old_key, new_key = address_key(account.email), address_key(new_email)
        if self._claims.get(old_key) != account.account_id or (new_key != old_key and new_key in self._claims):
            raise AddressTaken()
        self._require_current(account)
        del self._claims[old_key]
        self._claims[new_key] = account.account_id
        account.email = new_email
        self._save(account)

    def delete(self, account: Account) -> None:
        key = address_key(account.email)
        if self._claims.get(key) != account.account_id:
            raise errors.Conflict(CHANGED_ELSEWHERE)
        self._require_current(account)
        del self._claims[key]
        del self._accounts[account.account_id]

    def save(self, account: Account) -> None:
        self._require_current(account)
        self._save(account)

    def _save(self, account: Account) -> None:
        version = (account.version or 0) + 1
        self._accounts[account.account_id] = _stored(account, version)
        account.version = version

    def pause_sending(self, account_id: str, at: datetime, reason: dict) -> bool:
        stored = self._accounts.get(account_id)
        if stored is None or stored.sending_paused_at is not None:
            return False
        self._accounts[account_id] = _stored(dataclasses.replace(stored, sending_paused_at=at,
                                                                 sending_paused_reason=reason), stored.version + 1)
        return True

    def resume_sending(self, account_id: str) -> None:
        stored = self._accounts.get(account_id)
        if stored is None:  # DynamoAccounts' conditional update fails (PynamoDB's UpdateError)
            raise LookupError("no such account")
        self._accounts[account_id] = dataclasses.replace(stored, sending_paused_at=None, sending_paused_reason=None,
                                                         version=stored.version + 1)

    def statistics_page(self, cursor: str | None = None, limit: int = 100) -> tuple[list[AccountFacts], str | None]:
        ordered = sorted(self._accounts)
        after = cursor.removeprefix("ACCOUNT#") if cursor else None
        remaining = [account_id for account_id in ordered if after is None or account_id > after]
        page = remaining[:limit]
        facts = [AccountFacts(a.account_id, a.plan, a.country, a.active, a.staff)
                 for a in (self._accounts[account_id] for account_id in page)]
        return facts, ("ACCOUNT#" + page[-1] if len(remaining) > limit else None)
    def page(self, cursor: str | None = None, limit: int = 100) -> tuple[list[Account], str | None]:
        """DynamoAccounts.page's contract: every account once, in a fixed order, `limit` at a time."""
        ids = sorted(i for i in self._accounts if cursor is None or i > cursor)
        chosen = ids[:limit]
        more = len(ids) > limit
        return [self.get(i) for i in chosen], (chosen[-1] if more else None)
