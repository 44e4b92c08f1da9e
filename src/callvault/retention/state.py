"""Reading and writing the retention state kept in the catalog (its connection, its audit log).

These are small functions over the catalog's public pieces (``Catalog.conn``,
``Catalog.audit``, ``Catalog.holds_covering``) that the catalog itself does
not offer yet; each could move into ``callvault.catalog`` as it is.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from typing import Iterable, Iterator

from callvault.catalog import Catalog
from callvault.catalog.db import write_transaction
from callvault.catalog.state import PURGED  # recordings.status of a shredded call
from callvault.models.storage import SealedRef
from callvault.retention.facts import CallFacts
from callvault.retention.plan import RecordingState, StoredObject
from callvault.retention.policy import RetentionPolicy

POLICY_ACTION = "retention.policy"
_BATCH = 500


def recordings_to_sweep(conn: sqlite3.Connection, now: datetime) -> list[str]:
    """Ids of recordings a sweep at ``now`` may act on.

    Those with a live object whose recorded expiry has passed (a day of slack
    for expiry texts in other ISO forms; the plan decides exactly), and those
    whose objects are all gone but that are not finished (a sweep stopped
    between the last delete and the shred).
    """
    bound = (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    due = conn.execute(
        "SELECT DISTINCT recording_id FROM objects WHERE purged_at IS NULL AND expires_at IS NOT NULL AND expires_at < ?",
        (bound,),
    )
    unfinished = conn.execute(
        "SELECT r.id FROM recordings r WHERE r.status != ? "
        "AND EXISTS (SELECT 1 FROM objects o WHERE o.recording_id = r.id) "
        "AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.recording_id = r.id AND o.purged_at IS NULL)",
        (PURGED,),
    )
    return sorted({row[0] for row in due} | {row[0] for row in unfinished})


def all_recordings(conn: sqlite3.Connection) -> list[str]:
    """Ids of every recording with a live stored object (for ``retention check``)."""
    return [row[0] for row in conn.execute("SELECT DISTINCT recording_id FROM objects WHERE purged_at IS NULL ORDER BY 1")]


def load_states(catalog: Catalog, recording_ids: Iterable[str], *, with_holds: bool = True) -> list[RecordingState]:
    """Each recording's facts, objects and covering holds, read from the catalog."""
    states = []
    for batch in _batches(list(recording_ids)):
        marks = ",".join("?" * len(batch))
        rows = {r["id"]: r for r in catalog.conn.execute(
            f"SELECT id, call_id, direction, metadata, status FROM recordings WHERE id IN ({marks})", batch)}
        events = _grouped(catalog.conn, f"SELECT recording_id, type FROM events WHERE recording_id IN ({marks})", batch)
        failed = _grouped(
            catalog.conn, f"SELECT recording_id, rule FROM rule_results WHERE status = 'fail' AND recording_id IN ({marks})", batch)
        objects: dict[str, list[StoredObject]] = {}
        for o in catalog.conn.execute(
            "SELECT recording_id, kind, store, key, key_id, sha256, size, created_at, expires_at, purged_at "
            f"FROM objects WHERE recording_id IN ({marks}) ORDER BY id", batch,
        ):
            ref = SealedRef(*tuple(o)[:9])
            objects.setdefault(o["recording_id"], []).append(StoredObject(ref, o["purged_at"]))
        for rid in batch:
            row = rows.get(rid)
            if row is None:
                continue  # objects without their recording row: not finished processing, not ours to sweep
            meta = _metadata(row["metadata"])
            facts = CallFacts.build(
                direction=row["direction"] or meta.get("direction"),
                tags=meta.get("tags") or (),
                customer_states=meta.get("customer_states") or (),
                event_types=events.get(rid, ()),
                failed_rules=failed.get(rid, ()),
            )
            holds = tuple(h.id for h in catalog.holds_covering(rid)) if with_holds else ()
            states.append(RecordingState(
                rid, row["call_id"], facts, tuple(objects.get(rid, ())), row["status"] == PURGED, holds))
    return states


