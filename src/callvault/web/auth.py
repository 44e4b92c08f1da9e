"""Sign-in, server-side sessions (idle and absolute timeouts), lockout, CSRF tokens.

The session cookie holds a random token; the catalog keeps only its SHA-256,
with the session's CSRF token, so every form can be checked against the
session that rendered it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from callvault.catalog.accounts import Session, User
from callvault.clock import iso_utc, parse_iso
from callvault.models.errors import CallvaultError
from callvault.web import passwords
from callvault.web.settings import WebSettings
from callvault.web.source import CatalogSource

SESSION_COOKIE = "cv_session"
SIGNIN_COOKIE = "cv_signin"  # double-submit token for the sign-in form, before there is a session
TOUCH_EVERY = timedelta(seconds=30)  # last_seen is written at most this often


class SignInRefused(CallvaultError):
    """Wrong name or password, a disabled or a locked account; the message is safe to show."""

    def __init__(self, message: str, *, locked_now: bool = False, user: User | None = None):
        super().__init__(message)
        self.locked_now = locked_now
        self.user = user


WRONG = "Wrong user name or password."
LOCKED = "This account is locked after repeated failed sign-ins; try again later or ask an admin to set a new password."


@dataclass(frozen=True)
class Principal:
    """The signed-in user of one request and their session."""

    user: User
    session: Session

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def role(self) -> str:
        return self.user.role


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(given: str | None, expected: str | None) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(str(given), str(expected))


def current(source: CatalogSource, settings: WebSettings, token: str | None) -> Principal | None:
    """The principal the session cookie names, or None when it is missing, ended or timed out."""
    if not token:
        return None
    hashed = token_hash(token)
    session = source.find_session(hashed)
    if session is None:
        return None
    now = settings.clock()
    seen, created = parse_iso(session.last_seen), parse_iso(session.created_at)
    if (seen is None or created is None or now - seen > timedelta(seconds=settings.idle_timeout)
            or now - created > timedelta(seconds=settings.absolute_timeout)):
        source.end_session(hashed)
        return None
    user = source.user_by_id(session.user_id)
    if user is None or not user.active:
        source.end_session(hashed)
        return None
    if now - seen >= TOUCH_EVERY:
        source.touch_session(hashed)
    return Principal(user, session)


def sign_in(source: CatalogSource, settings: WebSettings, name: str, password: str, client: str) -> tuple[str, Principal]:
    """A new session for NAME when the password is right; raises SignInRefused otherwise.

    Every refusal costs one argon2 verification, so timing does not tell a
    missing account from a wrong password. ``lock_after`` failures in a row
    lock the account for ``lock_seconds``; a locked account refuses even the
    right password.
    """
    now = settings.clock()
    user = source.find_user(name.strip()) if name else None
    if user is None or not user.active:
        passwords.burn_time(password)
        raise SignInRefused(WRONG, user=user)
    locked_until = parse_iso(user.locked_until)
    if locked_until is not None and locked_until > now:
        passwords.burn_time(password)
        raise SignInRefused(LOCKED, user=user)
    if not passwords.verify_password(user.password_hash, password):
        locked = source.count_failed_signin(user.id, settings.lock_after, now + timedelta(seconds=settings.lock_seconds))
        raise SignInRefused(LOCKED if locked else WRONG, locked_now=locked, user=user)
    source.clear_failed_signins(user.id)
    source.end_stale_sessions(now - timedelta(seconds=settings.idle_timeout), now - timedelta(seconds=settings.absolute_timeout))
    token = new_token()
    stamp = iso_utc(now)
    session = Session(token_hash(token), user.id, new_token(), stamp, stamp, client)
    source.create_session(session)
    return token, Principal(user, session)
