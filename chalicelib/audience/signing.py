"""Signed, unguessable tokens for the links in mail (unsubscribe, preferences).

HMAC-SHA256 (standard library) over the account, contact and list ids, with a key kept in AWS
Secrets Manager. Tokens do not expire: an unsubscribe link must work years later. An altered
or forged token fails the signature check.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass

ALL_LISTS = "*"
SIGNATURE_BYTES = 16


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class Subscriber:
    account_id: str
    contact_id: str
    list_id: str  # ALL_LISTS for "every list of this sender"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    def __init__(self, key: bytes):
        self._key = key

    def _signature(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]

    def token(self, subscriber: Subscriber) -> str:
        payload = f"{subscriber.account_id}:{subscriber.contact_id}:{subscriber.list_id}".encode("ascii")
        return f"{_b64(payload)}.{_b64(self._signature(payload))}"

    def subscriber(self, token: str) -> Subscriber:
        try:
            payload_part, signature_part = token.split(".")
            payload, signature = _unb64(payload_part), _unb64(signature_part)
            if not hmac.compare_digest(signature, self._signature(payload)):
                raise InvalidToken()
            account_id, contact_id, list_id = payload.decode("ascii").split(":")
        except (ValueError, UnicodeDecodeError, TypeError):
            raise InvalidToken() from None
        return Subscriber(account_id, contact_id, list_id)