def live_objects(conn: sqlite3.Connection, recording_id: str) -> int:
    return conn.execute(
        "SELECT count(*) FROM objects WHERE recording_id = ? AND purged_at IS NULL", (recording_id,)
    ).fetchone()[0]


def is_purged(conn: sqlite3.Connection, recording_id: str, kind: str, key: str) -> bool:
    row = conn.execute(
        "SELECT purged_at FROM objects WHERE recording_id = ? AND kind = ? AND key = ?", (recording_id, kind, key)
    ).fetchone()
    return row is None or row[0] is not None


def finish_recording(catalog: Catalog, recording_id: str, keys_destroyed: int, actor: str, reason: str, sweep: str) -> None:
    """After its key is shredded: drop the call's text from the search index and mark its row purged.

    One transaction with its audit entry. Deleting the turns fires the
    catalog's FTS delete trigger, so the text leaves the index with them; the
    row, findings, events and rule results stay (they hold no raw values) so
    audits can still see that the call existed and what it was.
    """
    with write_transaction(catalog.conn):
        turns = catalog.conn.execute("DELETE FROM turns WHERE recording_id = ?", (recording_id,)).rowcount
        catalog.conn.execute("UPDATE recordings SET status = ? WHERE id = ?", (PURGED, recording_id))
        catalog.audit.append("retention.shred", actor, recording_id, reason,
                             {"sweep": sweep, "keys_destroyed": keys_destroyed, "turns_removed": turns})
    catalog.audit.anchor()


def last_policy(conn: sqlite3.Connection) -> str | None:
    """The fingerprint of the policy last recorded in the audit log."""
    row = conn.execute("SELECT details FROM audit WHERE action = ? ORDER BY seq DESC LIMIT 1", (POLICY_ACTION,)).fetchone()
    if row is None:
        return None
    try:
        return json.loads(row[0]).get("fingerprint")
    except (ValueError, AttributeError):
        return None


def record_policy(catalog: Catalog, policy: RetentionPolicy, actor: str) -> bool:
    """Append a policy-change entry when ``policy`` differs from the last one recorded; True when it did."""
    fingerprint = policy.fingerprint()
    with write_transaction(catalog.conn):
        previous = last_policy(catalog.conn)
        if previous == fingerprint:
            return False
        catalog.audit.append(
            POLICY_ACTION, actor, None, "retention policy adopted" if previous is None else "retention policy changed",
            {
                "fingerprint": fingerprint,
                "previous": previous,
                "source": policy.source,
                "rules": [{"name": r.name, "keep": str(r.keep), "when": r.when.describe()} for r in policy.all_rules],
            },
        )
    catalog.audit.anchor()
    return True


def _batches(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _BATCH):
        yield items[start:start + _BATCH]


def _grouped(conn: sqlite3.Connection, sql: str, args: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for rid, value in conn.execute(sql, args):
        out.setdefault(rid, []).append(value)
    return out


def _metadata(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def retention_facts(catalog: Catalog, recording_id: str):
    """The hold and deletion history of a call, for the compliance checks R11 and R17.

    Returns ``callvault.compliance.RetentionFacts``: whether a legal hold
    covers the call, when a sweep was refused because of one, and when the
    first of its objects was purged (its evidence, when it has any).
    """
    from callvault.compliance.context import RetentionFacts

    refused, first_purge = [], None
    for row in catalog.conn.execute(
        "SELECT at, action FROM audit WHERE recording_id = ? AND action IN ('retention.refused', 'object.purge') ORDER BY seq",
        (recording_id,),
    ):
        if row[1] == "retention.refused":
            refused.append(row[0])
        elif first_purge is None:
            first_purge = row[0]
    return RetentionFacts(
        on_legal_hold=bool(catalog.holds_covering(recording_id)),
        deletion_attempts=tuple(refused),
        evidence_deleted_at=first_purge,
    )
