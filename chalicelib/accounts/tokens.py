"""Random secrets for sessions and links, and the hashes under which they are stored.

Only a SHA-256 of each secret is stored: a leaked table gives no usable session or link.
256-bit random values need no slow hash.
"""

import hashlib
import secrets

SECRET_BYTES = 32


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def stored_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
