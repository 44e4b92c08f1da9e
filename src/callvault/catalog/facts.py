"""Numbers of record and supervisor-approval records: the catalog side of rules R5 and R9.

Written by whoever owns those records (``callvault records``: an admin, a CRM
export), read by ``callvault.compliance.facts.rule_context`` while a call is
processed. A number is stored as digits; everything shown or audited carries
only its last four (``mask_number``).
"""

from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from callvault.catalog.audit import AuditLog
from callvault.catalog.db import write_transaction
from callvault.clock import iso_utc, parse_iso
from callvault.models.errors import CatalogError

APPROVAL_SCOPES = ("call", "campaign")
IMPORT_COLUMNS = ("kind", "account_id", "number", "scope", "value", "supervisor", "approved_at")
_MAX_REPORTED = 10  # bad rows named in one import error


@dataclass(frozen=True)
class NumberOfRecord:
    account_id: str
    number: str  # digits only, last ten
    added_at: str

    @property
    def masked(self) -> str:
        return mask_number(self.number)


@dataclass(frozen=True)
class SupervisorApproval:
    scope: str  # call | campaign
    value: str  # the call id or campaign id it approves
    supervisor: str
    approved_at: str
    id: int | None = None


@dataclass(frozen=True)
class FactsBatch:
    """What one import file holds, every row already checked."""

    numbers: tuple[NumberOfRecord, ...]
    approvals: tuple[SupervisorApproval, ...]


def mask_number(number: str) -> str:
    """``***-***-4567``: the only form of a number of record that is shown or audited."""
    return "***-***-" + "".join(ch for ch in number if ch.isdigit())[-4:]


def _digits(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())[-10:]
    if len(digits) < 7:  # the value itself stays out of the message
        raise CatalogError(f"a number of record needs at least 7 digits, this one has {len(digits)}")
    return digits


