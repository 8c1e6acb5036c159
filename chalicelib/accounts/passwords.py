"""Passwords: argon2id (argon2-cffi), any characters, 8 to 256 of them, no composition rules.

Parameters follow OWASP's argon2id guidance at the memory end that suits a 512 MB Lambda:
46 MiB, 1 iteration, 1 lane (about 50 ms here). Hashes made with older parameters are
re-hashed at the next successful login.
"""

import functools

from chalicelib.i18n import N_

MIN_LENGTH = 8
MAX_LENGTH = 256
MEMORY_KIB = 47104
TIME_COST = 1
PARALLELISM = 1


@functools.cache
def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM)


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None. Length only, as NIST 800-63B advises."""
    if len(password) < MIN_LENGTH:
        return N_("Use at least 8 characters.")
    if len(password) > MAX_LENGTH:
        return N_("Use at most 256 characters.")
    return None


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


@functools.cache
def _dummy_hash() -> str:
    return hash_password("not a real password, used to even out timing")


def spend_verification_time() -> None:
    """Verify against a dummy hash, so an unknown address takes as long as a wrong password."""
    verify_password(_dummy_hash(), "wrong")
