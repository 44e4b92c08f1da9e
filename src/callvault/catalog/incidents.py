"""The CPNI breach incident register (47 CFR 64.2011): incidents, their calls, status changes.

An incident is opened, as a *candidate*, when a recorded call's R16 (likely
pretexting) fails; a later R16 failure on the same account joins the open
candidate or confirmed incident of that account instead. The officer then
confirms it (a reasonable determination: the clocks run from then) or
dismisses it; a confirmed one is reported and finally closed.

Every status change goes into the catalog's audit log with who and why. While
an incident is open each of its calls is under a legal hold the register
placed itself, so the retention sweep refuses to delete it (R17); when the
incident is dismissed or closed the hold is released and the call's stored
objects are kept at least two more years (the incident record, 64.2011(d)).
Incident rows are never deleted.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Sequence

from callvault.catalog.audit import AuditLog, canonical_json
from callvault.catalog.db import write_transaction
from callvault.clock import iso_utc, parse_iso
from callvault.models.errors import CatalogError

CANDIDATE, CONFIRMED, DISMISSED, REPORTED, CLOSED = "candidate", "confirmed", "dismissed", "reported", "closed"
STATUSES = (CANDIDATE, CONFIRMED, DISMISSED, REPORTED, CLOSED)
OPEN = (CANDIDATE, CONFIRMED, REPORTED)
# Which status may follow which; dismissed and closed are final.
TRANSITIONS = {
    CANDIDATE: (CONFIRMED, DISMISSED),
    CONFIRMED: (REPORTED, DISMISSED),
    REPORTED: (CLOSED,),
    DISMISSED: (),
    CLOSED: (),
}
TRIGGER_RULE = "R16"
RECORD_YEARS = 2  # 64.2011(d): keep breach records at least two years [U]
METHOD = "pretexting: call detail or CPNI disclosed by phone to a caller who was not authenticated"

@dataclass(frozen=True)
class IncidentCall:
    recording_id: str
    call_id: str | None
    account_id: str | None
    started_at: str | None
    reason: str
    evidence: tuple[dict, ...]
    data_types: tuple[str, ...]
    hold_id: int | None
    added_at: str


@dataclass(frozen=True)
class StatusChange:
    at: str
    actor: str
    action: str
    reason: str
    details: dict


@dataclass(frozen=True)
class Incident:
    id: int
    status: str
    discovered_at: str
    determined_at: str | None
    agencies_notified_at: str | None
    closed_at: str | None
    harm_likely: bool
    agency_delay_until: str | None
    agency_allows_early: bool
    estimated_loss: str
    description: str
    method: str
    updated_at: str
    calls: tuple[IncidentCall, ...] = ()
    history: tuple[StatusChange, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def accounts(self) -> tuple[str, ...]:
        return tuple(sorted({c.account_id for c in self.calls if c.account_id}))

    @property
    def customers(self) -> int:
        """Affected customers: distinct accounts, and each call with no account id as one more."""
        return len(self.accounts) + sum(1 for c in self.calls if not c.account_id)

    @property
    def data_types(self) -> tuple[str, ...]:
        from callvault.compliance.breach.datatypes import COVERED_PII

        labels = {t for c in self.calls for t in c.data_types}
        pii = set(COVERED_PII.values())
        return tuple(sorted(labels, key=lambda t: (t in pii, t)))

    @property
    def date_range(self) -> tuple[str | None, str | None]:
        """First and last start time of its calls (ISO 8601 as given), for the notice's date range."""
        times = sorted(c.started_at for c in self.calls if c.started_at)
        return (times[0], times[-1]) if times else (None, None)

    def facts(self):
        """The clock facts (``callvault.compliance.breach.IncidentFacts``) of this incident."""
        from callvault.compliance.breach.deadlines import IncidentFacts

        return IncidentFacts(
            discovered_at=parse_iso(self.discovered_at),
            determined_at=parse_iso(self.determined_at),
            agencies_notified_at=parse_iso(self.agencies_notified_at),
            customers=self.customers,
            harm_likely=self.harm_likely,
            agency_delay_until=date.fromisoformat(self.agency_delay_until) if self.agency_delay_until else None,
            agency_allows_early=self.agency_allows_early,
        )


