"""Builders for catalog tests: real records, real SQLite files in tmp dirs."""

from __future__ import annotations

import hashlib

import pytest

from callvault.catalog import Catalog
from helpers import T0, StepClock  # noqa: F401 (re-exported to the tests)
from callvault.models import (
    CallMetadata,
    ConsentEvent,
    Evidence,
    Explanation,
    Finding,
    Recording,
    RuleResult,
    SealedRef,
    Transcript,
    Turn,
    Word,
)

def make_transcript(recording_id: str, lines: list[tuple[str, str]], gap: float = 5.0) -> Transcript:
    """A transcript from (role, text) lines; each word 0.4 s, each turn ``gap`` s after the last."""
    turns, t = [], 0.0
    speakers = {"agent": "S0", "customer": "S1"}
    for role, text in lines:
        words = tuple(
            Word(t + 0.4 * i, t + 0.4 * i + 0.35, w, speaker=speakers[role]) for i, w in enumerate(text.split())
        )
        turns.append(Turn(speakers[role], role, words))
        t = words[-1].end + gap
    return Transcript(recording_id, tuple(turns), duration=t)


def make_recording(call_id: str, **meta) -> Recording:
    rid = hashlib.sha256(call_id.encode()).hexdigest()
    fields = {"call_id": call_id, "direction": "inbound", "started_at": "2025-03-04T10:00:00", "agent_id": "A1"}
    fields.update(meta)
    return Recording(rid, f"/archive/{call_id}.wav", CallMetadata(**fields), size=1000)


def finding(entity: str, start: float, category: str = "CPNI", role: str = "agent") -> Finding:
    return Finding(category, entity, 0, 0, start, start + 1.0, "S0" if role == "agent" else "S1", role, 0.9,
                   Explanation("test-recognizer", method="pattern", pattern=f"{entity.lower()}_pattern"))


def event(kind: str, start: float, role: str = "customer") -> ConsentEvent:
    return ConsentEvent(kind, "S1" if role == "customer" else "S0", role, start, start + 1.0, "no thank you",
                        (1,), 0.8, why="denial cue")


def rule(name: str, status: str) -> RuleResult:
    return RuleResult(name, status, title=f"rule {name}", reason="checked",
                      evidence=(Evidence(1.0, 2.0, "your last call was to [CALL_NUMBER]"),))


def sealed(recording_id: str, kind: str = "original") -> SealedRef:
    return SealedRef(recording_id, kind, "local:/vault", f"{recording_id}/{kind}", "k1", "ab" * 32, 123,
                     "2025-03-04T10:05:00Z", "2026-03-04T10:05:00Z")


def record(catalog: Catalog, call_id: str, lines: list[tuple[str, str]], *, findings=(), events=(), rules=(),
           objects=None, **meta) -> Recording:
    rec = make_recording(call_id, **meta)
    catalog.record_call(
        rec,
        make_transcript(rec.id, lines),
        processed_at="2025-03-04T11:00:00Z",
        findings=findings,
        events=events,
        rules=rules,
        objects=(sealed(rec.id),) if objects is None else objects,
        stages=[{"stage": "asr", "model": "tiny.en", "versions": {"faster_whisper": "1.1"}, "seconds": 2.5}],
        pipeline_version="0.1.0",
        call_dir=f"{call_id}__{rec.id[:12]}",
    )
    return rec


@pytest.fixture
def catalog(tmp_path):
    with Catalog.open(tmp_path / "catalog.db", clock=StepClock()) as cat:
        yield cat


@pytest.fixture
def build():
    """The builders above, for test modules (which cannot import conftest under importlib mode)."""
    import types

    return types.SimpleNamespace(
        transcript=make_transcript, recording=make_recording, finding=finding, event=event, rule=rule,
        sealed=sealed, record=record, clock=StepClock,
    )
