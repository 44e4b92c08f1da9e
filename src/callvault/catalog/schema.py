"""The catalog's schema as forward-only migrations, numbered by ``PRAGMA user_version``.

Each migration is a function that runs its statements inside the one
transaction that also bumps ``user_version``; a catalog is never left between
two versions. Append new migrations, never edit a shipped one.
"""

from __future__ import annotations

import sqlite3
from typing import Callable

# Children reference their recording with deferred foreign keys: the
# recording's row is written last in its transaction, and re-recording it
# (delete + insert) cascades to everything it owns, FTS rows included.
_OWNED = "REFERENCES recordings(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED"



def _objects_table(name: str, recording_ref: str) -> str:
    """The stored-objects table; v1 tied it to its recording, v2 keeps it apart (see below)."""
    return f"""CREATE TABLE {name} (
        id INTEGER PRIMARY KEY,
        recording_id TEXT NOT NULL {recording_ref},
        kind TEXT NOT NULL,
        store TEXT NOT NULL,
        key TEXT NOT NULL,
        key_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        purged_at TEXT,
        UNIQUE (recording_id, kind, key)
    )"""


V1 = [
    """CREATE TABLE recordings (
        id TEXT PRIMARY KEY,              -- sha256 of the source bytes
        source TEXT NOT NULL,
        call_id TEXT,
        call_dir TEXT NOT NULL DEFAULT '',  -- folder name under DATA_DIR/calls
        metadata TEXT NOT NULL DEFAULT '{}',
        started_at TEXT,                  -- ISO 8601 as the sidecar gave it
        direction TEXT,
        agent_id TEXT,
        account_id TEXT,
        duration REAL,
        size INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        pipeline_version TEXT NOT NULL DEFAULT '',
        processed_at TEXT NOT NULL,
        -- Rowids of its first and last turn: one recording's turns are written
        -- in one transaction, so they are contiguous, and a search limited to
        -- a few calls can seek the FTS index by rowid range per call.
        first_turn INTEGER,
        last_turn INTEGER
    )""",
    "CREATE INDEX recordings_call_id ON recordings(call_id)",
    "CREATE INDEX recordings_started ON recordings(started_at)",
    "CREATE INDEX recordings_agent ON recordings(agent_id, started_at)",
    "CREATE INDEX recordings_account ON recordings(account_id)",
    # No index on direction or status: too few distinct values to narrow a
    # search, and with one the planner may pick it over a selective filter.
    f"""CREATE TABLE stages (
        recording_id TEXT NOT NULL {_OWNED},
        stage TEXT NOT NULL,
        model TEXT NOT NULL DEFAULT '',
        versions TEXT NOT NULL DEFAULT '{{}}',
        settings TEXT NOT NULL DEFAULT '{{}}',
        seconds REAL,
        PRIMARY KEY (recording_id, stage)
    )""",
    f"""CREATE TABLE turns (
        id INTEGER PRIMARY KEY,           -- the FTS rowid
        recording_id TEXT NOT NULL {_OWNED},
        idx INTEGER NOT NULL,
        speaker TEXT NOT NULL,
        role TEXT NOT NULL,
        start_time REAL NOT NULL,
        end_time REAL NOT NULL,
        text TEXT NOT NULL,               -- REDACTED text only
        UNIQUE (recording_id, idx)
    )""",
    # External-content FTS5 over the redacted turn text. '_' is a token
    # character so placeholders such as [CALL_NUMBER] are one searchable term.
    """CREATE VIRTUAL TABLE turns_fts USING fts5(
        text, content='turns', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2 tokenchars '_'"
    )""",
    """CREATE TRIGGER turns_fts_insert AFTER INSERT ON turns BEGIN
        INSERT INTO turns_fts(rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER turns_fts_delete AFTER DELETE ON turns BEGIN
        INSERT INTO turns_fts(turns_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER turns_fts_update AFTER UPDATE ON turns BEGIN
        INSERT INTO turns_fts(turns_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO turns_fts(rowid, text) VALUES (new.id, new.text);
    END""",
    f"""CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        recording_id TEXT NOT NULL {_OWNED},
        idx INTEGER NOT NULL,
        category TEXT NOT NULL,
        entity TEXT NOT NULL,
        start_time REAL NOT NULL,
        end_time REAL NOT NULL,
        speaker TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL DEFAULT 'unknown',
        score REAL NOT NULL DEFAULT 0,
        explanation TEXT NOT NULL DEFAULT '{{}}'  -- why, never the value
    )""",
    "CREATE INDEX findings_recording ON findings(recording_id)",
    "CREATE INDEX findings_entity ON findings(entity, recording_id)",
    f"""CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        recording_id TEXT NOT NULL {_OWNED},
        idx INTEGER NOT NULL,
        type TEXT NOT NULL,
        speaker TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL DEFAULT 'unknown',
        start_time REAL NOT NULL,
        end_time REAL NOT NULL,
        quote TEXT NOT NULL DEFAULT '',   -- redacted
        turn_indexes TEXT NOT NULL DEFAULT '[]',
        confidence REAL NOT NULL DEFAULT 0,
        why TEXT NOT NULL DEFAULT '',
        details TEXT NOT NULL DEFAULT '[]'
    )""",
    "CREATE INDEX events_recording ON events(recording_id)",
    "CREATE INDEX events_type ON events(type, recording_id)",
    f"""CREATE TABLE rule_results (
        id INTEGER PRIMARY KEY,
        recording_id TEXT NOT NULL {_OWNED},
        rule TEXT NOT NULL,
        status TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        citation TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '',
        evidence TEXT NOT NULL DEFAULT '[]'
    )""",
    "CREATE INDEX rule_results_recording ON rule_results(recording_id)",
    "CREATE INDEX rule_results_rule ON rule_results(rule, status, recording_id)",
    _objects_table("objects", _OWNED),
    "CREATE INDEX objects_expires ON objects(expires_at) WHERE purged_at IS NULL",
    """CREATE TABLE holds (
        id INTEGER PRIMARY KEY,
        scope TEXT NOT NULL CHECK (scope IN ('call', 'account', 'query')),
        value TEXT NOT NULL,
        reason TEXT NOT NULL,
        actor TEXT NOT NULL,
        created_at TEXT NOT NULL,
        released_at TEXT,
        released_by TEXT,
        release_reason TEXT
    )""",
    # No foreign key: a worker leases a recording before its row exists.
    """CREATE TABLE leases (
        recording_id TEXT PRIMARY KEY,
        worker TEXT NOT NULL,
        acquired_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    )""",
    # No foreign key either: the audit trail outlives what it talks about.
    """CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        actor TEXT NOT NULL,
        recording_id TEXT,
        reason TEXT NOT NULL,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )""",
    "CREATE INDEX audit_recording ON audit(recording_id)",
]



