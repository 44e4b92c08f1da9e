"""State other parts keep in the catalog: worker leases, legal holds, purged objects."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from callvault.catalog.workers import dead_here
from callvault.catalog.audit import AuditLog
from callvault.clock import iso_utc
from callvault.catalog.db import write_transaction
from callvault.catalog.incidents import refuse_release_of_incident_hold
from callvault.models.errors import CatalogError

HOLD_SCOPES = ("call", "account", "query")
PURGED = "purged"  # recordings.status once its key is shredded and its text dropped


def shredded_at(conn: sqlite3.Connection, recording_id: str) -> str | None:
    """When the recording was crypto-shredded (its row stays, purged); None when it was not."""
    row = conn.execute("SELECT status FROM recordings WHERE id = ?", (recording_id,)).fetchone()
    if row is None or row[0] != PURGED:
        return None
    shred = conn.execute(
        "SELECT at FROM audit WHERE recording_id = ? AND action = 'retention.shred' ORDER BY seq DESC LIMIT 1",
        (recording_id,),
    ).fetchone()
    return shred[0] if shred else "an earlier sweep"


def acquire_lease(conn: sqlite3.Connection, recording_id: str, worker: str, ttl: float, now: datetime) -> bool:
    """Take (or renew) the lease on a recording for ``ttl`` seconds; False when another worker holds it.

    Atomic across processes: one statement under the write lock inserts a new
    lease, renews our own, or takes over one that expired. A lease whose
    holder was a process on this host that has died (kill -9) is taken over
    at once, so a rerun after a crash need not wait for it to lapse.
    """
    if _try_lease(conn, recording_id, worker, ttl, now):
        return True
    holder = lease_holder(conn, recording_id)
    if holder and dead_here(holder[0]) and release_lease(conn, recording_id, holder[0]):
        return _try_lease(conn, recording_id, worker, ttl, now)
    return False


def lease_holder(conn: sqlite3.Connection, recording_id: str) -> tuple[str, str] | None:
    """(worker, expires_at) of the lease on ``recording_id``, or None."""
    row = conn.execute("SELECT worker, expires_at FROM leases WHERE recording_id = ?", (recording_id,)).fetchone()
    return (row[0], row[1]) if row else None


def _try_lease(conn: sqlite3.Connection, recording_id: str, worker: str, ttl: float, now: datetime) -> bool:
    if ttl <= 0:
        raise CatalogError("a lease needs a positive ttl in seconds")
    stamp = iso_utc(now)
    with write_transaction(conn):
        taken = conn.execute(
            "INSERT INTO leases (recording_id, worker, acquired_at, expires_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (recording_id) DO UPDATE SET worker = excluded.worker, "
            "acquired_at = CASE WHEN leases.worker = excluded.worker THEN leases.acquired_at ELSE excluded.acquired_at END, "
            "expires_at = excluded.expires_at "
            "WHERE leases.worker = excluded.worker OR leases.expires_at <= excluded.acquired_at",
            (recording_id, worker, stamp, iso_utc(now + timedelta(seconds=ttl))),
        ).rowcount
    return taken == 1


def release_lease(conn: sqlite3.Connection, recording_id: str, worker: str) -> bool:
    """Give a lease back; False when ``worker`` did not hold it (it expired and was taken)."""
    with write_transaction(conn):
        return conn.execute(
            "DELETE FROM leases WHERE recording_id = ? AND worker = ?", (recording_id, worker)
        ).rowcount == 1


@dataclass(frozen=True)
class Hold:
    id: int
    scope: str  # call | account | query
    value: str  # call id or recording id | account id | search query
    reason: str
    actor: str
    created_at: str
    released_at: str | None = None
    released_by: str | None = None
    release_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.released_at is None


def place_hold(conn: sqlite3.Connection, audit: AuditLog, scope: str, value: str, reason: str, actor: str, now: datetime) -> Hold:
    if scope not in HOLD_SCOPES:
        raise CatalogError(f"a hold's scope is one of {', '.join(HOLD_SCOPES)}, not {scope!r}")
    if not value or not reason:
        raise CatalogError("a legal hold needs a value to hold and a reason")
    stamp = iso_utc(now)
    with write_transaction(conn):
        hold_id = conn.execute(
            "INSERT INTO holds (scope, value, reason, actor, created_at) VALUES (?, ?, ?, ?, ?)",
            (scope, value, reason, actor, stamp),
        ).lastrowid
        audit.append("hold.place", actor, None, reason, {"hold": hold_id, "scope": scope, "value": value})
    audit.anchor()
    return Hold(hold_id, scope, value, reason, actor, stamp)


def release_hold(conn: sqlite3.Connection, audit: AuditLog, hold_id: int, reason: str, actor: str, now: datetime) -> Hold:
    if not reason:
        raise CatalogError("releasing a legal hold needs a reason")
    refuse_release_of_incident_hold(conn, hold_id)
    with write_transaction(conn):
        changed = conn.execute(
            "UPDATE holds SET released_at = ?, released_by = ?, release_reason = ? WHERE id = ? AND released_at IS NULL",
            (iso_utc(now), actor, reason, hold_id),
        ).rowcount
        if not changed:
            raise CatalogError(f"no active legal hold {hold_id}; list them to find its id")
        audit.append("hold.release", actor, None, reason, {"hold": hold_id})
    audit.anchor()
    return _hold(conn.execute("SELECT * FROM holds WHERE id = ?", (hold_id,)).fetchone())


def list_holds(conn: sqlite3.Connection, *, active_only: bool = True) -> list[Hold]:
    sql = "SELECT * FROM holds" + (" WHERE released_at IS NULL" if active_only else "") + " ORDER BY id"
    return [_hold(row) for row in conn.execute(sql)]


def holds_covering(conn: sqlite3.Connection, recording_id: str) -> list[Hold]:
    """Active holds that cover a recording: by its call or recording id, its account, or a query its turns match."""
    row = conn.execute("SELECT call_id, account_id FROM recordings WHERE id = ?", (recording_id,)).fetchone()
    call_id, account_id = (row["call_id"], row["account_id"]) if row else (None, None)
    covering = []
    for hold in list_holds(conn):
        if hold.scope == "call":
            hit = hold.value in (recording_id, call_id)
        elif hold.scope == "account":
            hit = account_id is not None and hold.value == account_id
        else:
            hit = _query_matches(conn, hold, recording_id)
        if hit:
            covering.append(hold)
    return covering


def _query_matches(conn: sqlite3.Connection, hold: Hold, recording_id: str) -> bool:
    try:
        # Seek the index within the recording's turn rowids rather than scanning every match.
        return conn.execute(
            "SELECT 1 FROM recordings r CROSS JOIN turns_fts JOIN turns t ON t.id = turns_fts.rowid "
            "WHERE r.id = ? AND turns_fts MATCH ? AND turns_fts.rowid BETWEEN r.first_turn AND r.last_turn "
            "AND t.recording_id = r.id LIMIT 1",
            (recording_id, hold.value),
        ).fetchone() is not None
    except sqlite3.OperationalError:
        # A hold whose query no longer parses must keep holding, never silently lapse.
        return True


def _hold(row: sqlite3.Row) -> Hold:
    return Hold(**{key: row[key] for key in row.keys()})


def mark_object_purged(
    conn: sqlite3.Connection, audit: AuditLog, recording_id: str, kind: str, key: str, actor: str, reason: str, now: datetime
) -> None:
    """Record that a stored object was deleted or crypto-shredded, with its audit entry, atomically."""
    with write_transaction(conn):
        changed = conn.execute(
            "UPDATE objects SET purged_at = ? WHERE recording_id = ? AND kind = ? AND key = ? AND purged_at IS NULL",
            (iso_utc(now), recording_id, kind, key),
        ).rowcount
        if not changed:
            raise CatalogError(f"no unpurged {kind} object {key!r} of recording {recording_id[:12]} in the catalog")
        audit.append("object.purge", actor, recording_id, reason, {"kind": kind, "key": key})
    audit.anchor()
