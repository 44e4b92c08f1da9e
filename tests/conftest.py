"""Fixtures shared by the whole suite: one loaded Whisper, synthesised calls."""

from __future__ import annotations

import pytest

from helpers import need_tool


@pytest.fixture(scope="session")
def whisper_asr():
    """The default bundled tiny.en model on CPU, loaded once for the session."""
    from callvault.transcribe.asr import AsrOptions, WhisperAsr

    return WhisperAsr(AsrOptions(device="cpu", cpu_threads=2))


@pytest.fixture(scope="session")
def demo_call(tmp_path_factory):
    """The demo script spoken by espeak-ng: agent on channel 0, customer on 1."""
    need_tool("espeak-ng")
    from callvault.synth import DEMO_SCRIPT, synthesise_call

    path = tmp_path_factory.mktemp("synth") / "demo-call.wav"
    placed = synthesise_call(DEMO_SCRIPT, path)
    return path, placed