# -- opening from the record step (inside its transaction) -----------------------------


def open_for_call(conn: sqlite3.Connection, audit: AuditLog, recording: Any, rules: Sequence[Any],
                  findings: Sequence[Any], discovered_at: str, actor: str) -> int | None:
    """When the call's R16 failed: add it to its account's open incident or open a candidate.

    Runs inside ``record_call``'s transaction, so the call, its incident and
    its hold are written together or not at all. Returns the incident id, or
    None when R16 did not fail. A call already in an open incident (a rerun)
    is left where it is.
    """
    from callvault.compliance.breach.datatypes import disclosed_types

    failed = next((r for r in rules if r.rule == TRIGGER_RULE and r.status == "fail"), None)
    if failed is None:
        return None
    rid, meta = recording.id, recording.metadata
    known = conn.execute(
        f"SELECT i.id FROM incident_calls c JOIN incidents i ON i.id = c.incident_id "
        f"WHERE c.recording_id = ? AND i.status IN ({_marks(OPEN)})", (rid, *OPEN),
    ).fetchone()
    if known:
        return known[0]
    moment = parse_iso(discovered_at)
    if moment is None:
        raise CatalogError(f"recording {rid[:12]}: processed_at {discovered_at!r} is not ISO 8601; it dates the incident")
    stamp = iso_utc(moment)
    account_key = meta.account_id or f"call:{rid}"
    row = conn.execute(
        "SELECT id FROM incidents WHERE account_key = ? AND status IN (?, ?) ORDER BY id DESC LIMIT 1",
        (account_key, CANDIDATE, CONFIRMED),
    ).fetchone()
    if row:
        incident_id = row[0]
        conn.execute("UPDATE incidents SET updated_at = ? WHERE id = ?", (stamp, incident_id))
    else:
        incident_id = conn.execute(
            "INSERT INTO incidents (status, account_key, discovered_at, method, description, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            (CANDIDATE, account_key, stamp, METHOD, failed.reason, stamp),
        ).lastrowid
        audit.append("incident.open", actor, rid, failed.reason, {"incident": incident_id, "to": CANDIDATE, "rule": TRIGGER_RULE})
    hold_id = _place_hold(conn, audit, rid, incident_id, actor, stamp)
    carrier = [f.entity for f in findings if f.role in ("agent", "ivr")]
    conn.execute(
        "INSERT INTO incident_calls (incident_id, recording_id, call_id, account_id, started_at, reason, evidence, "
        "data_types, hold_id, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (incident_id, rid, meta.call_id, meta.account_id, meta.started_at, failed.reason,
         canonical_json([_evidence(e) for e in failed.evidence]), canonical_json(disclosed_types(carrier)), hold_id, stamp),
    )
    audit.append("incident.add_call", actor, rid, "R16 failed on this call", {"incident": incident_id, "hold": hold_id})
    return incident_id


def _evidence(e: Any) -> dict:
    return {"start": e.start, "end": e.end, "quote": e.quote, "note": e.note}


def _place_hold(conn: sqlite3.Connection, audit: AuditLog, rid: str, incident_id: int, actor: str, stamp: str) -> int:
    reason = f"breach incident #{incident_id} open (47 CFR 64.2011); released when it is dismissed or closed"
    hold_id = conn.execute(
        "INSERT INTO holds (scope, value, reason, actor, created_at) VALUES ('call', ?, ?, ?, ?)",
        (rid, reason, actor, stamp),
    ).lastrowid
    audit.append("hold.place", actor, rid, reason, {"hold": hold_id, "scope": "call", "value": rid, "incident": incident_id})
    return hold_id


# -- officer actions ------------------------------------------------------------------


