"""Which calls to look at: the filters `search` and `calls` share, as SQL over ``recordings r``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from callvault.catalog.incidents import open_incident_condition
from callvault.models.errors import CatalogError

SPEAKER_ROLES = ("agent", "customer")
INCIDENT_STATUS = "incident"


@dataclass(frozen=True)
class CallFilters:
    """Every field optional; set fields must all hold (AND)."""

    date_from: str | None = None  # call date, inclusive: YYYY-MM-DD or ISO 8601 date-time
    date_to: str | None = None  # inclusive; a bare date means the whole day
    agent: str | None = None
    direction: str | None = None
    entity: str | None = None  # calls with a finding of this entity, e.g. CALL_NUMBER
    event: str | None = None  # calls with a consent event of this type, e.g. APPROVAL_DENIED
    violation: str | None = None  # calls where this rule failed, e.g. R1
    status: str | None = None  # the recording's status, e.g. violations; "incident": in an open breach incident


@dataclass(frozen=True)
class SearchFilters(CallFilters):
    speaker: str | None = None  # role of the speaker of the matching turn: agent | customer


def _parse_moment(value: str, flag: str) -> date | datetime:
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value)
    except ValueError:
        raise CatalogError(
            f"{flag} {value!r} is not a date; use YYYY-MM-DD or an ISO 8601 date-time"
        ) from None


def call_conditions(filters: CallFilters) -> tuple[list[str], list[object]]:
    """SQL conditions over ``recordings r`` and their parameters."""
    where: list[str] = []
    params: list[object] = []
    # started_at is ISO 8601 text as given, so text order is date order.
    if filters.date_from:
        moment = _parse_moment(filters.date_from, "--from")
        where.append("r.started_at >= ?")
        params.append(moment.isoformat())
    if filters.date_to:
        moment = _parse_moment(filters.date_to, "--to")
        if isinstance(moment, datetime):
            where.append("r.started_at <= ?")
            params.append(moment.isoformat())
        else:
            where.append("r.started_at < ?")
            params.append((moment + timedelta(days=1)).isoformat())
    if filters.status == INCIDENT_STATUS:  # not a recording status: calls in an open breach incident
        condition, values = open_incident_condition()
        where.append(condition)
        params.extend(values)
    status = None if filters.status == INCIDENT_STATUS else filters.status
    for column, value in (("agent_id", filters.agent), ("direction", filters.direction), ("status", status)):
        if value:
            where.append(f"r.{column} = ?")
            params.append(value)
    if filters.entity:
        where.append("r.id IN (SELECT recording_id FROM findings WHERE entity = ?)")
        params.append(filters.entity)
    if filters.event:
        where.append("r.id IN (SELECT recording_id FROM events WHERE type = ?)")
        params.append(filters.event)
    if filters.violation:
        where.append("r.id IN (SELECT recording_id FROM rule_results WHERE rule = ? AND status = 'fail')")
        params.append(filters.violation)
    return where, params


def turn_conditions(filters: SearchFilters) -> tuple[list[str], list[object]]:
    """Conditions on the matching turn itself, over ``turns t``."""
    if not filters.speaker:
        return [], []
    if filters.speaker not in SPEAKER_ROLES:
        raise CatalogError(f"--speaker must be one of {', '.join(SPEAKER_ROLES)}, not {filters.speaker!r}")
    return ["t.role = ?"], [filters.speaker]
