"""Password hashing with argon2id (argon2-cffi); imported only where accounts are touched."""

from __future__ import annotations

import functools

from callvault.models.errors import ConfigError

MIN_LENGTH = 12


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise ConfigError(f"a password needs at least {MIN_LENGTH} characters")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches; a malformed stored hash never matches."""
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return _hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def burn_time(password: str) -> None:
    """Verify against a throwaway hash, so an unknown user name costs as long as a wrong password."""
    verify_password(_dummy_hash(), password)


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("not-a-real-account-password")


def _hasher():
    try:
        from argon2 import PasswordHasher
    except ImportError:
        raise ConfigError("the web app needs argon2-cffi; install callvault with the 'web' extra") from None
    return PasswordHasher()