def change_status(conn: sqlite3.Connection, audit: AuditLog, incident_id: int, to: str, actor: str, reason: str,
                  now: datetime, **fields: Any) -> Incident:
    """Move an incident to ``to`` (audited with ``actor`` and ``reason``), setting ``fields`` with it.

    ``fields`` may be determined_at, agencies_notified_at (datetimes),
    harm_likely, agency_allows_early (bools), agency_delay_until (a date),
    estimated_loss, description (text). Dismissing or closing releases the
    incident's holds and keeps its calls' objects two more years.
    """
    if not reason or not reason.strip():
        raise CatalogError(f"say why incident #{incident_id} becomes {to} (--reason)")
    with write_transaction(conn):
        current = _status(conn, incident_id)
        if to not in TRANSITIONS[current]:
            allowed = ", ".join(TRANSITIONS[current]) or "nothing (it is final)"
            raise CatalogError(f"incident #{incident_id} is {current}; it can become {allowed}, not {to}")
        stamp = iso_utc(now)
        values = {"status": to, "updated_at": stamp, **_columns(fields)}
        if to == CONFIRMED:
            values.setdefault("determined_at", stamp)
        if to == REPORTED:
            values.setdefault("agencies_notified_at", stamp)
        if to in (DISMISSED, CLOSED):
            values["closed_at"] = stamp
        _update(conn, incident_id, values)
        audit.append(f"incident.{to}", actor, None, reason, {"incident": incident_id, "from": current, "to": to,
                                                             **{k: v for k, v in values.items() if k not in ("status", "updated_at")}})
        if to in (DISMISSED, CLOSED):
            _release(conn, audit, incident_id, actor, now)
    return get_incident(conn, incident_id)


def amend(conn: sqlite3.Connection, audit: AuditLog, incident_id: int, actor: str, reason: str, now: datetime, **fields: Any) -> Incident:
    """Change an open incident's facts (an agency's instruction, harm, loss) without changing its status."""
    if not reason or not reason.strip():
        raise CatalogError(f"say why incident #{incident_id} changes (--reason)")
    with write_transaction(conn):
        if _status(conn, incident_id) not in OPEN:
            raise CatalogError(f"incident #{incident_id} is no longer open; its record is final")
        values = {"updated_at": iso_utc(now), **_columns(fields)}
        _update(conn, incident_id, values)
        audit.append("incident.amend", actor, None, reason, {"incident": incident_id, **{k: v for k, v in values.items() if k != "updated_at"}})
    return get_incident(conn, incident_id)


_SETTABLE = ("determined_at", "agencies_notified_at", "harm_likely", "agency_allows_early", "agency_delay_until", "estimated_loss", "description")


def _columns(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(_SETTABLE))
    if unknown:
        raise CatalogError(f"an incident has no field(s) {', '.join(unknown)}; settable: {', '.join(_SETTABLE)}")
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if value is None:
            continue
        if isinstance(value, datetime):
            value = iso_utc(value)
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, bool):
            value = int(value)
        out[key] = value
    return out


def _update(conn: sqlite3.Connection, incident_id: int, values: dict[str, Any]) -> None:
    assignments = ", ".join(f"{k} = ?" for k in values)  # keys come from _SETTABLE and this module only
    conn.execute(f"UPDATE incidents SET {assignments} WHERE id = ?", (*values.values(), incident_id))


