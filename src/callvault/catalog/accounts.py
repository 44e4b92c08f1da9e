"""Web accounts and their server-side sessions, kept in the catalog.

Only password hashes (argon2id, made by ``callvault.web.passwords``) and the
SHA-256 of session tokens are stored, so a copy of the catalog signs nobody in.
Every change to an account is audited in the same transaction.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from callvault.catalog.audit import AuditLog
from callvault.catalog.db import write_transaction
from callvault.clock import iso_utc
from callvault.models.errors import CatalogError

ROLES = ("auditor", "officer", "admin")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    created_at: str
    password_changed_at: str
    disabled_at: str | None = None
    failed_signins: int = 0
    locked_until: str | None = None
    password_hash: str = field(default="", repr=False)

    @property
    def active(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True)
class Session:
    token_hash: str = field(repr=False)
    user_id: int
    csrf: str = field(repr=False)
    created_at: str
    last_seen: str
    client: str = ""


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise CatalogError(
            f"user name {name!r} is not usable; use 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit"
        )
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise CatalogError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    return role


def add_user(conn: sqlite3.Connection, audit: AuditLog, name: str, role: str, password_hash: str, actor: str, now: datetime) -> User:
    check_name(name)
    check_role(role)
    stamp = iso_utc(now)
    with write_transaction(conn):
        if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise CatalogError(f"user {name!r} already exists; `callvault users passwd {name}` sets a new password")
        conn.execute(
            "INSERT INTO users (name, role, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?)",
            (name, role, password_hash, stamp, stamp),
        )
        audit.append("user.add", actor, None, "account created", {"user": name, "role": role})
    return get_user(conn, name)


def get_user(conn: sqlite3.Connection, name: str) -> User:
    user = find_user(conn, name)
    if user is None:
        raise CatalogError(f"no user {name!r}; `callvault users list` shows them")
    return user


def find_user(conn: sqlite3.Connection, name: str) -> User | None:
    row = conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    return _user(row) if row else None


def user_by_id(conn: sqlite3.Connection, user_id: int) -> User | None:
    row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    return _user(row) if row else None


def list_users(conn: sqlite3.Connection) -> list[User]:
    return [_user(row) for row in conn.execute("SELECT * FROM users ORDER BY name")]


def disable_user(conn: sqlite3.Connection, audit: AuditLog, name: str, actor: str, reason: str, now: datetime) -> User:
    """Disable an account and end its sessions at once."""
    with write_transaction(conn):
        user = get_user(conn, name)
        conn.execute("UPDATE users SET disabled_at = coalesce(disabled_at, ?) WHERE id = ?", (iso_utc(now), user.id))
        ended = conn.execute("DELETE FROM sessions WHERE user_id = ?", (user.id,)).rowcount
        audit.append("user.disable", actor, None, reason, {"user": name, "sessions_ended": ended})
    return get_user(conn, name)


def set_password(conn: sqlite3.Connection, audit: AuditLog, name: str, password_hash: str, actor: str, now: datetime) -> User:
    """New password: clears a lockout and ends the account's sessions (re-enables nothing)."""
    with write_transaction(conn):
        user = get_user(conn, name)
        conn.execute(
            "UPDATE users SET password_hash = ?, password_changed_at = ?, failed_signins = 0, locked_until = NULL WHERE id = ?",
            (password_hash, iso_utc(now), user.id),
        )
        ended = conn.execute("DELETE FROM sessions WHERE user_id = ?", (user.id,)).rowcount
        audit.append("user.passwd", actor, None, "password set", {"user": name, "sessions_ended": ended})
    return get_user(conn, name)


def count_failed_signin(conn: sqlite3.Connection, user_id: int, lock_after: int, locked_until: datetime) -> bool:
    """One more failed sign-in; True when it locks the account (until ``locked_until``)."""
    with write_transaction(conn):
        conn.execute("UPDATE users SET failed_signins = failed_signins + 1 WHERE id = ?", (user_id,))
        failed = conn.execute("SELECT failed_signins FROM users WHERE id = ?", (user_id,)).fetchone()[0]
        if failed < lock_after:
            return False
        conn.execute("UPDATE users SET locked_until = ?, failed_signins = 0 WHERE id = ?", (iso_utc(locked_until), user_id))
        return True


def clear_failed_signins(conn: sqlite3.Connection, user_id: int) -> None:
    with write_transaction(conn):
        conn.execute("UPDATE users SET failed_signins = 0, locked_until = NULL WHERE id = ?", (user_id,))


def create_session(conn: sqlite3.Connection, session: Session) -> None:
    with write_transaction(conn):
        conn.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen, client) VALUES (?, ?, ?, ?, ?, ?)",
            (session.token_hash, session.user_id, session.csrf, session.created_at, session.last_seen, session.client),
        )


def find_session(conn: sqlite3.Connection, token_hash: str) -> Session | None:
    row = conn.execute("SELECT * FROM sessions WHERE token_hash = ?", (token_hash,)).fetchone()
    return Session(**{key: row[key] for key in row.keys()}) if row else None


def touch_session(conn: sqlite3.Connection, token_hash: str, now: datetime) -> None:
    with write_transaction(conn):
        conn.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (iso_utc(now), token_hash))


def end_session(conn: sqlite3.Connection, token_hash: str) -> None:
    with write_transaction(conn):
        conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))


def end_stale_sessions(conn: sqlite3.Connection, seen_before: datetime, created_before: datetime) -> int:
    """Drop sessions past their idle or absolute timeout; returns how many."""
    with write_transaction(conn):
        return conn.execute(
            "DELETE FROM sessions WHERE last_seen < ? OR created_at < ?", (iso_utc(seen_before), iso_utc(created_before))
        ).rowcount


def _user(row: sqlite3.Row) -> User:
    return User(**{key: row[key] for key in row.keys()})
