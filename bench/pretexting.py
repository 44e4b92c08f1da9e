"""R16 (likely pretexting) agreement with the labels of the shared dialogues.

Reads ../shared/data/dialogues/*.json (the writers' format: ``entities``,
``events[].event``), runs the real event detector over the gold entities and
then every rule, and prints, for each dialogue with an R16 label, the label,
R16's result, R1/R3 and the identity signals found; then the agreement. It
also prints how often R16 fails on calls whose R1 or R3 failed without an R16
label (the candidates an officer would see there).

    .venv/bin/python bench/pretexting.py [--dialogues ../shared/data/dialogues]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from callvault.compliance import detect_events, run_rules
from callvault.compliance.labelled import dialogue_from_dict
from callvault.compliance.pretexting import grammar, identity_signals

ROOT = Path(__file__).resolve().parents[1]


def writers_format(doc: dict, name: str):
    """A shared dialogue as the project's labelled-dialogue record."""
    converted = {
        "description": doc.get("description", ""),
        "metadata": {"direction": doc.get("direction"), "customer_states": doc.get("customer_states", [])},
        "turns": doc["turns"],
        "findings": [{"turn": e["turn"], "text": e["text"], "entity": e["entity"]} for e in doc.get("entities", [])],
        "events": [{"type": e["event"], "turn": e["turn"]} for e in doc.get("events", [])],
        "rules": doc.get("rules", {}),
    }
    return dialogue_from_dict(converted, name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dialogues", default=str(ROOT.parent / "shared" / "data" / "dialogues"))
    args = parser.parse_args()
    labelled = agree = unlabelled_gate = unlabelled_fail = 0
    began = time.perf_counter()
    grammar()  # built once per process (spaCy's blank English tokenizer + the Matchers)
    built = time.perf_counter() - began
    spent, calls = 0.0, 0
    for path in sorted(Path(args.dialogues).glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        d = writers_format(doc, path.stem)
        events = detect_events(d.transcript, d.findings, d.metadata)
        results = {r.rule: r for r in run_rules(d.transcript, events, d.findings, d.metadata, context=d.context)}
        tick = time.perf_counter()
        identity_signals(rule_call(d, events))
        spent, calls = spent + time.perf_counter() - tick, calls + 1
        r16 = results["R16"]
        gate = results["R1"].status == "fail" or results["R3"].status == "fail"
        if "R16" not in d.rules:
            unlabelled_gate += gate
            unlabelled_fail += r16.status == "fail"
            continue
        labelled += 1
        ok = r16.status == d.rules["R16"]
        agree += ok
        notes = [e.note for e in r16.evidence if e.note.startswith("identity")]
        print(f"{path.stem}: label {d.rules['R16']:<5} R16 {r16.status:<5} R1 {results['R1'].status:<5} "
              f"R3 {results['R3'].status:<5} {'ok' if ok else 'MISS'}  {'; '.join(notes)[:140]}")
    print(f"\nR16 agreement: {agree}/{labelled} = {agree / max(1, labelled):.2f} on labelled dialogues")
    print(f"unlabelled dialogues with R1 or R3 failed: {unlabelled_gate}; R16 fails on {unlabelled_fail} of them")
    print(f"grammar built in {built:.2f} s; identity signals {1000 * spent / max(1, calls):.2f} ms per call ({calls} calls)")


def rule_call(d, events):
    from callvault.compliance.context import RuleContext
    from callvault.compliance.options import ComplianceOptions
    from callvault.compliance.rules import Call

    return Call(d.transcript, tuple(events), d.findings, d.metadata, ComplianceOptions(), RuleContext(),
                d.transcript.text, tuple(d.transcript.turn_offsets()))


if __name__ == "__main__":
    main()
