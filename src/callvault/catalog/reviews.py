"""A compliance officer's review of a call: sign-offs and rule overrides, beside the machine's verdict.

The machine's rule results are never edited; an override is a separate row
(the manual answer) shown next to the machine's, with who, when and why.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from callvault.catalog.audit import AuditLog
from callvault.catalog.db import write_transaction
from callvault.clock import iso_utc
from callvault.models.compliance import RULE_STATUSES
from callvault.models.errors import CatalogError


@dataclass(frozen=True)
class Review:
    id: int
    recording_id: str
    reviewer: str
    machine_verdict: str
    note: str
    signed_at: str


@dataclass(frozen=True)
class Override:
    id: int
    recording_id: str
    rule: str
    machine_status: str
    status: str
    reason: str
    actor: str
    created_at: str


def sign_off(conn: sqlite3.Connection, audit: AuditLog, recording_id: str, reviewer: str, note: str, now: datetime,
             details: dict | None = None) -> Review:
    """Record that ``reviewer`` reviewed the call as it stands now."""
    with write_transaction(conn):
        row = conn.execute("SELECT status FROM recordings WHERE id = ?", (recording_id,)).fetchone()
        if row is None:
            raise CatalogError(f"recording {recording_id[:12]} is not in the catalog")
        review_id = conn.execute(
            "INSERT INTO reviews (recording_id, reviewer, machine_verdict, note, signed_at) VALUES (?, ?, ?, ?, ?)",
            (recording_id, reviewer, row["status"], note, iso_utc(now)),
        ).lastrowid
        audit.append("review.sign_off", reviewer, recording_id, note or "reviewed",
                     {**(details or {}), "review": review_id, "machine_verdict": row["status"]})
    return reviews_of(conn, recording_id)[-1]


def override_rule(conn: sqlite3.Connection, audit: AuditLog, recording_id: str, rule: str, status: str, reason: str,
                  actor: str, now: datetime, details: dict | None = None) -> Override:
    """A manual answer for one rule of one call; the machine's result stays as it was."""
    if status not in RULE_STATUSES:
        raise CatalogError(f"an override's status is one of {', '.join(RULE_STATUSES)}, not {status!r}")
    if not reason or not reason.strip():
        raise CatalogError("an override needs a reason; it is shown beside the machine's verdict")
    with write_transaction(conn):
        row = conn.execute(
            "SELECT status FROM rule_results WHERE recording_id = ? AND rule = ?", (recording_id, rule)
        ).fetchone()
        if row is None:
            raise CatalogError(f"recording {recording_id[:12]} has no result for rule {rule!r}")
        override_id = conn.execute(
            "INSERT INTO rule_overrides (recording_id, rule, machine_status, status, reason, actor, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (recording_id, rule, row["status"], status, reason.strip(), actor, iso_utc(now)),
        ).lastrowid
        audit.append("rule.override", actor, recording_id, reason.strip(),
                     {**(details or {}), "override": override_id, "rule": rule, "machine_status": row["status"], "status": status})
    return Override(override_id, recording_id, rule, row["status"], status, reason.strip(), actor, iso_utc(now))


def reviews_of(conn: sqlite3.Connection, recording_id: str) -> list[Review]:
    rows = conn.execute("SELECT * FROM reviews WHERE recording_id = ? ORDER BY id", (recording_id,))
    return [Review(**{k: row[k] for k in row.keys()}) for row in rows]


def overrides_of(conn: sqlite3.Connection, recording_id: str) -> dict[str, Override]:
    """The latest override of each rule of the call."""
    rows = conn.execute("SELECT * FROM rule_overrides WHERE recording_id = ? ORDER BY id", (recording_id,))
    return {row["rule"]: Override(**{k: row[k] for k in row.keys()}) for row in rows}
