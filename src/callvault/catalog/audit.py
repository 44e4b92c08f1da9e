"""The audit log: an append-only, hash-chained record of who did what, and why.

Each entry's ``hash`` is SHA-256 over a canonical JSON of the entry including
``prev_hash``, the hash of the entry before it. Editing an entry breaks its
own hash; deleting, inserting or reordering entries breaks the chain or the
sequence. Truncating the tail leaves a valid shorter chain, so whoever needs
that guarantee keeps ``head()`` somewhere else and passes it to ``verify``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any, Iterator, Mapping

from callvault.clock import Clock, iso_utc
from callvault.catalog.db import write_transaction

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(entry: Mapping[str, Any]) -> str:
    """The hash of an entry: every field but ``hash`` itself, canonically encoded."""
    body = {k: entry[k] for k in ("seq", "at", "action", "actor", "recording_id", "reason", "details", "prev_hash")}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


class AuditLog:
    """Append to, verify and export the catalog's audit trail.

    ``details`` must never hold raw sensitive values: callers put ids, counts,
    kinds and reasons there, the same rule as for logs.
    """

    def __init__(self, conn: sqlite3.Connection, clock: Clock):
        self._conn = conn
        self._clock = clock

    def append(self, action: str, actor: str, recording_id: str | None, reason: str, details: dict) -> None:
        """Add one entry; joins the caller's write transaction when one is open."""
        if self._conn.in_transaction:
            self._append(action, actor, recording_id, reason, details)
        else:
            with write_transaction(self._conn):
                self._append(action, actor, recording_id, reason, details)

    def _append(self, action: str, actor: str, recording_id: str | None, reason: str, details: dict) -> None:
        last = self._conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        entry = {
            "seq": (last["seq"] + 1) if last else 1,
            "at": iso_utc(self._clock()),
            "action": str(action),
            "actor": str(actor),
            "recording_id": recording_id,
            "reason": str(reason),
            # Round-trip through JSON so the hashed form is exactly what is stored.
            "details": json.loads(canonical_json(dict(details))),
            "prev_hash": last["hash"] if last else GENESIS,
        }
        self._conn.execute(
            "INSERT INTO audit (seq, at, action, actor, recording_id, reason, details, prev_hash, hash) "
            "VALUES (:seq, :at, :action, :actor, :recording_id, :reason, :details_json, :prev_hash, :hash)",
            {**entry, "details_json": canonical_json(entry["details"]), "hash": entry_hash(entry)},
        )

    def head(self) -> tuple[int, str]:
        """(seq, hash) of the newest entry; (0, GENESIS) when empty. Keep it to detect truncation."""
        row = self._conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        return (row["seq"], row["hash"]) if row else (0, GENESIS)

    def export(self) -> Iterator[dict]:
        """Every entry, oldest first, as the dict its hash was computed over plus ``hash``."""
        for row in self._conn.execute("SELECT * FROM audit ORDER BY seq"):
            entry = dict(row)
            try:
                entry["details"] = json.loads(entry["details"])
            except ValueError:
                pass  # left as text; verify() reports it
            yield entry

    def verify(self, expected_head: tuple[int, str] | None = None) -> list[str]:
        """Problems found, each naming the seq concerned; an empty list means intact."""
        problems: list[str] = []
        prev_seq, prev_hash = 0, GENESIS
        for entry in self.export():
            seq = entry["seq"]
            if not isinstance(entry["details"], dict):
                problems.append(f"seq {seq}: details are not a JSON object (edited)")
            elif entry_hash(entry) != entry["hash"]:
                problems.append(f"seq {seq}: contents do not match its hash (edited)")
            if seq != prev_seq + 1:
                problems.append(f"seq {seq}: follows seq {prev_seq}; entries {prev_seq + 1}..{seq - 1} are missing (deleted)")
            if entry["prev_hash"] != prev_hash:
                problems.append(
                    f"seq {seq}: prev_hash does not match the hash of seq {prev_seq} "
                    "(an entry was deleted, inserted or reordered)"
                )
            prev_seq, prev_hash = seq, entry["hash"]
        if expected_head is not None and expected_head[0] > 0:
            want_seq, want_hash = expected_head
            row = self._conn.execute("SELECT hash FROM audit WHERE seq = ?", (want_seq,)).fetchone()
            if row is None:
                problems.append(f"seq {want_seq}: the expected head is missing (the log was truncated)")
            elif row["hash"] != want_hash:
                problems.append(f"seq {want_seq}: hash differs from the expected head (rewritten)")
        return problems
