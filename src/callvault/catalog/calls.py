"""Reading calls back: lists with counts, one call in full, and CALL → recording id."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Mapping

from callvault.catalog.filters import CallFilters, call_conditions
from callvault.models.errors import CatalogError


@dataclass(frozen=True)
class CallSummary:
    recording_id: str
    call_id: str | None
    started_at: str | None
    direction: str | None
    agent_id: str | None
    duration: float | None
    status: str
    processed_at: str
    findings: int
    events: int
    violations: int  # failed rule checks


@dataclass(frozen=True)
class TurnRow:
    index: int
    speaker: str
    role: str
    start: float
    end: float
    text: str  # redacted


@dataclass(frozen=True)
class FindingRow:
    category: str
    entity: str
    start: float
    end: float
    speaker: str
    role: str
    score: float
    explanation: Mapping[str, Any]


@dataclass(frozen=True)
class EventRow:
    type: str
    speaker: str
    role: str
    start: float
    end: float
    quote: str  # redacted
    turn_indexes: tuple[int, ...]
    confidence: float
    why: str
    details: tuple[str, ...]


@dataclass(frozen=True)
class RuleRow:
    rule: str
    status: str
    title: str
    citation: str
    reason: str
    evidence: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class StageRow:
    stage: str
    model: str
    versions: Mapping[str, Any]
    settings: Mapping[str, Any]
    seconds: float | None


@dataclass(frozen=True)
class ObjectRow:
    kind: str
    store: str
    key: str
    key_id: str
    sha256: str
    size: int
    created_at: str
    expires_at: str | None
    purged_at: str | None


@dataclass(frozen=True)
class CallDetail:
    """One call as the catalog holds it: all redacted, nothing raw."""

    summary: CallSummary
    source: str
    metadata: Mapping[str, Any]
    pipeline_version: str
    call_dir: str
    turns: tuple[TurnRow, ...]
    findings: tuple[FindingRow, ...]
    events: tuple[EventRow, ...]
    rules: tuple[RuleRow, ...]
    stages: tuple[StageRow, ...]
    objects: tuple[ObjectRow, ...]


_SUMMARY_COLUMNS = (
    "r.id, r.call_id, r.started_at, r.direction, r.agent_id, r.duration, r.status, r.processed_at, "
    "(SELECT count(*) FROM findings f WHERE f.recording_id = r.id), "
    "(SELECT count(*) FROM events e WHERE e.recording_id = r.id), "
    "(SELECT count(*) FROM rule_results x WHERE x.recording_id = r.id AND x.status = 'fail')"
)


def list_calls(
    conn: sqlite3.Connection, filters: CallFilters = CallFilters(), *, limit: int = 50, offset: int = 0
) -> list[CallSummary]:
    """Calls matching ``filters``, latest call first, with their counts."""
    if limit < 1 or offset < 0:
        raise CatalogError("--limit must be at least 1 and --offset at least 0")
    where, params = call_conditions(filters)
    sql = (
        f"SELECT {_SUMMARY_COLUMNS} FROM recordings r "
        f"{'WHERE ' + ' AND '.join(where) if where else ''} "
        "ORDER BY r.started_at DESC, r.processed_at DESC, r.id LIMIT ? OFFSET ?"
    )
    return [CallSummary(*row) for row in conn.execute(sql, [*params, limit, offset])]


def resolve_call(conn: sqlite3.Connection, call: str) -> str:
    """The recording id CALL names: a call id, a call folder name or its label, or a recording id (prefix)."""
    call = (call or "").strip()
    if not call:
        raise CatalogError("name a call: its call id or the start of its recording id")
    rows = conn.execute(
        "SELECT id, call_id FROM recordings WHERE call_id = ? OR call_dir = ? OR id = ?", (call, call, call.lower())
    ).fetchall()
    if not rows:
        # The folder's label alone ("card-call" of "card-call__94e0883ad227"), as `callvault process` printed it.
        rows = conn.execute(
            "SELECT id, call_id FROM recordings WHERE call_dir >= ? AND call_dir < ? LIMIT 10",
            (call + "__", call + "__\uffff"),
        ).fetchall()
    if not rows and len(call) >= 6:
        # A prefix; range scan on the primary key rather than LIKE, which the index cannot use.
        prefix = call.lower()
        rows = conn.execute(
            "SELECT id, call_id FROM recordings WHERE id >= ? AND id < ? LIMIT 10", (prefix, prefix + "\uffff")
        ).fetchall()
    if not rows:
        raise CatalogError(
            f"no call {call!r} in the catalog; give its call id or at least 6 characters of its "
            "recording id (`callvault calls` lists them)"
        )
    if len({row["id"] for row in rows}) > 1:
        names = ", ".join(f"{row['call_id'] or '-'} ({row['id'][:12]})" for row in rows)
        raise CatalogError(f"{call!r} is ambiguous: {names}; give more of the recording id")
    return rows[0]["id"]


def call_detail(conn: sqlite3.Connection, recording_id: str) -> CallDetail:
    row = conn.execute(
        f"SELECT {_SUMMARY_COLUMNS}, r.source, r.metadata, r.pipeline_version, r.call_dir "
        "FROM recordings r WHERE r.id = ?",
        (recording_id,),
    ).fetchone()
    if row is None:
        raise CatalogError(f"recording {recording_id[:12]} is not in the catalog; it has not finished processing")
    summary = CallSummary(*tuple(row)[:11])
    turns = call_turns(conn, recording_id)
    findings = call_findings(conn, recording_id)
    events = call_events(conn, recording_id)
    rules = call_rules(conn, recording_id)
    stages = call_stages(conn, recording_id)
    objects = call_objects(conn, recording_id)
    return CallDetail(
        summary=summary,
        source=row["source"],
        metadata=json.loads(row["metadata"]),
        pipeline_version=row["pipeline_version"],
        call_dir=row["call_dir"],
        turns=turns,
        findings=findings,
        events=events,
        rules=rules,
        stages=stages,
        objects=objects,
    )


# -- one call's parts, by recording id (what `show`, `consent`, reports and the web app read) ------


def _parts(conn: sqlite3.Connection, sql: str, recording_id: str, make: Any) -> tuple:
    return tuple(make(row) for row in conn.execute(sql, (recording_id,)))


def call_turns(conn: sqlite3.Connection, recording_id: str) -> tuple[TurnRow, ...]:
    """The call's redacted turns in order (none once retention purged it)."""
    return _parts(conn, "SELECT idx, speaker, role, start_time, end_time, text FROM turns WHERE recording_id = ? "
                  "ORDER BY idx", recording_id, lambda r: TurnRow(*r))


