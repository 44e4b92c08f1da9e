"""Reading a processed call's compliance outputs from its folder.

One small seam: ``read_call`` and ``scan_calls`` are all the CLI uses, so the
catalog can later answer the same questions from SQLite without touching the
commands or the report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from callvault.compliance.rules import verdict
from callvault.compliance.serialize import events_from_dicts, rules_from_dicts
from callvault.formats import transcript_from_dict
from callvault.layout import CALLS
from callvault.models.compliance import ConsentEvent, RuleResult
from callvault.models.errors import InputError
from callvault.models.transcript import Transcript

EVENTS_FILE, RULES_FILE, TRANSCRIPT_FILE, AUDIO_FILE = "events.json", "rules.json", "transcript.json", "redacted.wav"


@dataclass(frozen=True)
class CallRecord:
    folder: Path
    name: str
    recording_id: str
    call_id: str | None
    day: date | None  # the call's date: metadata started_at, else processed_at
    started_at: str | None
    direction: str | None
    customer_states: tuple[str, ...]
    transcript: Transcript
    events: tuple[ConsentEvent, ...]
    rules: tuple[RuleResult, ...]

    @property
    def verdict(self) -> str:
        return verdict(self.rules)

    @property
    def audio(self) -> Path:
        return self.folder / AUDIO_FILE


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "missing; this call has no compliance outputs yet: run `callvault process` on it again") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, f"unreadable ({exc}); re-run `callvault process` for this call") from None


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


def read_call(folder: str | Path) -> CallRecord:
    folder = Path(folder)
    doc = _json(folder / TRANSCRIPT_FILE)
    transcript = transcript_from_dict(doc, str(folder / TRANSCRIPT_FILE))
    meta = doc.get("metadata") or {}
    started = meta.get("started_at")
    return CallRecord(
        folder=folder,
        name=folder.name,
        recording_id=transcript.recording_id,
        call_id=meta.get("call_id"),
        day=_day(started) or _day(doc.get("processed_at")),
        started_at=started,
        direction=meta.get("direction"),
        customer_states=tuple(meta.get("customer_states") or ()),
        transcript=transcript,
        events=tuple(events_from_dicts(_json(folder / EVENTS_FILE), str(folder / EVENTS_FILE))),
        rules=tuple(rules_from_dicts(_json(folder / RULES_FILE), str(folder / RULES_FILE))),
    )


def _call_folders(data_dir: Path) -> Iterator[Path]:
    root = data_dir / CALLS
    if root.is_dir():
        yield from sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / RULES_FILE).exists())


def scan_calls(data_dir: str | Path, start: date, end: date) -> list[CallRecord]:
    """Every processed call dated within [start, end], oldest first."""
    calls = []
    for folder in _call_folders(Path(data_dir)):
        call = read_call(folder)
        if call.day is not None and start <= call.day <= end:
            calls.append(call)
    return sorted(calls, key=lambda c: (c.day, c.started_at or "", c.name))
