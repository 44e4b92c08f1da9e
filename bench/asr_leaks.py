"""The audio path: shared card-payment and call-detail dialogues spoken, run through `callvault process`, leak-checked.

    python bench/detect.py --calls 0 --asr 8

A sample of ../shared/data/dialogues (half with card data, half with call
detail) is rendered to stereo calls with espeak-ng (callvault.synth), every
other one re-encoded to 8 kHz mu-law as a phone line carries it, and
processed by the real CLI into a fresh data folder. Then every text output
and a dump of the catalog are scanned: no CVV, no SSN and no digits of a PIN
or passcode of the dialogues, and no run of four or more card digits may be
left in clear, the last four of a card aside (PCI DSS 3.4.1 allows showing
them).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from callvault.labelled import LabelledDialogue, load_dialogues
from callvault.redact.leakscan import scan_tree
from callvault.redact.spoken import spoken_digits
from callvault.synth import Line, synthesise_call

SECONDS_PER_WORD = 0.5
PAUSE = 0.7


def _sample(folder: Path, count: int) -> list[LabelledDialogue]:
    calls = load_dialogues(folder)
    cards = [c for c in calls if any(g.entity in ("PAN", "CVV") for g in c.entities)]
    detail = [c for c in calls if c not in cards and any(g.entity == "CALL_NUMBER" for g in c.entities)]
    return cards[: (count + 1) // 2] + detail[: count // 2]


def _render(call: LabelledDialogue, out: Path, mulaw: bool) -> None:
    lines, clock = [], 0.5
    for turn in call.transcript.turns:
        role = "customer" if turn.role == "customer" else "agent"
        lines.append(Line(role, clock, turn.text))
        clock += SECONDS_PER_WORD * len(turn.words) + PAUSE
    wav = out.with_suffix(".16k.wav") if mulaw else out
    synthesise_call(lines, wav, speed=150)
    if mulaw:
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav), "-ar", "8000", "-acodec", "pcm_mulaw", str(out)], check=True)
        wav.unlink()


def _values(calls: list[LabelledDialogue]) -> dict[str, set[str]]:
    """Digit strings that must not survive, by kind: CVV, SSN, and 4-digit windows of each card but its last four."""
    kinds: dict[str, set[str]] = {"CVV": set(), "US_SSN": set(), "PAN window": set(), "AUTH_SECRET digits": set()}
    last_fours = set()
    for call in calls:
        text = call.transcript.text
        pans = [spoken_digits(text[g.char_start : g.char_end]) for g in call.entities if g.entity == "PAN"]
        whole = "".join(p for p in pans if len(p) < 13)
        for pan in [p for p in pans if len(p) >= 13] + ([whole] if len(whole) >= 13 else []):
            last_fours.add(pan[-4:])
            kinds["PAN window"].update(pan[i : i + 4] for i in range(len(pan) - 4))
        for gold in call.entities:
            digits = spoken_digits(text[gold.char_start : gold.char_end])
            if gold.entity in ("CVV", "US_SSN") and len(digits) >= 3:
                kinds[gold.entity].add(digits)
            if gold.entity == "AUTH_SECRET" and len(digits) >= 3:
                kinds["AUTH_SECRET digits"].add(digits)  # a PIN's or passcode's digits
    kinds["PAN window"] -= last_fours
    return kinds


def asr_leak_check(folder: Path, count: int, keep: Path | None = None) -> int:
    """Render, process and scan; ``keep`` leaves the inbox and data folder there for inspection."""
    calls = _sample(folder, count)
    with tempfile.TemporaryDirectory(prefix="callvault-asr-bench-") as scratch:
        tmp = str(keep) if keep is not None else scratch
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=False)
        inbox, data = Path(tmp) / "inbox", Path(tmp) / "data"
        inbox.mkdir()
        started = time.perf_counter()
        for index, call in enumerate(calls):
            _render(call, inbox / f"{call.id}.wav", mulaw=bool(index % 2))
        rendered = time.perf_counter() - started
        started = time.perf_counter()
        cli = Path(sys.executable).with_name("callvault")
        run = subprocess.run([str(cli), "--data-dir", str(data), "process", str(inbox), "--quiet"], capture_output=True, text=True)
        processed = time.perf_counter() - started
        kinds = _values(calls)
        found = []
        # each call's folder against that call's own values (a CVV of one call may be any number in another)
        for call in calls:
            for folder in data.glob(f"calls/{call.id}__*"):
                for kind, values in _values([call]).items():
                    found += [(kind, f"calls/{folder.name}/{leak.path}", leak.line) for leak in scan_tree(folder, values)]
        # catalog.db is read as the printable strings of the file, as an attacker with the disk would
        catalog = next(data.rglob("catalog.db"), None)
        for kind, values in kinds.items():
            found += [(kind, "catalog.db (any call's values)", leak.line) for leak in (scan_tree(catalog.parent, values, skip_dirs=("vault", "calls")) if catalog else [])]
        generic = []
    print(f"\nASR path: {len(calls)} shared dialogues ({sum(1 for c in calls if any(g.entity == 'PAN' for g in c.entities))} with a card), "
          f"rendered in {rendered:.0f} s, `callvault process` {processed:.0f} s (exit {run.returncode})")
    if run.returncode:
        print(run.stderr[-2000:])
    print("values checked: " + ", ".join(f"{len(v)} {k}" for k, v in kinds.items()))
    for kind, path, line in sorted(set(found + generic)):
        print(f"  LEAK {kind} in {path} line {line}")
    total = len(set(found + generic))
    print(f"leaks: {total} (files x kind x line)")
    return total
