"""The catalog's ledger of sealed objects: one row per object in the store, written when it is stored.

The vault records each object here as soon as it is stored and read back
(``CatalogRefs.record``), before the call's own row exists, so an object
whose call never finished is still listed (``verify --all`` finds it) and
nothing in the store is unaccounted for. ``record_call`` updates the same
rows; retention marks them purged. There is no other index (no refs.db).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from callvault.catalog.db import write_transaction
from callvault.models.storage import SealedRef

_COLUMNS = "recording_id, kind, store, key, key_id, sha256, size, created_at, expires_at"


@dataclass(frozen=True)
class LedgerEntry:
    ref: SealedRef
    purged_at: str | None  # when retention deleted it or shredded its key; None while it is live


def record_object(conn: sqlite3.Connection, ref: SealedRef) -> None:
    """Insert or update the object's row (a re-sealed object is live again); joins an open transaction."""
    conn.execute(
        f"INSERT INTO objects ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (recording_id, kind, key) DO UPDATE SET store = excluded.store, key_id = excluded.key_id, "
        "sha256 = excluded.sha256, size = excluded.size, created_at = excluded.created_at, "
        "expires_at = excluded.expires_at, purged_at = NULL",
        (ref.recording_id, ref.kind, ref.store, ref.key, ref.key_id, ref.sha256, ref.size, ref.created_at, ref.expires_at),
    )


def stored_objects(conn: sqlite3.Connection, recording_prefix: str = "", *, live_only: bool = True) -> list[LedgerEntry]:
    """Objects whose recording id starts with ``recording_prefix`` (all when empty), by recording and kind."""
    prefix = recording_prefix.lower()
    where = "recording_id >= ? AND recording_id < ?" + (" AND purged_at IS NULL" if live_only else "")
    rows = conn.execute(
        f"SELECT {_COLUMNS}, purged_at FROM objects WHERE {where} ORDER BY recording_id, kind, key",
        (prefix, prefix + "\uffff"),
    )
    return [LedgerEntry(SealedRef(*tuple(row)[:9]), row[9]) for row in rows]


def import_refs_db(conn: sqlite3.Connection, path: Path) -> int:
    """Move the rows of an older callvault's vault/refs.db into the catalog, then set the file aside.

    Rows the catalog already has are left as they are (their purge state
    included). Returns the rows added; the file becomes ``refs.db.imported``.
    """
    source = sqlite3.connect(path)
    try:
        rows = source.execute(f"SELECT {_COLUMNS} FROM refs").fetchall()
    except sqlite3.Error:
        return 0  # not the old ref index after all: leave it alone
    finally:
        source.close()
    with write_transaction(conn):
        added = sum(
            conn.execute(f"INSERT OR IGNORE INTO objects ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row).rowcount
            for row in rows
        )
    path.replace(path.with_name(path.name + ".imported"))
    return added


class CatalogRefs:
    """The vault's ref index, kept in the catalog (what ``Vault(refs=...)`` takes)."""

    def __init__(self, catalog, *, owned: bool = False):
        self.catalog = catalog
        self._owned = owned  # close the catalog with the vault: it was opened for it
        self.audit = catalog.audit

    def __repr__(self) -> str:
        return f"CatalogRefs({str(self.catalog.path)!r})"

    def record(self, ref: SealedRef) -> None:
        with write_transaction(self.catalog.conn):
            record_object(self.catalog.conn, ref)

    def forget(self, ref: SealedRef) -> None:
        """Nothing to do: the row stays, and whoever deleted the object marks it purged (with its audit entry)."""

    def list(self, recording_prefix: str = "") -> list[SealedRef]:
        return [o.ref for o in stored_objects(self.catalog.conn, recording_prefix)]

    def close(self) -> None:
        if self._owned:
            self.catalog.close()
