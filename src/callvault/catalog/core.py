"""``Catalog``: one open catalog database and everything done with it."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping, Sequence

from callvault.catalog import calls as _calls
from callvault.catalog import search as _search
from callvault.catalog import state as _state
from callvault.catalog.audit import AuditLog, HeadLog, head_log_path
from callvault.clock import Clock, system_clock
from callvault.catalog.db import catalog_path, connect
from callvault.catalog.filters import CallFilters, SearchFilters
from callvault.catalog.record import StageRecord, record_call
from callvault.models import ConsentEvent, Finding, Recording, RuleResult, SealedRef, Transcript
from callvault.models.errors import CatalogError


class Catalog:
    """The SQLite catalog of one archive.

    One instance per process or thread (a sqlite3 connection is not shared
    across them); any number of processes may open the same file and write at
    once: writers take turns under SQLite's lock, waiting up to ``timeout``.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Clock = system_clock, head_log: str | Path | None = None):
        self.conn = conn
        self.path = path
        self.clock = clock
        self.audit = AuditLog(conn, clock, HeadLog(head_log or head_log_path(path)))

    @classmethod
    def open(cls, path: str | Path, *, clock: Clock = system_clock, create: bool = True, timeout: float = 30.0,
             head_log: str | Path | None = None) -> "Catalog":
        """Open (and create or migrate) the catalog file at ``path``.

        ``head_log`` is where the audit chain's head is anchored (default:
        ``catalog-audit-head.log`` beside the catalog; better on another volume).
        """
        path = Path(path)
        return cls(connect(path, create=create, timeout=timeout), path, clock, head_log)

    @classmethod
    def in_data_dir(cls, data_dir: str | Path, **kwargs: Any) -> "Catalog":
        """The catalog of the archive at ``data_dir`` (``DATA_DIR/catalog.db``)."""
        return cls.open(catalog_path(data_dir), **kwargs)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Catalog":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- writing a processed call ------------------------------------------------

    def record_call(
        self,
        recording: Recording,
        transcript: Transcript,
        *,
        processed_at: str,
        findings: Sequence[Finding] = (),
        events: Sequence[ConsentEvent] = (),
        rules: Sequence[RuleResult] = (),
        objects: Sequence[SealedRef] = (),
        stages: Sequence[StageRecord | Mapping[str, Any]] = (),
        pipeline_version: str = "",
        status: str | None = None,
        call_dir: str = "",
        actor: str = "callvault",
    ) -> bool:
        """See ``callvault.catalog.record.record_call``; True when it replaced an earlier record."""
        return record_call(
            self.conn, self.audit, recording, transcript, processed_at=processed_at, findings=findings,
            events=events, rules=rules, objects=objects, stages=stages, pipeline_version=pipeline_version,
            status=status, call_dir=call_dir, actor=actor,
        )

    def is_done(self, recording_id: str) -> bool:
        """Whether the recording's row exists, i.e. it finished processing."""
        return self.conn.execute("SELECT 1 FROM recordings WHERE id = ?", (recording_id,)).fetchone() is not None

    def done_version(self, recording_id: str) -> str | None:
        """The pipeline version a finished recording was processed with; None when it is not done."""
        row = self.conn.execute("SELECT pipeline_version FROM recordings WHERE id = ?", (recording_id,)).fetchone()
        return row[0] if row else None

    def shredded_at(self, recording_id: str) -> str | None:
        """When the recording was crypto-shredded; None when it was not. A shredded one is never stored again."""
        return _state.shredded_at(self.conn, recording_id)

    # -- reading -----------------------------------------------------------------

    def search(self, query: str, filters: SearchFilters = SearchFilters(), *, limit: int = 20, offset: int = 0,
               order: str = "newest", marks: tuple[str, str] = ("**", "**")) -> _search.SearchResults:
        return _search.search(self.conn, query, filters, limit=limit, offset=offset, order=order, marks=marks)

    def calls(self, filters: CallFilters = CallFilters(), *, limit: int = 50, offset: int = 0) -> list[_calls.CallSummary]:
        return _calls.list_calls(self.conn, filters, limit=limit, offset=offset)

    def resolve(self, call: str) -> str:
        """The recording id that CALL (call id, call folder, recording id or prefix) names."""
        return _calls.resolve_call(self.conn, call)

    def call(self, call: str) -> _calls.CallDetail:
        """One call in full, CALL resolved as in ``resolve``."""
        return _calls.call_detail(self.conn, self.resolve(call))

    # One call's parts, CALL resolved as in ``resolve`` (a recording id is the cheapest to resolve).

    def turns(self, call: str) -> tuple[_calls.TurnRow, ...]:
        return _calls.call_turns(self.conn, self.resolve(call))

    def findings(self, call: str) -> tuple[_calls.FindingRow, ...]:
        return _calls.call_findings(self.conn, self.resolve(call))

    def events(self, call: str) -> tuple[_calls.EventRow, ...]:
        return _calls.call_events(self.conn, self.resolve(call))

    def rules(self, call: str) -> tuple[_calls.RuleRow, ...]:
        return _calls.call_rules(self.conn, self.resolve(call))

    def objects(self, call: str) -> tuple[_calls.ObjectRow, ...]:
        return _calls.call_objects(self.conn, self.resolve(call))

    def sealed_refs(self, call: str) -> list[SealedRef]:
        """The call's live sealed objects as refs the vault opens (``Vault.restore``, ``verify``)."""
        from callvault.catalog.objects import stored_objects

        return [entry.ref for entry in stored_objects(self.conn, self.resolve(call))]

    def calls_dated(self, first: str, last: str) -> list[str]:
        """Recording ids of the calls of days ``first``..``last`` (YYYY-MM-DD), in call order."""
        return _calls.calls_dated(self.conn, first, last)

    # -- state kept for the worker, vault and retention ----------------------------

    def acquire_lease(self, recording_id: str, worker: str, ttl: float, now: datetime) -> bool:
        return _state.acquire_lease(self.conn, recording_id, worker, ttl, now)

    def lease_holder(self, recording_id: str) -> tuple[str, str] | None:
        return _state.lease_holder(self.conn, recording_id)

    def release_lease(self, recording_id: str, worker: str) -> bool:
        return _state.release_lease(self.conn, recording_id, worker)

    def place_hold(self, scope: str, value: str, reason: str, actor: str) -> _state.Hold:
        return _state.place_hold(self.conn, self.audit, scope, value, reason, actor, self.clock())

    def release_hold(self, hold_id: int, reason: str, actor: str) -> _state.Hold:
        return _state.release_hold(self.conn, self.audit, hold_id, reason, actor, self.clock())

    def holds(self, *, active_only: bool = True) -> list[_state.Hold]:
        return _state.list_holds(self.conn, active_only=active_only)

    def holds_covering(self, recording_id: str) -> list[_state.Hold]:
        return _state.holds_covering(self.conn, recording_id)

    def mark_object_purged(self, recording_id: str, kind: str, key: str, actor: str, reason: str) -> None:
        _state.mark_object_purged(self.conn, self.audit, recording_id, kind, key, actor, reason, self.clock())

    # -- upkeep ----------------------------------------------------------------------

    def optimize(self) -> None:
        """Merge the search index's segments into one (after a big batch; takes a while)."""
        self.conn.execute("INSERT INTO turns_fts(turns_fts) VALUES ('optimize')")

    def erase_freed(self) -> bool:
        """After a purge: rewrite the search index and checkpoint the WAL, so deleted text leaves the files.

        ``secure_delete`` zeroes deleted rows, but the FTS index keeps a deleted
        turn's terms in old segments until they are merged, and the WAL keeps
        old page images until a checkpoint. Costs one index rewrite; False when
        a reader kept the WAL from being emptied (the next purge tries again).
        """
        self.optimize()
        busy, _, _ = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return busy == 0

    def check_index(self) -> None:
        """Raise CatalogError when the search index disagrees with the turns it indexes."""
        try:
            self.conn.execute("INSERT INTO turns_fts(turns_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            raise CatalogError(f"the search index is out of step with the turns ({exc}); rebuild it") from None
