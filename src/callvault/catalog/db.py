"""Opening the catalog: WAL, busy timeout, FTS5 check, migrations, write transactions."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path
from typing import Callable, Iterator

from callvault.catalog.schema import LATEST, MIGRATIONS
from callvault.models.errors import CatalogError

CATALOG_NAME = "catalog.db"


def catalog_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / CATALOG_NAME


def connect(path: str | Path, *, create: bool = True, timeout: float = 30.0) -> sqlite3.Connection:
    """A connection to the catalog at ``path``, migrated to the latest schema.

    ``timeout`` is how long a writer waits for another process's transaction
    before giving up; two workers share one catalog by taking turns.
    """
    path = Path(path)
    if not create and not path.exists():
        raise CatalogError(
            f"no catalog at {path}; run `callvault process` first, or pass the --data-dir "
            "of an archive that has one"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    while True:
        try:
            return _open(path, timeout)
        except sqlite3.OperationalError as exc:
            # Right after a process was killed, SQLite recovers the WAL under an
            # exclusive lock and answers other openers "locked" at once, without
            # its busy handler; that passes in moments, so wait it out.
            if not _is_busy(exc) or time.monotonic() > deadline:
                raise CatalogError(
                    f"{path}: not a usable catalog ({exc}); restore it from a backup or move it "
                    "aside and reprocess"
                ) from None
            time.sleep(0.05)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


def _open(path: Path, timeout: float) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so a writer
    # takes the write lock up front and never deadlocks upgrading a read lock.
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, factory=CatalogConnection)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        _require_fts5(conn)
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise CatalogError(
                f"{path}: SQLite could not switch the catalog to WAL mode (got {mode!r}); "
                "keep the data folder on a local disk, not a network share"
            )
        # WAL + NORMAL is durable across application crashes; a power cut can
        # lose the last commits but never corrupts the database.
        conn.execute("PRAGMA synchronous = NORMAL")
        # Deleted rows (a shredded call's turns) are overwritten, not left in free pages.
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, path)
    except sqlite3.OperationalError as exc:
        conn.close()
        if _is_busy(exc):
            raise
        raise CatalogError(
            f"{path}: not a usable catalog ({exc}); restore it from a backup or move it "
            "aside and reprocess"
        ) from None
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise CatalogError(
            f"{path}: not a usable catalog ({exc}); restore it from a backup or move it "
            "aside and reprocess"
        ) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _require_fts5(conn: sqlite3.Connection) -> None:
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x)")
        conn.execute("DROP TABLE temp.fts5_probe")
    except sqlite3.OperationalError:
        raise CatalogError(
            f"this Python's SQLite ({sqlite3.sqlite_version}) was built without FTS5, "
            "which the catalog's search needs; use a Python whose sqlite3 has FTS5 "
            "(python.org and most distribution builds do)"
        ) from None


def user_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, path: Path | str = "catalog") -> int:
    """Bring the schema to ``LATEST``; returns the version it found."""
    found = user_version(conn)
    if found == LATEST:
        return found
    with write_transaction(conn):
        # Re-read under the write lock: another process may have migrated meanwhile.
        found = user_version(conn)
        if found > LATEST:
            raise CatalogError(
                f"{path}: schema version {found} was written by a newer callvault "
                f"(this one knows up to {LATEST}); upgrade callvault"
            )
        for version in range(found, LATEST):
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
    return found


class CatalogConnection(sqlite3.Connection):
    """A catalog connection that can hold work for after the commit of its open write transaction."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.after_commit: list[Callable[[], None]] = []  # the audit log's head anchor; dropped on rollback


def after_commit(conn: sqlite3.Connection, action: Callable[[], None]) -> None:
    """Run ``action`` once the open write transaction on ``conn`` commits (at once when none is open)."""
    pending = getattr(conn, "after_commit", None)
    if not conn.in_transaction or pending is None:
        action()  # nothing to wait for, or a bare connection (its caller anchors itself)
    elif action not in pending:
        pending.append(action)


@contextlib.contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error; waits out other writers.

    Work registered with ``after_commit`` during it runs after the COMMIT.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise CatalogError(
            f"the catalog stayed locked by another writer ({exc}); retry, or raise the timeout"
        ) from None
    try:
        yield conn
    except BaseException:
        _take_after_commit(conn)
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    for action in _take_after_commit(conn):
        action()


def _take_after_commit(conn: sqlite3.Connection) -> list[Callable[[], None]]:
    pending = getattr(conn, "after_commit", None) or []
    taken, pending[:] = list(pending), []
    return taken
