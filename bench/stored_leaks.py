"""Stored-object leak scan over a batch of spoken card calls: restore EVERY kind, count what leaks.

    PYTHONPATH=src python bench/stored_leaks.py --calls 20 [--audio 4] [--keep DIR]

Each call reads out its own random Luhn-valid card number, CVV, account
passcode and SSN (espeak-ng, two voices, two channels). The batch goes
through `callvault process`; then every kind of every call is restored with
`callvault restore` and scanned, in digits and in words: the CVV and passcode
(sensitive authentication data) must be in no kind; the card number and SSN
in none of the redacted kinds (``original`` and ``transcript`` may keep them,
encrypted, PCI DSS 3.5). ``--audio N`` also transcribes the restored audio
kinds of the first N calls with whisper and scans that. The data folder
itself (catalog included, vault excluded) is scanned as well.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from pathlib import Path

DIGITS = "zero one two three four five six seven eight nine".split()
RAW_EVIDENCE = ("original", "transcript")
AUDIO_KINDS = ("original", "redacted_audio")


def spoken(digits: str, groups: tuple[int, ...]) -> str:
    out, at = [], 0
    for size in groups:
        out.append(" ".join(DIGITS[int(d)] for d in digits[at : at + size]))
        at += size
    return ", ".join(out)


def card_number(rng: random.Random) -> str:
    from callvault.redact.spoken import luhn_ok

    while True:
        number = "4" + "".join(rng.choice("0123456789") for _ in range(15))
        if luhn_ok(number):
            return number


def script(values: dict[str, str]) -> list[tuple[str, float, str]]:
    return [
        ("agent", 0.5, "Thanks for calling. How can I help?"),
        ("customer", 4.5, "I would like to settle my balance with a credit card."),
        ("agent", 9.5, "Of course. What is the card number?"),
        ("customer", 13.5, spoken(values["pan"], (4, 4, 4, 4)) + "."),
        ("agent", 25.0, "And the security code on the back?"),
        ("customer", 29.0, spoken(values["cvv"], (3,)) + "."),
        ("agent", 32.5, "Thank you. Now the passcode on the account, please."),
        ("customer", 37.0, "The passcode is " + spoken(values["pin"], (4,)) + "."),
        ("agent", 41.0, "Please confirm your social security number."),
        ("customer", 45.5, spoken(values["ssn"], (3, 2, 4)) + "."),
        ("agent", 53.0, "Thanks, the payment went through."),
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--audio", type=int, default=0, help="also transcribe the restored audio of this many calls")
    parser.add_argument("--keep", type=Path, default=None, help="work here instead of a temp folder")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()

    from click.testing import CliRunner

    from callvault.cli import cli
    from callvault.redact.leakscan import readable_text, scan_text, scan_tree
    from callvault.synth import Line, synthesise_call

    rng = random.Random(args.seed)
    root = args.keep or Path(tempfile.mkdtemp(prefix="stored-leaks-"))
    inbox, data, restored = root / "inbox", root / "data", root / "restored"
    data.mkdir(parents=True, exist_ok=True)
    restored.mkdir(exist_ok=True)
    (data / "callvault.toml").write_text('[redact]\naudio = "silence"\n')
    calls = {}
    reuse = (data / "catalog.db").exists()  # --keep DIR of an earlier run: scan again, do not reprocess
    for n in range(args.calls):
        values = {"pan": card_number(rng), "cvv": f"{rng.randrange(100, 1000)}", "pin": f"{rng.randrange(1000, 10000)}",
                  "ssn": f"{rng.randrange(100, 900):03d}{rng.randrange(10, 100)}{rng.randrange(1000, 10000)}"}
        call_id = f"CARD-{n:02d}"
        if not reuse:
            synthesise_call([Line(*line) for line in script(values)], inbox / f"{call_id}.wav", speed=130, gap=3)
            (inbox / f"{call_id}.json").write_text(json.dumps({"call_id": call_id, "direction": "inbound"}))
        calls[call_id] = values
    started = time.perf_counter()
    summary = {"processed": None, "failed": None}
    if not reuse:
        result = CliRunner().invoke(cli, ["--data-dir", str(data), "process", "--json", "--quiet", str(inbox)])
        summary = json.loads(result.stdout)
    processing = time.perf_counter() - started
    # By recording id, so the objects of a call whose catalog row was refused are restored and scanned too.
    recording_ids = {call_id: hashlib.sha256((inbox / f"{call_id}.wav").read_bytes()).hexdigest() for call_id in calls}

    from callvault.models.storage import OBJECT_KINDS

    asr = None
    if args.audio:
        from callvault.transcribe.asr import AsrOptions, WhisperAsr

        asr = WhisperAsr(AsrOptions(device="cpu", cpu_threads=2))
    counts = {"objects": 0, "sad": 0, "pan_ssn_in_redacted": 0, "audio_scanned": 0}
    for number, (call_id, values) in enumerate(calls.items()):
        for kind in OBJECT_KINDS:
            out = restored / f"{call_id}-{kind}-{time.monotonic_ns()}"
            restore = CliRunner().invoke(cli, ["--data-dir", str(data), "restore", recording_ids[call_id][:16], "--kind",
                                               kind, "--out", str(out), "--reason", "leak scan"])
            if restore.exit_code != 0:
                print(f"{call_id} {kind}: restore failed: {restore.output.strip()}", file=sys.stderr)
                continue
            counts["objects"] += 1
            if kind in AUDIO_KINDS:
                if asr is None or number >= args.audio:
                    continue
                from callvault.recorder.decode import decode

                text = "\n".join(" ".join(w.text for w in asr.words(c)) for c in decode(out).channels)
                counts["audio_scanned"] += 1
            else:
                text = readable_text(out) or ""
            sad = [leak for leak in scan_text(text, (values["cvv"], values["pin"])) if leak[0] == "VALUE"]
            counts["sad"] += len(sad)
            exposed = scan_text(text, (values["pan"], values["ssn"])) if kind not in RAW_EVIDENCE else []
            counts["pan_ssn_in_redacted"] += len(exposed)
            for what, leak in [("SAD", leak) for leak in sad] + [("PAN/SSN", leak) for leak in exposed]:
                print(f"{call_id} {kind}: {what} on line {leak[1]}", file=sys.stderr)
    every = frozenset(v for values in calls.values() for v in values.values())
    folder_leaks = scan_tree(data, every)
    print(json.dumps({
        "calls": args.calls, "processed": summary["processed"], "failed": summary["failed"],
        "processing_seconds": round(processing, 1), **counts, "data_folder_leaks": len(folder_leaks),
        "work": str(root),
    }, indent=2))
    return 0 if counts["sad"] == counts["pan_ssn_in_redacted"] == len(folder_leaks) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
