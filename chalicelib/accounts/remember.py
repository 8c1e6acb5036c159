"""Remember me (P9, "the permanent cookie that remembers your access codes").

The cookie holds a split token, `<selector>.<validator>`: the selector finds the stored record,
the validator is compared with the stored SHA-256 of it (the password is never in the cookie).
The selector names the device; each use replaces the validator. The device is forgotten 30 days
after it was first remembered, or when revoked. A known selector with a wrong validator means a stolen cookie was used after
the real one rotated (or the other way round): every remembered device of that account is then
forgotten, its sessions end, and the account holder is told.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from chalicelib.accounts import tokens
from chalicelib.dynamo import bind
from chalicelib.tokens_compare import same_secret

REMEMBER_PREFIX = "REMEMBER#"
REMEMBER_FOR = timedelta(days=30)
# A page's parallel requests all carry the same cookie; those that arrive just after the first
# one rotated it are let in (without a new cookie) instead of being taken for a stolen copy.
ROTATION_GRACE = timedelta(seconds=30)
COOKIE = "__Host-remember"


@dataclass
class RememberedDevice:
    selector: str
    account_id: str
    device: str
    created_at: datetime
    last_used_at: datetime
    expires_at: int


class TheftSuspected(Exception):
    def __init__(self, account_id: str):
        super().__init__("remember-me validator mismatch")
        self.account_id = account_id


def remember_cookie(selector: str, validator: str, expires_at: int) -> str:
    max_age = max(0, expires_at - int(datetime.now(timezone.utc).timestamp()))
    return f"{COOKIE}={selector}.{validator}; Path=/; Max-Age={max_age}; Secure; HttpOnly; SameSite=Lax"


def forget_cookie() -> str:
    return f"{COOKIE}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax"


def split(cookie_value: str | None) -> tuple[str, str] | None:
    selector, _, validator = (cookie_value or "").partition(".")
    if not selector or not validator or len(cookie_value) > 200:
        return None
    return selector, validator


class DynamoRememberedDevices:
    def __init__(self, table_name: str, region: str, host: str | None):
        from chalicelib.accounts.models import RememberTokenModel

        bind(RememberTokenModel, table_name, region, host)
        self._model = RememberTokenModel

    def remember(self, account_id: str, device: str) -> tuple[str, str, int]:
        """A new remembered device; returns (selector, validator, expiry) for the cookie."""
        now = datetime.now(timezone.utc)
        return self._store(account_id, device, now, int((now + REMEMBER_FOR).timestamp()))

    def _store(self, account_id, device, created_at, expires_at) -> tuple[str, str, int]:
        selector, validator = tokens.new_secret()[:24], tokens.new_secret()
        self._model(pk=REMEMBER_PREFIX + selector, account_id=account_id, validator_hash=tokens.stored_hash(validator),
                    device=device[:120], created_at=created_at, last_used_at=datetime.now(timezone.utc),
                    expires_at=expires_at).save(condition=self._model.pk.does_not_exist())
        return selector, validator, expires_at

    def use(self, selector: str, validator: str) -> tuple[str, tuple[str, str, int] | None] | None:
        """Exchange a cookie for a fresh one: (account id, new cookie parts), or None when unknown
        or expired. The selector names the device and stays; the validator changes at every use,
        so a validator that does not match is an old copy: TheftSuspected. Within the rotation
        grace the previous validator still signs in, without a new cookie."""
        from pynamodb.exceptions import DoesNotExist, UpdateError

        try:
            item = self._model.get(REMEMBER_PREFIX + selector, consistent_read=True)
        except DoesNotExist:
            return None
        if item.expires_at < datetime.now(timezone.utc).timestamp():
            item.delete()
            return None
        presented = tokens.stored_hash(validator)
        if not same_secret(presented, item.validator_hash):
            just_rotated = datetime.now(timezone.utc) - item.last_used_at < ROTATION_GRACE
            if just_rotated and item.previous_validator_hash and same_secret(presented, item.previous_validator_hash):
                return item.account_id, None
            raise TheftSuspected(item.account_id)
        new_validator = tokens.new_secret()
        try:  # only one request may rotate it; a parallel one then falls in the grace above
            item.update(actions=[self._model.validator_hash.set(tokens.stored_hash(new_validator)),
                                 self._model.previous_validator_hash.set(presented),
                                 self._model.last_used_at.set(datetime.now(timezone.utc))],
                        condition=self._model.validator_hash == presented)
        except UpdateError:
            return item.account_id, None
        return item.account_id, (selector, new_validator, item.expires_at)

    def devices(self, account_id: str) -> list[RememberedDevice]:
        from pynamodb.exceptions import DoesNotExist

        found = []
        for key in self._model.by_account.query(account_id, self._model.pk.startswith(REMEMBER_PREFIX)):
            try:
                item = self._model.get(key.pk)
            except DoesNotExist:
                continue
            found.append(RememberedDevice(item.pk.removeprefix(REMEMBER_PREFIX), item.account_id, item.device,
                                          item.created_at, item.last_used_at, item.expires_at))
        return sorted(found, key=lambda d: d.last_used_at, reverse=True)

    def forget(self, account_id: str, selector: str) -> bool:
        """Forget one device of this account (never another account's: the id is checked)."""
        from pynamodb.exceptions import DeleteError

        try:
            self._model(pk=REMEMBER_PREFIX + selector).delete(condition=self._model.account_id == account_id)
            return True
        except DeleteError:
            return False

    def forget_all(self, account_id: str) -> int:
        forgotten = 0
        for key in self._model.by_account.query(account_id, self._model.pk.startswith(REMEMBER_PREFIX)):
            self._model(pk=key.pk).delete()
            forgotten += 1
        return forgotten