def _to_v1(conn: sqlite3.Connection) -> None:
    for statement in V1:
        conn.execute(statement)


def _objects_outlive_their_row(conn: sqlite3.Connection) -> None:
    """The vault's refs move into the catalog (no more vault/refs.db): every sealed object has its row.

    The vault records an object as soon as it is stored and verified, before
    the recording's own row exists (or when that row is never written), so
    ``objects`` loses its foreign key, and re-recording a call updates its
    objects instead of deleting them.
    """
    # No foreign key: an object is stored before (or without) its recording's row.
    conn.execute(_objects_table("objects_ledger", ""))
    conn.execute("INSERT INTO objects_ledger SELECT id, recording_id, kind, store, key, key_id, sha256, size, "
                 "created_at, expires_at, purged_at FROM objects")
    conn.execute("DROP TABLE objects")
    conn.execute("ALTER TABLE objects_ledger RENAME TO objects")
    conn.execute("CREATE INDEX objects_expires ON objects(expires_at) WHERE purged_at IS NULL")
    conn.execute("CREATE INDEX objects_recording ON objects(recording_id)")



def _rule_facts(conn: sqlite3.Connection) -> None:
    """Facts rules R5 and R9 need that no sidecar carries (see callvault.catalog.facts)."""
    # 64.2010(b): the number of record of an account (a callback to it may carry call detail).
    conn.execute(
        """CREATE TABLE numbers_of_record (
            account_id TEXT NOT NULL,
            number TEXT NOT NULL,             -- digits only, last ten
            added_at TEXT NOT NULL,
            PRIMARY KEY (account_id, number)
        )"""
    )
    # 64.2009(d): a supervisor approved an outbound approval request, for one call or a campaign.
    conn.execute(
        """CREATE TABLE supervisor_approvals (
            id INTEGER PRIMARY KEY,
            scope TEXT NOT NULL CHECK (scope IN ('call', 'campaign')),
            value TEXT NOT NULL,
            supervisor TEXT NOT NULL,
            approved_at TEXT NOT NULL
        )"""
    )
    conn.execute("CREATE INDEX supervisor_approvals_value ON supervisor_approvals(scope, value)")


