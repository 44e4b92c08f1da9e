"""A processed call's compliance record, read from the catalog (the one source of truth).

``read_call`` and ``scan_calls`` are all `consent` and `report` use; the web
app can use them the same way. The call folder is consulted for one thing
only: the redacted audio, for evidence clips.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from callvault.compliance.rules import verdict
from callvault.compliance.serialize import rules_from_dicts
from callvault.layout import CALLS
from callvault.models.compliance import ConsentEvent, RuleResult

AUDIO_FILE = "redacted.wav"


@dataclass(frozen=True)
class CallRecord:
    folder: Path  # DATA_DIR/calls/<call_dir>: where the redacted audio is
    name: str
    recording_id: str
    call_id: str | None
    day: date | None  # the call's date: metadata started_at, else processed_at
    started_at: str | None
    direction: str | None
    customer_states: tuple[str, ...]
    turn_spans: tuple[tuple[float, float], ...]  # (start, end) of each turn, by index
    events: tuple[ConsentEvent, ...]
    rules: tuple[RuleResult, ...]
    status: str = ""  # the catalog's: a verdict, or "purged"

    @property
    def verdict(self) -> str:
        return verdict(self.rules)

    @property
    def audio(self) -> Path:
        return self.folder / AUDIO_FILE


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None


def call_record(catalog, recording_id: str, data_dir: str | Path) -> CallRecord:
    """The compliance record of one catalogued recording."""
    from callvault.catalog.calls import call_detail

    detail = call_detail(catalog.conn, recording_id)
    meta, summary = detail.metadata, detail.summary
    return CallRecord(
        folder=Path(data_dir) / CALLS / detail.call_dir,
        name=detail.call_dir or recording_id[:12],
        recording_id=recording_id,
        call_id=summary.call_id,
        day=_day(summary.started_at) or _day(summary.processed_at),
        started_at=summary.started_at,
        direction=summary.direction,
        customer_states=tuple(meta.get("customer_states") or ()),
        turn_spans=tuple((t.start, t.end) for t in detail.turns),
        events=tuple(ConsentEvent(**dataclasses.asdict(e)) for e in detail.events),
        rules=tuple(rules_from_dicts([dataclasses.asdict(r) for r in detail.rules], "the catalog")),
        status=summary.status,
    )


def read_call(catalog, call: str, data_dir: str | Path) -> CallRecord:
    """CALL (call id, folder name, recording id or its prefix) as the catalog holds it."""
    return call_record(catalog, catalog.resolve(call), data_dir)


def scan_calls(catalog, start: date, end: date, data_dir: str | Path) -> list[CallRecord]:
    """Every catalogued call dated within [start, end], oldest first."""
    calls = [call_record(catalog, rid, data_dir) for rid in catalog.calls_dated(start.isoformat(), end.isoformat())]
    return sorted(calls, key=lambda c: (c.day or start, c.started_at or "", c.name))
