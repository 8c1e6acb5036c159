"""Signed tokens for the links in mail, one primitive for every kind (unsubscribe, open, click).

A token is `<payload>.<signature>`, both URL-safe base64 without padding; the signature is
HMAC-SHA256 (standard library) of the payload, cut to SIGNATURE_BYTES. Tokens carry no expiry: a
link must work years later. An altered or forged token fails the check in constant time.

Every kind of token has its own `Purpose`, and each purpose signs with its own key derived from the
one secret in Secrets Manager, so a token made for one purpose never verifies for another.
Unsubscribe links predate the derivation and sign with the secret itself; tracking links sign with
HMAC(secret, their label). Both wire formats are fixed: links in mail already sent keep working.
The secret itself only ever signs unsubscribe payloads, which hold two ':' and so can never be a
derivation label (those hold none): no token reveals another purpose's key.
"""

import base64
import binascii
import hmac
from dataclasses import dataclass

SIGNATURE_BYTES = 16
_URL_SAFE = bytes.maketrans(b"+/", b"-_")


class InvalidToken(Exception):
    """Not a token of this purpose and secret: altered, forged, of another kind, or no token at all."""


@dataclass(frozen=True)
class Purpose:
    """What tokens are for; `key_label` derives their key from the secret (None: the secret itself)."""

    name: str
    key_label: bytes | None

    def __post_init__(self):
        if self.key_label is not None and b":" in self.key_label:
            raise ValueError("a key label holds no ':' (see the module docstring)")


UNSUBSCRIBE = Purpose("unsubscribe", None)  # signed with the secret itself since the first mail
CAMPAIGN_TRACKING = Purpose("campaign tracking", b"mailexpert/campaign-tracking/v1")


def _b64(data: bytes) -> str:
    # base64.urlsafe_b64encode, unpadded, without its wrappers: this runs for every link of every mail
    return binascii.b2a_base64(data, newline=False).translate(_URL_SAFE).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    """Signs payloads into tokens, and verifies tokens back into their payload, for one purpose."""

    def __init__(self, secret: bytes, purpose: Purpose):
        self.purpose = purpose
        self._key = secret if purpose.key_label is None else hmac.digest(secret, purpose.key_label, "sha256")

    def _signature(self, payload: bytes) -> bytes:
        return hmac.digest(self._key, payload, "sha256")[:SIGNATURE_BYTES]

    def sign(self, payload: bytes) -> str:
        return f"{_b64(payload)}.{_b64(self._signature(payload))}"

    def verify(self, token: str) -> bytes:
        """The payload a token was signed over; InvalidToken unless this signer made it."""
        try:
            payload_part, signature_part = token.split(".")
            payload, signature = _unb64(payload_part), _unb64(signature_part)
        except (ValueError, TypeError):  # binascii.Error is a ValueError
            raise InvalidToken() from None
        if not hmac.compare_digest(signature, self._signature(payload)):
            raise InvalidToken()
        return payload
