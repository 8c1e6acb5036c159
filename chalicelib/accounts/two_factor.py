"""Two-factor authentication: TOTP (RFC 6238, pyotp) with single-use recovery codes.

Asked after the password and before any session or remember-me cookie is issued. Setting it up
needs one correct code from the authenticator app; recovery codes are shown once and only
their hashes are kept.
"""

import secrets

from chalicelib.accounts import tokens

ISSUER = "MailExpert"
RECOVERY_CODE_COUNT = 10
VALID_WINDOW = 1  # one 30-second step either side: clocks on phones drift


def new_secret() -> str:
    import pyotp

    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    import pyotp

    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """A QR code as an SVG data URI: an image, so the strict Content-Security-Policy holds."""
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def code_is_valid(secret: str, code: str) -> bool:
    import pyotp

    digits = "".join(code.split())
    return len(digits) == 6 and digits.isdigit() and pyotp.TOTP(secret).verify(digits, valid_window=VALID_WINDOW)


def new_recovery_codes() -> list[str]:
    return [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]


def recovery_hash(code: str) -> str:
    return tokens.stored_hash("".join(code.lower().split()))
