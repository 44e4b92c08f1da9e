"""Breach fixtures: the pretexting dialogues, and an archive (real catalog + real local vault)
whose calls are analysed by the real event detector and rules before they are recorded."""

from __future__ import annotations

import hashlib
import io
import types
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from callvault.catalog import Catalog
from callvault.compliance import detect_events, run_rules
from callvault.compliance.labelled import LabelledDialogue, load_dialogue, load_dialogues
from callvault.config import AppConfig
from callvault.models import CallMetadata, Recording
from callvault.redact import redact_transcript
from callvault.retention import CallFacts, default_policy, expiry_for
from helpers import Clock

DIALOGUES = Path(__file__).resolve().parents[1] / "data" / "pretexting"
T0 = datetime(2026, 11, 20, 15, 0, tzinfo=timezone.utc)  # a Friday


def analyse(d: LabelledDialogue):
    events = detect_events(d.transcript, d.findings, d.metadata)
    return events, run_rules(d.transcript, events, d.findings, d.metadata, context=d.context)


class Archive:
    """A data folder with a real catalog and a real local vault on one clock."""

    def __init__(self, data_dir: Path, clock: Clock):
        from callvault.vault import open_vault

        self.data_dir, self.clock = data_dir, clock
        self.vault = open_vault(AppConfig(data_dir=data_dir, tables={"vault": {}}), clock=clock)
        self.catalog = Catalog.in_data_dir(data_dir, clock=clock)
        self.policy = default_policy()

    def store(self, name: str, call_id: str, account: str | None = None) -> Recording:
        """The dialogue ``name`` stored and recorded as the pipeline does: sealed objects, then the catalog row."""
        d = load_dialogue(DIALOGUES / f"{name}.json")
        rid = hashlib.sha256(call_id.encode()).hexdigest()
        meta = replace(d.metadata, call_id=call_id, account_id=account, started_at=self.clock().isoformat())
        events, rules = analyse(d)
        facts = CallFacts.of(meta, events, rules)
        refs = [
            self.vault.seal_and_put(rid, kind, io.BytesIO(f"{kind} of {call_id}".encode() * 40),
                                    expires_at=expiry_for(self.policy, facts, kind, stored_at=self.clock()))
            for kind in ("original", "redacted_transcript")
        ]
        transcript = replace(d.transcript, recording_id=rid)
        self.catalog.record_call(
            Recording(rid, f"/in/{call_id}.wav", meta, size=100), redact_transcript(transcript, d.findings),
            processed_at=self.clock().isoformat(), findings=d.findings, events=events, rules=rules, objects=refs,
        )
        return Recording(rid, f"/in/{call_id}.wav", meta, size=100)

    def close(self) -> None:
        self.catalog.close()
        self.vault.close()


@pytest.fixture(scope="session")
def dialogues() -> list[LabelledDialogue]:
    return load_dialogues(DIALOGUES)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def archive(tmp_path, clock):
    arch = Archive(tmp_path / "data", clock)
    yield arch
    arch.close()


@pytest.fixture
def kit():
    """Helpers for test modules (which cannot import conftest under importlib mode)."""
    return types.SimpleNamespace(Clock=Clock, T0=T0, analyse=analyse, DIALOGUES=DIALOGUES, load_dialogue=load_dialogue)
