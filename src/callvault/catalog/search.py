"""Full-text search over the redacted turns (SQLite FTS5), with call filters."""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass

from callvault.catalog.filters import SearchFilters, call_conditions, turn_conditions
from callvault.models.errors import CatalogError

ORDERS = ("newest", "relevance")

QUERY_HELP = (
    'Put phrases and words with punctuation in double quotes ("card number", "R1"), '
    "write AND, OR, NOT in capitals between terms, group with parentheses, and end a "
    "word with * for a prefix (cancel*)."
)


@dataclass(frozen=True)
class SearchHit:
    recording_id: str
    call_id: str | None
    started_at: str | None  # when the call started, as its metadata said
    turn_index: int
    speaker: str
    role: str
    start: float  # seconds into the call where the matching turn starts
    end: float
    snippet: str  # redacted text around the hit, the hit between the marks


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: tuple[SearchHit, ...]
    limit: int
    offset: int
    has_more: bool  # another page exists past offset + limit


# Seeking the index within one call's turns costs about as much as streaming
# this many matching rows past the filters (measured on the 50k-call bench).
SEEK_COST_IN_ROWS = 50

_HIT_COLUMNS = (
    "t.recording_id, r.call_id, r.started_at, t.idx, t.speaker, t.role, t.start_time, t.end_time, "
    "snippet(turns_fts, 0, ?, ?, '…', ?)"
)


def search(
    conn: sqlite3.Connection,
    query: str,
    filters: SearchFilters = SearchFilters(),
    *,
    limit: int = 20,
    offset: int = 0,
    order: str = "newest",
    marks: tuple[str, str] = ("**", "**"),
    snippet_tokens: int = 16,
) -> SearchResults:
    """Turns whose redacted text matches ``query`` (FTS5 syntax), newest first by default.

    ``newest`` yields hits in index order (most recently catalogued first), so a
    page costs about the same however common the term is; ``relevance`` ranks
    every match by BM25 first, which is slower for terms in many turns.
    """
    if not query or not query.strip():
        raise CatalogError(f"empty search query. {QUERY_HELP}")
    if order not in ORDERS:
        raise CatalogError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
    if limit < 1 or offset < 0:
        raise CatalogError("--limit must be at least 1 and --offset at least 0")
    call_where, call_params = call_conditions(filters)
    turn_where, turn_params = turn_conditions(filters)
    order_by = "turns_fts.rowid DESC" if order == "newest" else "bm25(turns_fts), turns_fts.rowid DESC"
    page = [limit + 1, offset]
    snippet = [marks[0], marks[1], snippet_tokens]

    if call_where and _few_calls_pass(conn, call_where, call_params, limit + 1 + offset):
        # For each call that passes, seek the index within its turns' rowid range.
        sql = (
            "SELECT turns_fts.rowid FROM recordings r CROSS JOIN turns_fts JOIN turns t ON t.id = turns_fts.rowid "
            f"WHERE {' AND '.join(call_where)} AND turns_fts MATCH ? "
            "AND turns_fts.rowid BETWEEN r.first_turn AND r.last_turn AND t.recording_id = r.id "
            f"{''.join(' AND ' + w for w in turn_where)} ORDER BY {order_by} LIMIT ? OFFSET ?"
        )
        rowids = [row[0] for row in _run(conn, sql, [*call_params, query, *turn_params, *page], query)]
    else:
        # Stream matches in index order and keep those that pass the filters.
        where = "".join(" AND " + w for w in (*call_where, *turn_where))
        base = (
            "FROM turns_fts JOIN turns t ON t.id = turns_fts.rowid JOIN recordings r ON r.id = t.recording_id "
            f"WHERE turns_fts MATCH ? {where} ORDER BY {order_by} LIMIT ? OFFSET ?"
        )
        args = [query, *call_params, *turn_params, *page]
        if order == "newest":
            # Unsorted, so SQLite makes snippets only for the rows it returns.
            rows = _run(conn, f"SELECT {_HIT_COLUMNS} {base}", [*snippet, *args], query)
            return _results(query, [tuple(row) for row in rows], limit, offset)
        if not where:
            # Ranking every match: skip the joins nobody filters on.
            base = f"FROM turns_fts WHERE turns_fts MATCH ? ORDER BY {order_by} LIMIT ? OFFSET ?"
        rowids = [row[0] for row in _run(conn, f"SELECT turns_fts.rowid {base}", args, query)]
    return _results(query, _rows_by_id(conn, query, rowids[:limit], snippet), limit, offset, more=len(rowids) > limit)


def _results(query: str, rows: list[tuple], limit: int, offset: int, more: bool | None = None) -> SearchResults:
    hits = tuple(SearchHit(*row) for row in rows[:limit])
    has_more = len(rows) > limit if more is None else more
    return SearchResults(query=query, hits=hits, limit=limit, offset=offset, has_more=has_more)


def _few_calls_pass(conn: sqlite3.Connection, where: list[str], params: list[object], wanted: int) -> bool:
    """Whether seeking call by call beats streaming: few calls pass, so streaming would skip many rows.

    Streaming finds ``wanted`` hits after about wanted * total / passing rows;
    seeking costs about passing * SEEK_COST_IN_ROWS.
    """
    # max(rowid) is a B-tree seek where count(*) is a scan; close enough for an estimate.
    total = conn.execute("SELECT max(rowid) FROM recordings").fetchone()[0] or 0
    cap = math.isqrt(wanted * total // max(1, SEEK_COST_IN_ROWS))
    sql = f"SELECT count(*) FROM (SELECT 1 FROM recordings r WHERE {' AND '.join(where)} LIMIT ?)"
    return conn.execute(sql, [*params, cap + 1]).fetchone()[0] <= cap


def _rows_by_id(conn: sqlite3.Connection, query: str, rowids: list[int], snippet: list) -> list[tuple]:
    """Hit rows with snippets for a page of turn rowids, in that order, from one index pass."""
    if not rowids:
        return []
    # One MATCH over the page's rowid range; '+' keeps the IN list from becoming one index seek per id.
    marks = ", ".join("?" * len(rowids))
    rows = _run(
        conn,
        f"SELECT turns_fts.rowid, {_HIT_COLUMNS} "
        "FROM turns_fts JOIN turns t ON t.id = turns_fts.rowid JOIN recordings r ON r.id = t.recording_id "
        f"WHERE turns_fts MATCH ? AND turns_fts.rowid BETWEEN ? AND ? AND +turns_fts.rowid IN ({marks})",
        [*snippet, query, min(rowids), max(rowids), *rowids],
        query,
    )
    by_id = {row[0]: tuple(row)[1:] for row in rows}
    # A turn another process replaced between the two reads is left out.
    return [by_id[rowid] for rowid in rowids if rowid in by_id]


def _run(conn: sqlite3.Connection, sql: str, args: list, query: str) -> list[sqlite3.Row]:
    try:
        return conn.execute(sql, args).fetchall()
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if _is_query_error(message):
            raise CatalogError(f"malformed search query {query!r} ({message}). {QUERY_HELP}") from None
        raise CatalogError(f"search failed ({message}); retry, and if it persists restore the catalog from a backup") from None


def _is_query_error(message: str) -> bool:
    # What SQLite's FTS5 query parser says about a bad MATCH expression.
    return message.startswith("fts5:") or any(
        cue in message for cue in ("syntax error", "no such column", "unterminated string", "unknown special query")
    )
