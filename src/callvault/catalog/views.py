"""Read-only views the web app needs beyond ``calls`` and ``search``: held/reviewed call lists,
the access log filtered, and one day's report. All over the catalog alone."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterator

from callvault.catalog.calls import _SUMMARY_COLUMNS, CallSummary
from callvault.catalog.filters import CallFilters, call_conditions
from callvault.models.errors import CatalogError
from callvault.models.storage import SealedRef

_ACTIVE = "released_at IS NULL"


@dataclass(frozen=True)
class CallRow:
    summary: CallSummary
    reviewed: bool
    held: bool


def list_calls(conn: sqlite3.Connection, filters: CallFilters = CallFilters(), *, held: bool | None = None,
               reviewed: bool | None = None, limit: int = 50, offset: int = 0) -> list[CallRow]:
    """Calls as ``catalog.calls`` lists them, also filtered on legal holds and review sign-off."""
    if limit < 1 or offset < 0:
        raise CatalogError("limit must be at least 1 and offset at least 0")
    where, params = call_conditions(filters)
    held_sql, held_params = _held_condition(conn)
    if held is not None:
        where.append(held_sql if held else f"NOT ({held_sql})")
        params.extend(held_params)
    if reviewed is not None:
        where.append(("" if reviewed else "NOT ") + "EXISTS (SELECT 1 FROM reviews v WHERE v.recording_id = r.id)")
    order = "ORDER BY r.started_at DESC, r.processed_at DESC, r.id"
    # Page the rowids first: SQLite would otherwise compute every column (the
    # per-call counts) for each row OFFSET skips.
    sql = (
        f"SELECT {_SUMMARY_COLUMNS}, EXISTS (SELECT 1 FROM reviews v WHERE v.recording_id = r.id), ({held_sql}) "
        "FROM recordings r WHERE r.rowid IN (SELECT r.rowid FROM recordings r "
        f"{'WHERE ' + ' AND '.join(where) if where else ''} {order} LIMIT ? OFFSET ?) {order}"
    )
    rows = conn.execute(sql, [*held_params, *params, limit, offset])
    return [CallRow(CallSummary(*tuple(row)[:11]), bool(row[11]), bool(row[12])) for row in rows]


def _held_condition(conn: sqlite3.Connection) -> tuple[str, list[object]]:
    """SQL over ``recordings r`` true when an active legal hold covers the call (as ``holds_covering`` decides)."""
    parts = [
        f"r.id IN (SELECT value FROM holds WHERE scope = 'call' AND {_ACTIVE})",
        f"r.call_id IN (SELECT value FROM holds WHERE scope = 'call' AND {_ACTIVE})",
        f"r.account_id IN (SELECT value FROM holds WHERE scope = 'account' AND {_ACTIVE})",
    ]
    params: list[object] = []
    for (query,) in conn.execute(f"SELECT value FROM holds WHERE scope = 'query' AND {_ACTIVE}").fetchall():
        try:
            conn.execute("SELECT 1 FROM turns_fts WHERE turns_fts MATCH ? LIMIT 1", (query,)).fetchall()
        except sqlite3.OperationalError:
            return "1", []  # a hold whose query no longer parses holds everything, never lapses
        parts.append("r.id IN (SELECT t.recording_id FROM turns_fts JOIN turns t ON t.id = turns_fts.rowid WHERE turns_fts MATCH ?)")
        params.append(query)
    return " OR ".join(parts), params


def live_object(conn: sqlite3.Connection, recording_id: str, kind: str) -> SealedRef | None:
    """The call's stored object of ``kind`` that retention has not purged, as a vault ref."""
    row = conn.execute(
        "SELECT recording_id, kind, store, key, key_id, sha256, size, created_at, expires_at FROM objects "
        "WHERE recording_id = ? AND kind = ? AND purged_at IS NULL ORDER BY id DESC LIMIT 1",
        (recording_id, kind),
    ).fetchone()
    return SealedRef(*row) if row else None


@dataclass(frozen=True)
class AuditFilters:
    actor: str | None = None
    recording_id: str | None = None
    date_from: str | None = None  # YYYY-MM-DD, inclusive
    date_to: str | None = None  # YYYY-MM-DD, inclusive
    action: str | None = None  # an action or its prefix, e.g. "web."


def _audit_where(filters: AuditFilters) -> tuple[str, list[object]]:
    where: list[str] = []
    params: list[object] = []
    if filters.actor:
        where.append("actor = ?")
        params.append(filters.actor)
    if filters.recording_id:
        where.append("recording_id = ?")
        params.append(filters.recording_id)
    if filters.date_from:
        where.append("at >= ?")
        params.append(_day(filters.date_from).isoformat())
    if filters.date_to:
        where.append("at < ?")
        params.append((_day(filters.date_to) + timedelta(days=1)).isoformat())
    if filters.action:
        where.append("action >= ? AND action < ?")
        params.extend([filters.action, filters.action + "\uffff"])
    return ("WHERE " + " AND ".join(where)) if where else "", params


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CatalogError(f"{value!r} is not a date; use YYYY-MM-DD") from None


def audit_entries(conn: sqlite3.Connection, filters: AuditFilters = AuditFilters(), *, limit: int | None = 200,
                  offset: int = 0) -> Iterator[dict]:
    """Audit entries matching ``filters``, newest first (all of them when ``limit`` is None)."""
    where, params = _audit_where(filters)
    page = " LIMIT ? OFFSET ?" if limit is not None else ""
    args = [*params, limit, offset] if limit is not None else params
    for row in conn.execute(f"SELECT * FROM audit {where} ORDER BY seq DESC{page}", args):
        entry = dict(row)
        try:
            entry["details"] = json.loads(entry["details"])
        except ValueError:
            pass
        yield entry


@dataclass(frozen=True)
class DayReport:
    day: str
    calls: tuple[CallSummary, ...]
    verdicts: dict[str, int]
    failed_rules: dict[str, int]  # rule -> calls that failed it
    events: dict[str, int]  # event type -> count
    failed_by_call: dict[str, tuple[str, ...]]  # recording id -> rules it failed


def day_report(conn: sqlite3.Connection, day: str) -> DayReport:
    """Every call started on ``day`` (YYYY-MM-DD) with its verdict and failed rules, and the day's totals."""
    start = _day(day)
    bounds = [start.isoformat(), (start + timedelta(days=1)).isoformat()]
    in_day = "r.started_at >= ? AND r.started_at < ?"
    calls = tuple(
        CallSummary(*row)
        for row in conn.execute(f"SELECT {_SUMMARY_COLUMNS} FROM recordings r WHERE {in_day} ORDER BY r.started_at, r.id", bounds)
    )
    verdicts = dict(conn.execute(f"SELECT status, count(*) FROM recordings r WHERE {in_day} GROUP BY status", bounds).fetchall())
    failed: dict[str, list[str]] = {}
    rules: dict[str, int] = {}
    for rid, rule in conn.execute(
        f"SELECT x.recording_id, x.rule FROM recordings r JOIN rule_results x ON x.recording_id = r.id "
        f"WHERE {in_day} AND x.status = 'fail' ORDER BY x.id", bounds
    ):
        failed.setdefault(rid, []).append(rule)
        rules[rule] = rules.get(rule, 0) + 1
    events = dict(conn.execute(
        f"SELECT e.type, count(*) FROM recordings r JOIN events e ON e.recording_id = r.id WHERE {in_day} GROUP BY e.type", bounds
    ).fetchall())
    return DayReport(start.isoformat(), calls, verdicts, dict(sorted(rules.items())), events,
                     {rid: tuple(v) for rid, v in failed.items()})
