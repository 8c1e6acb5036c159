"""Signed, unguessable tokens for the links in mail (unsubscribe, preferences).

The token is signed over the account, contact and list ids by the platform's token signer
(`chalicelib.signing`, purpose UNSUBSCRIBE), with a key kept in AWS Secrets Manager. Tokens do not
expire: an unsubscribe link must work years later. An altered or forged token fails the check.
"""

from dataclasses import dataclass

from chalicelib.signing import UNSUBSCRIBE, InvalidToken, TokenSigner

ALL_LISTS = "*"

__all__ = ["ALL_LISTS", "InvalidToken", "Signer", "Subscriber"]


@dataclass(frozen=True)
class Subscriber:
    account_id: str
    contact_id: str
    list_id: str  # ALL_LISTS for "every list of this sender"


class Signer:
    def __init__(self, key: bytes):
        self._tokens = TokenSigner(key, UNSUBSCRIBE)

    def token(self, subscriber: Subscriber) -> str:
        return self._tokens.sign(f"{subscriber.account_id}:{subscriber.contact_id}:{subscriber.list_id}".encode("ascii"))

    def subscriber(self, token: str) -> Subscriber:
        payload = self._tokens.verify(token)
        try:
            account_id, contact_id, list_id = payload.decode("ascii").split(":")
        except ValueError:  # UnicodeDecodeError is one too
            raise InvalidToken() from None
        return Subscriber(account_id, contact_id, list_id)
