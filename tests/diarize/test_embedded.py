"""The offline default on real recordings (resemblyzer + Silero VAD + whisper words)."""

import numpy as np
import pytest

from callvault.transcribe.diarize import Diarization, SpeakerSegment, attribute_words

pytestmark = pytest.mark.slow


def _der(reference, diarization) -> float:
    from pyannote.core import Annotation, Segment
    from pyannote.metrics.diarization import DiarizationErrorRate

    hypothesis = Annotation()
    for seg in diarization.segments:
        hypothesis[Segment(seg.span.start, seg.span.end)] = seg.speaker
    return DiarizationErrorRate(collar=0.0)(reference, hypothesis)


def test_telephone_call_beats_one_speaker_baseline(telephone, embedded):
    pytest.importorskip("pyannote.metrics", reason="DER needs pip install 'callvault[bench]'")
    audio, words, reference = telephone
    result = embedded.diarize(audio, 16000, words, num_speakers=2)
    baseline = Diarization(
        tuple(SpeakerSegment(r, "S0") for r in embedded.speech_regions(audio)), "one speaker on speech"
    )
    assert result.speakers == ("S0", "S1")
    assert _der(reference, result) <= 0.35 < _der(reference, baseline)
    # Two women on a 30 s call: the split is right but not confident, and says so.
    assert not result.confident and "similar" in result.info["note"]
    segments = result.segments
    assert all(a.span.end <= b.span.start for a, b in zip(segments, segments[1:])), "exclusive"


def test_without_metadata_similar_voices_stay_one_speaker(telephone, embedded):
    audio, words, _ = telephone
    result = embedded.diarize(audio, 16000, words)
    assert result.speakers == ("S0",) and not result.confident
    assert "could not be told apart" in result.info["note"]


def test_real_call_two_speakers_and_greeting_on_the_first(call_8k, embedded):
    audio, words = call_8k
    result = embedded.diarize(audio, 16000, words, num_speakers=2)
    assert result.speakers == ("S0", "S1") and result.confident
    attributed = attribute_words(words, result)
    greeting = [w for w in attributed if w.end <= 4.8]  # "Thank you for calling ... This is Travis."
    assert len(greeting) >= 8
    assert sum(w.speaker == "S0" for w in greeting) == len(greeting)
    customer = [w for w in attributed if 6.0 <= w.start <= 16.0]  # "Hello, my name is ..."
    assert sum(w.speaker == "S1" for w in customer) >= 0.8 * len(customer)


def test_real_call_without_metadata_estimates_two(call_8k, embedded):
    audio, words = call_8k
    assert embedded.diarize(audio, 16000, words).speakers == ("S0", "S1")


def test_silence_has_no_speakers(embedded):
    result = embedded.diarize(np.zeros(16000 * 3, dtype=np.float32), 16000, [], num_speakers=2)
    assert result.segments == () and not result.confident


def test_other_sample_rates_are_refused(embedded):
    with pytest.raises(ValueError, match="16000"):
        embedded.diarize(np.zeros(8000, dtype=np.float32), 8000, [])