def call_findings(conn: sqlite3.Connection, recording_id: str) -> tuple[FindingRow, ...]:
    """What was found where, and why; never the value."""
    return _parts(conn, "SELECT category, entity, start_time, end_time, speaker, role, score, explanation FROM findings "
                  "WHERE recording_id = ? ORDER BY start_time, idx", recording_id,
                  lambda r: FindingRow(*tuple(r)[:7], json.loads(r[7])))


def call_events(conn: sqlite3.Connection, recording_id: str) -> tuple[EventRow, ...]:
    """Consent and disclosure events in time order, quotes redacted."""
    return _parts(conn, "SELECT type, speaker, role, start_time, end_time, quote, turn_indexes, confidence, why, details "
                  "FROM events WHERE recording_id = ? ORDER BY start_time, idx", recording_id,
                  lambda r: EventRow(*tuple(r)[:6], tuple(json.loads(r[6])), r[7], r[8], tuple(json.loads(r[9]))))


def call_rules(conn: sqlite3.Connection, recording_id: str) -> tuple[RuleRow, ...]:
    """Rule check results in the order they were run."""
    return _parts(conn, "SELECT rule, status, title, citation, reason, evidence FROM rule_results WHERE recording_id = ? "
                  "ORDER BY id", recording_id, lambda r: RuleRow(*tuple(r)[:5], tuple(json.loads(r[5]))))


def call_stages(conn: sqlite3.Connection, recording_id: str) -> tuple[StageRow, ...]:
    return _parts(conn, "SELECT stage, model, versions, settings, seconds FROM stages WHERE recording_id = ? "
                  "ORDER BY rowid", recording_id, lambda r: StageRow(r[0], r[1], json.loads(r[2]), json.loads(r[3]), r[4]))


def call_objects(conn: sqlite3.Connection, recording_id: str) -> tuple[ObjectRow, ...]:
    """The call's sealed objects, purged ones too."""
    return _parts(conn, "SELECT kind, store, key, key_id, sha256, size, created_at, expires_at, purged_at FROM objects "
                  "WHERE recording_id = ? ORDER BY id", recording_id, lambda r: ObjectRow(*r))


def calls_dated(conn: sqlite3.Connection, first: str, last: str) -> list[str]:
    """Recording ids of calls dated ``first``..``last`` (YYYY-MM-DD): by start as the metadata gave it, else by processing."""
    rows = conn.execute(
        "SELECT id FROM recordings WHERE substr(coalesce(nullif(started_at, ''), processed_at), 1, 10) BETWEEN ? AND ? "
        "ORDER BY coalesce(nullif(started_at, ''), processed_at), call_dir",
        (first, last),
    )
    return [row[0] for row in rows]


def timeline(detail: CallDetail) -> list[TurnRow | FindingRow | EventRow]:
    """Turns in order, each followed by the findings and events that start within it."""
    placed: dict[int, list[FindingRow | EventRow]] = {}
    for item in sorted((*detail.findings, *detail.events), key=lambda x: x.start):
        placed.setdefault(_turn_of(detail.turns, item.start), []).append(item)
    out: list[TurnRow | FindingRow | EventRow] = list(placed.pop(-1, []))
    for turn in detail.turns:
        out.append(turn)
        out.extend(placed.get(turn.index, []))
    return out


def _turn_of(turns: tuple[TurnRow, ...], moment: float) -> int:
    """Index of the last turn starting at or before ``moment``; -1 before the first."""
    index = -1
    for turn in turns:
        if turn.start <= moment + 1e-6:
            index = turn.index
        else:
            break
    return index
