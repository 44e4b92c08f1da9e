"""Numbers of record and supervisor-approval records: the catalog side of rules R5 and R9.

Written by whoever owns those records (a CRM export, an admin), read by
``callvault.compliance.facts.rule_context`` while a call is processed.
"""

from __future__ import annotations

import sqlite3

from callvault.catalog.db import write_transaction
from callvault.models.errors import CatalogError

APPROVAL_SCOPES = ("call", "campaign")


def _digits(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())[-10:]
    if len(digits) < 7:
        raise CatalogError(f"{number!r} is not a phone number; give at least 7 digits")
    return digits


def add_number_of_record(conn: sqlite3.Connection, account_id: str, number: str, at: str) -> None:
    with write_transaction(conn):
        conn.execute("INSERT OR IGNORE INTO numbers_of_record (account_id, number, added_at) VALUES (?, ?, ?)", (account_id, _digits(number), at))


def numbers_of_record(conn: sqlite3.Connection, account_id: str) -> tuple[str, ...]:
    return tuple(r[0] for r in conn.execute("SELECT number FROM numbers_of_record WHERE account_id = ? ORDER BY number", (account_id,)))


def add_supervisor_approval(conn: sqlite3.Connection, scope: str, value: str, supervisor: str, at: str) -> None:
    if scope not in APPROVAL_SCOPES:
        raise CatalogError(f"approval scope {scope!r}: use one of {', '.join(APPROVAL_SCOPES)}")
    with write_transaction(conn):
        conn.execute("INSERT INTO supervisor_approvals (scope, value, supervisor, approved_at) VALUES (?, ?, ?, ?)", (scope, value, supervisor, at))


def supervisor_approved(conn: sqlite3.Connection, call_id: str | None, campaign_id: str | None) -> bool:
    """A record approves this outbound call, by its call id or its campaign."""
    keys = [("call", call_id), ("campaign", campaign_id)]
    return any(
        value and conn.execute("SELECT 1 FROM supervisor_approvals WHERE scope = ? AND value = ? LIMIT 1", (scope, value)).fetchone()
        for scope, value in keys
    )
