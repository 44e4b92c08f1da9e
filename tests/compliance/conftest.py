"""Fixtures for the compliance tests: labelled dialogues and call folders built from them."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from callvault.compliance import detect_events, events_to_dicts, rules_to_dicts, run_rules
from callvault.compliance.labelled import LabelledDialogue, load_dialogue, load_dialogues
from callvault.formats import transcript_to_dict
from callvault.fsutil import atomic_write_json
from callvault.layout import call_dir

DIALOGUES = Path(__file__).resolve().parents[1] / "data" / "dialogues"


@pytest.fixture(scope="session")
def dialogues() -> list[LabelledDialogue]:
    return load_dialogues(DIALOGUES)


@pytest.fixture(scope="session")
def dialogue():
    return lambda name: load_dialogue(DIALOGUES / f"{name}.json")


def write_tone_wav(path: Path, seconds: float, rate: int = 16000) -> None:
    """A quiet 440 Hz tone standing in for the redacted audio (only its timing matters)."""
    t = np.arange(int(seconds * rate)) / rate
    pcm = (0.2 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm.tobytes())


def build_call_folder(data_dir: Path, d: LabelledDialogue, started_at: str | None, processed_at: str = "2025-06-02T09:00:00+00:00") -> Path:
    """What the pipeline will write for a call, made here from a labelled dialogue."""
    events = detect_events(d.transcript, d.findings, d.metadata)
    results = run_rules(d.transcript, events, d.findings, d.metadata, context=d.context)
    folder = call_dir(data_dir, d.transcript.recording_id.ljust(12, "0"), d.name)
    folder.mkdir(parents=True, exist_ok=True)
    metadata = {**d.metadata.to_dict(), "started_at": started_at}
    atomic_write_json(folder / "transcript.json", transcript_to_dict(d.transcript, extra={"metadata": metadata, "processed_at": processed_at}))
    atomic_write_json(folder / "events.json", events_to_dicts(events))
    atomic_write_json(folder / "rules.json", rules_to_dicts(results))
    write_tone_wav(folder / "redacted.wav", d.transcript.duration + 1.0)
    return folder


@pytest.fixture
def make_call_folder():
    return build_call_folder