# The breach incident register (callvault.catalog.incidents, 47 CFR 64.2011).
INCIDENTS = [
    """CREATE TABLE incidents (
        id INTEGER PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('candidate', 'confirmed', 'dismissed', 'reported', 'closed')),
        account_key TEXT NOT NULL,        -- the account id, or 'call:<recording id>' without one
        discovered_at TEXT NOT NULL,
        determined_at TEXT,               -- reasonable determination (confirm)
        agencies_notified_at TEXT,        -- report
        closed_at TEXT,
        harm_likely INTEGER NOT NULL DEFAULT 1,
        agency_delay_until TEXT,          -- YYYY-MM-DD an agency asked customer notice to wait for
        agency_allows_early INTEGER NOT NULL DEFAULT 0,
        estimated_loss TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        method TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX incidents_open ON incidents(status, account_key)",
    # No foreign key to recordings: the incident outlives the call's row and its reprocessing.
    """CREATE TABLE incident_calls (
        incident_id INTEGER NOT NULL REFERENCES incidents(id),
        recording_id TEXT NOT NULL,
        call_id TEXT,
        account_id TEXT,
        started_at TEXT,
        reason TEXT NOT NULL,
        evidence TEXT NOT NULL DEFAULT '[]',   -- redacted, as the rule result gave it
        data_types TEXT NOT NULL DEFAULT '[]',
        hold_id INTEGER,
        added_at TEXT NOT NULL,
        PRIMARY KEY (incident_id, recording_id)
    )""",
    "CREATE INDEX incident_calls_recording ON incident_calls(recording_id)",
]


def _incidents(conn: sqlite3.Connection) -> None:
    for statement in INCIDENTS:
        conn.execute(statement)


# Web app accounts, server-side sessions, review sign-offs and rule overrides.
# No foreign keys to recordings: like the audit trail, a sign-off or an
# override outlives a reprocessing of the call it talks about.
WEB_ACCOUNTS = [
    """CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('auditor', 'officer', 'admin')),
        password_hash TEXT NOT NULL,      -- argon2id, never the password
        created_at TEXT NOT NULL,
        password_changed_at TEXT NOT NULL,
        disabled_at TEXT,
        failed_signins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT
    )""",
    """CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,      -- sha256 of the cookie value; the cookie is never stored
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        client TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX sessions_user ON sessions(user_id)",
    """CREATE TABLE reviews (
        id INTEGER PRIMARY KEY,
        recording_id TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        machine_verdict TEXT NOT NULL,    -- the catalog's verdict when it was signed
        note TEXT NOT NULL DEFAULT '',
        signed_at TEXT NOT NULL
    )""",
    "CREATE INDEX reviews_recording ON reviews(recording_id)",
    """CREATE TABLE rule_overrides (
        id INTEGER PRIMARY KEY,
        recording_id TEXT NOT NULL,
        rule TEXT NOT NULL,
        machine_status TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT NOT NULL,
        actor TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX rule_overrides_recording ON rule_overrides(recording_id, rule)",
]


def _web_accounts(conn: sqlite3.Connection) -> None:
    for statement in WEB_ACCOUNTS:
        conn.execute(statement)


# MIGRATIONS[n] takes a catalog from version n to n + 1.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _to_v1, _objects_outlive_their_row, _rule_facts, _incidents, _web_accounts,
)
LATEST = len(MIGRATIONS)