def _required(value: str | None, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise CatalogError(f"{what} is empty")
    return value


def _number(account_id: str, number: str, at: str) -> NumberOfRecord:
    return NumberOfRecord(_required(account_id, "the account id"), _digits(number), at)


def _approval(scope: str, value: str, supervisor: str, at: str) -> SupervisorApproval:
    scope = (scope or "").strip().lower()
    if scope not in APPROVAL_SCOPES:
        raise CatalogError(f"approval scope {scope!r}: use one of {', '.join(APPROVAL_SCOPES)}")
    moment = parse_iso((at or "").strip())
    if moment is None:
        raise CatalogError("approved_at must be an ISO 8601 date or date-time")
    return SupervisorApproval(scope, _required(value, f"the {scope} id"), _required(supervisor, "the supervisor"), iso_utc(moment))


def _insert_number(conn: sqlite3.Connection, entry: NumberOfRecord) -> bool:
    return conn.execute(
        "INSERT OR IGNORE INTO numbers_of_record (account_id, number, added_at) VALUES (?, ?, ?)",
        (entry.account_id, entry.number, entry.added_at),
    ).rowcount == 1


def _insert_approval(conn: sqlite3.Connection, entry: SupervisorApproval) -> bool:
    """False when the very same record is already there (an export imported twice)."""
    return conn.execute(
        "INSERT INTO supervisor_approvals (scope, value, supervisor, approved_at) SELECT ?, ?, ?, ? WHERE NOT EXISTS "
        "(SELECT 1 FROM supervisor_approvals WHERE scope = ? AND value = ? AND supervisor = ? AND approved_at = ?)",
        (entry.scope, entry.value, entry.supervisor, entry.approved_at) * 2,
    ).rowcount == 1


def _audited(conn: sqlite3.Connection, audit: AuditLog | None, actor: str | None, action: str, details: dict, write) -> bool:
    """Run ``write`` and its audit entry in one transaction (no entry when seeding without an audit log)."""
    with write_transaction(conn):
        changed = write()
        if audit is not None:
            audit.append(action, actor or "unknown", None, "", {**details, "changed": bool(changed)})
    if audit is not None:
        audit.anchor()
    return changed


def add_number_of_record(conn: sqlite3.Connection, account_id: str, number: str, at: str, *,
                         audit: AuditLog | None = None, actor: str | None = None) -> bool:
    """Record a number of record; False when the account had it already."""
    entry = _number(account_id, number, at)
    return _audited(conn, audit, actor, "records.number.add", {"account": entry.account_id, "number": entry.masked},
                    lambda: _insert_number(conn, entry))


def remove_number_of_record(conn: sqlite3.Connection, account_id: str, number: str, *,
                            audit: AuditLog | None = None, actor: str | None = None) -> None:
    entry = _number(account_id, number, "")

    def delete() -> bool:
        if not conn.execute("DELETE FROM numbers_of_record WHERE account_id = ? AND number = ?",
                            (entry.account_id, entry.number)).rowcount:
            raise CatalogError(f"account {entry.account_id} has no number of record ending {entry.number[-4:]}; "
                               "list the account's numbers to check")
        return True

    _audited(conn, audit, actor, "records.number.remove", {"account": entry.account_id, "number": entry.masked}, delete)


def numbers_of_record(conn: sqlite3.Connection, account_id: str) -> tuple[str, ...]:
    return tuple(r[0] for r in conn.execute("SELECT number FROM numbers_of_record WHERE account_id = ? ORDER BY number", (account_id,)))


def list_numbers_of_record(conn: sqlite3.Connection, account_id: str | None = None) -> list[NumberOfRecord]:
    """Every number of record (of one account when given), by account then number."""
    where, args = (" WHERE account_id = ?", (account_id,)) if account_id else ("", ())
    rows = conn.execute(f"SELECT account_id, number, added_at FROM numbers_of_record{where} ORDER BY account_id, number", args)
    return [NumberOfRecord(*row) for row in rows]


def add_supervisor_approval(conn: sqlite3.Connection, scope: str, value: str, supervisor: str, at: str, *,
                            audit: AuditLog | None = None, actor: str | None = None) -> bool:
    """Record a supervisor's approval of an outbound request; False when the same record exists."""
    entry = _approval(scope, value, supervisor, at)
    details = {"scope": entry.scope, "value": entry.value, "supervisor": entry.supervisor, "approved_at": entry.approved_at}
    return _audited(conn, audit, actor, "records.approval.add", details, lambda: _insert_approval(conn, entry))


def list_supervisor_approvals(conn: sqlite3.Connection) -> list[SupervisorApproval]:
    rows = conn.execute("SELECT scope, value, supervisor, approved_at, id FROM supervisor_approvals ORDER BY approved_at, id")
    return [SupervisorApproval(*row) for row in rows]


def supervisor_approved(conn: sqlite3.Connection, call_id: str | None, campaign_id: str | None) -> bool:
    """A record approves this outbound call, by its call id or its campaign."""
    keys = [("call", call_id), ("campaign", campaign_id)]
    return any(
        value and conn.execute("SELECT 1 FROM supervisor_approvals WHERE scope = ? AND value = ? LIMIT 1", (scope, value)).fetchone()
        for scope, value in keys
    )


# -- bulk import (a CRM export) --------------------------------------------------------


def parse_facts_csv(text: str, source: str | Path, at: str) -> FactsBatch:
    """The rows of an import CSV (columns IMPORT_COLUMNS); every bad row is named by file and line.

    ``at`` stamps the numbers' ``added_at``. One bad row and nothing is
    returned: a half-loaded export would pass or fail calls on chance.
    """
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in reader.fieldnames or ()]
    if "kind" not in header:
        raise CatalogError(f"{source}: no header row with a kind column; the columns are {', '.join(IMPORT_COLUMNS)}")
    unknown = [name for name in header if name not in IMPORT_COLUMNS]
    if unknown:
        raise CatalogError(f"{source}: unknown column(s) {', '.join(unknown)}; the columns are {', '.join(IMPORT_COLUMNS)}")
    reader.fieldnames = header
    numbers, approvals, problems = [], [], []
    for row in reader:
        try:
            if None in row:
                raise CatalogError("more cells than columns")
            kind = (row.get("kind") or "").strip().lower()
            if kind == "number":
                numbers.append(_number(row.get("account_id") or "", row.get("number") or "", at))
            elif kind == "approval":
                approvals.append(_approval(row.get("scope") or "", row.get("value") or "", row.get("supervisor") or "",
                                           row.get("approved_at") or ""))
            else:
                raise CatalogError(f"kind {kind!r}: use number or approval")
        except CatalogError as exc:
            problems.append(f"{source} line {reader.line_num}: {exc}")
    if problems:
        more = f"\n... and {len(problems) - _MAX_REPORTED} more bad rows" if len(problems) > _MAX_REPORTED else ""
        raise CatalogError("\n".join(problems[:_MAX_REPORTED]) + more + f"\nnothing was imported from {source}; fix the rows and import it again")
    if not numbers and not approvals:
        raise CatalogError(f"{source}: no rows to import")
    return FactsBatch(tuple(numbers), tuple(approvals))


def import_facts(conn: sqlite3.Connection, audit: AuditLog, batch: FactsBatch, source: str, actor: str) -> tuple[int, int]:
    """Write a batch in one transaction with one audit entry; (numbers, approvals) newly added."""
    with write_transaction(conn):
        added_numbers = sum(_insert_number(conn, entry) for entry in batch.numbers)
        added_approvals = sum(_insert_approval(conn, entry) for entry in batch.approvals)
        audit.append("records.import", actor, None, "", {
            "file": Path(source).name, "rows": len(batch.numbers) + len(batch.approvals),
            "numbers_added": added_numbers, "approvals_added": added_approvals,
        })
    audit.anchor()
    return added_numbers, added_approvals