def _status(conn: sqlite3.Connection, incident_id: int) -> str:
    row = conn.execute("SELECT status FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    if row is None:
        raise CatalogError(f"no incident #{incident_id}; `callvault incidents list` shows them")
    return row[0]


def _release(conn: sqlite3.Connection, audit: AuditLog, incident_id: int, actor: str, now: datetime) -> None:
    """Lift the incident's own holds; keep each call's objects until two years from now at least."""
    stamp = iso_utc(now)
    keep_until = iso_utc(_years_later(now, RECORD_YEARS))
    for rid, hold_id in conn.execute("SELECT recording_id, hold_id FROM incident_calls WHERE incident_id = ?", (incident_id,)).fetchall():
        reason = f"breach incident #{incident_id} no longer open"
        if hold_id is not None and conn.execute(
            "UPDATE holds SET released_at = ?, released_by = ?, release_reason = ? WHERE id = ? AND released_at IS NULL",
            (stamp, actor, reason, hold_id),
        ).rowcount:
            audit.append("hold.release", actor, rid, reason, {"hold": hold_id, "incident": incident_id})
        # The expiry recorded for an object is a floor the sweep never cuts short (retention.expiry).
        kept = conn.execute(
            "UPDATE objects SET expires_at = ? WHERE recording_id = ? AND purged_at IS NULL "
            "AND expires_at IS NOT NULL AND expires_at < ?", (keep_until, rid, keep_until),
        ).rowcount
        if kept:
            audit.append("retention.extend", actor, rid, f"breach incident #{incident_id} records kept {RECORD_YEARS} years (64.2011)",
                         {"incident": incident_id, "objects": kept, "expires_at": keep_until})


def _years_later(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28) + timedelta(days=1)


# -- reading ----------------------------------------------------------------------------


def list_incidents(conn: sqlite3.Connection, status: str | None = None) -> list[Incident]:
    if status is not None and status not in (*STATUSES, "open"):
        raise CatalogError(f"an incident's status is one of {', '.join(STATUSES)} (or open), not {status!r}")
    wanted = OPEN if status == "open" else (status,) if status else STATUSES
    rows = conn.execute(f"SELECT id FROM incidents WHERE status IN ({_marks(wanted)}) ORDER BY id", wanted).fetchall()
    return [get_incident(conn, row[0]) for row in rows]


def get_incident(conn: sqlite3.Connection, incident_id: int) -> Incident:
    row = conn.execute("SELECT * FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    if row is None:
        raise CatalogError(f"no incident #{incident_id}; `callvault incidents list` shows them")
    calls = tuple(
        IncidentCall(c["recording_id"], c["call_id"], c["account_id"], c["started_at"], c["reason"],
                     tuple(json.loads(c["evidence"])), tuple(json.loads(c["data_types"])), c["hold_id"], c["added_at"])
        for c in conn.execute("SELECT * FROM incident_calls WHERE incident_id = ? ORDER BY added_at, recording_id", (incident_id,))
    )
    history = tuple(
        StatusChange(a["at"], a["actor"], a["action"], a["reason"], json.loads(a["details"]))
        for a in conn.execute(
            "SELECT at, actor, action, reason, details FROM audit WHERE action LIKE 'incident.%' "
            "AND json_extract(details, '$.incident') = ? ORDER BY seq", (incident_id,),
        )
    )
    return Incident(
        id=row["id"], status=row["status"], discovered_at=row["discovered_at"], determined_at=row["determined_at"],
        agencies_notified_at=row["agencies_notified_at"], closed_at=row["closed_at"], harm_likely=bool(row["harm_likely"]),
        agency_delay_until=row["agency_delay_until"], agency_allows_early=bool(row["agency_allows_early"]),
        estimated_loss=row["estimated_loss"], description=row["description"], method=row["method"],
        updated_at=row["updated_at"], calls=calls, history=history,
    )


def refuse_release_of_incident_hold(conn: sqlite3.Connection, hold_id: int) -> None:
    """A hold the register placed lasts as long as its incident is open (R17); refuse releasing it by hand."""
    row = conn.execute(
        f"SELECT i.id FROM incident_calls c JOIN incidents i ON i.id = c.incident_id WHERE c.hold_id = ? AND i.status IN ({_marks(OPEN)})",
        (hold_id, *OPEN),
    ).fetchone()
    if row:
        raise CatalogError(
            f"legal hold {hold_id} keeps a call of open breach incident #{row[0]}; it is released when the incident is "
            f"dismissed or closed (`callvault incidents dismiss|close {row[0]}`)"
        )


def open_incident_condition() -> tuple[str, tuple[str, ...]]:
    """SQL over ``recordings r`` for calls in an open incident (``calls --status incident``)."""
    return (
        f"r.id IN (SELECT c.recording_id FROM incident_calls c JOIN incidents i ON i.id = c.incident_id "
        f"WHERE i.status IN ({_marks(OPEN)}))",
        OPEN,
    )


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))
