"""The key table (DATA_DIR/vault/keys.db).

The key table holds one recording key per (recording, tenant), wrapped by the
keyring; it lives apart from the stored objects, so deleting a row
crypto-shreds every copy of every object of that recording, backups of the
store included. It runs with ``secure_delete`` and the rollback journal (no
WAL), so a shredded key's bytes are overwritten in the database file rather
than left in free pages.

The refs of stored objects live in the catalog (``callvault.catalog.objects``),
the one source of truth; there is no separate ref index.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from callvault.models.errors import VaultError

_KEYS_SCHEMA = """
CREATE TABLE IF NOT EXISTS recording_keys (
    key_id          TEXT PRIMARY KEY,
    recording_id    TEXT NOT NULL,
    tenant          TEXT NOT NULL,
    keyring         TEXT NOT NULL,
    wrapping_key_id TEXT NOT NULL,
    wrapped_key     BLOB NOT NULL,
    created_at      TEXT NOT NULL,
    rewrapped_at    TEXT,
    UNIQUE (recording_id, tenant)
);
CREATE TABLE IF NOT EXISTS shredded_keys (
    key_id       TEXT PRIMARY KEY,
    recording_id TEXT NOT NULL,
    tenant       TEXT NOT NULL,
    shredded_at  TEXT NOT NULL
);
"""



def _connect(path: Path, schema: str) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA secure_delete = ON")
        conn.executescript(schema)
    except sqlite3.Error as exc:
        raise VaultError(f"{path}: cannot open the vault database ({exc}); check the file and its permissions") from None
    path.chmod(0o600)
    return conn


@dataclass(frozen=True)
class KeyRow:
    key_id: str
    recording_id: str
    tenant: str
    keyring: str
    wrapping_key_id: str
    wrapped_key: bytes = field(repr=False)
    created_at: str = ""


class _Db:
    def __init__(self, path: str | Path, schema: str):
        self.path = Path(path)
        self._conn = _connect(self.path, schema)
        self._lock = threading.Lock()

    def _run(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._conn.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise VaultError(f"{self.path}: vault database error ({type(exc).__name__}); check disk space and permissions") from None

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class KeyTable(_Db):
    def __init__(self, path: str | Path):
        super().__init__(path, _KEYS_SCHEMA)

    def __repr__(self) -> str:
        return f"KeyTable({str(self.path)!r})"

    _COLS = "key_id, recording_id, tenant, keyring, wrapping_key_id, wrapped_key, created_at"

    def get(self, key_id: str) -> KeyRow | None:
        rows = self._run(f"SELECT {self._COLS} FROM recording_keys WHERE key_id = ?", (key_id,))
        return KeyRow(*rows[0]) if rows else None

    def for_recording(self, recording_id: str, tenant: str) -> KeyRow | None:
        rows = self._run(
            f"SELECT {self._COLS} FROM recording_keys WHERE recording_id = ? AND tenant = ?", (recording_id, tenant)
        )
        return KeyRow(*rows[0]) if rows else None

    def insert_if_absent(self, row: KeyRow) -> KeyRow:
        """Store ``row`` unless the recording already has a key; returns the key that won."""
        self._run(
            f"INSERT OR IGNORE INTO recording_keys ({self._COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (row.key_id, row.recording_id, row.tenant, row.keyring, row.wrapping_key_id, row.wrapped_key, row.created_at),
        )
        winner = self.for_recording(row.recording_id, row.tenant)
        assert winner is not None
        return winner

    def rows(self) -> Iterator[KeyRow]:
        for r in self._run(f"SELECT {self._COLS} FROM recording_keys ORDER BY created_at, key_id"):
            yield KeyRow(*r)

    def update_wrap(self, key_id: str, wrapping_key_id: str, wrapped_key: bytes, now: str) -> None:
        self._run(
            "UPDATE recording_keys SET wrapping_key_id = ?, wrapped_key = ?, rewrapped_at = ? WHERE key_id = ?",
            (wrapping_key_id, wrapped_key, now, key_id),
        )

    def shred(self, recording_id: str, tenant: str, now: str) -> int:
        """Delete the recording's key (keeping a tombstone without key material); returns rows deleted."""
        with self._lock:
            try:
                with self._conn:
                    self._conn.execute("BEGIN IMMEDIATE")
                    self._conn.execute(
                        "INSERT OR IGNORE INTO shredded_keys (key_id, recording_id, tenant, shredded_at) "
                        "SELECT key_id, recording_id, tenant, ? FROM recording_keys WHERE recording_id = ? AND tenant = ?",
                        (now, recording_id, tenant),
                    )
                    cur = self._conn.execute(
                        "DELETE FROM recording_keys WHERE recording_id = ? AND tenant = ?", (recording_id, tenant)
                    )
                    return cur.rowcount
            except sqlite3.Error as exc:
                raise VaultError(f"{self.path}: could not shred ({type(exc).__name__}); nothing was changed") from None

    def is_shredded(self, key_id: str) -> bool:
        return bool(self._run("SELECT 1 FROM shredded_keys WHERE key_id = ?", (key_id,)))

    def recording_shredded(self, recording_id: str, tenant: str) -> bool:
        """Whether a key of this recording was ever shredded (its tombstone is kept for good)."""
        return bool(self._run(
            "SELECT 1 FROM shredded_keys WHERE recording_id = ? AND tenant = ? LIMIT 1", (recording_id, tenant)
        ))
