"""callvault's transcription path against bare faster-whisper, side by side.

Same stereo call, same model and options. Prints wall time per variant
(median of --reps, interleaved), their ratio (target <= 1.05), the real-time
factor and each variant's peak RSS (measured in its own subprocess).

    .venv/bin/python bench/transcribe.py [--audio CALL.wav] [--reps 5]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

THREADS = 2


def bare(path: Path, model) -> int:
    """What a user would write: decode both channels, transcribe each with faster-whisper."""
    from faster_whisper import decode_audio

    left, right = decode_audio(str(path), split_stereo=True)
    words = 0
    for channel in (left, right):
        segments, _ = model.transcribe(channel, language="en", beam_size=5, word_timestamps=True, vad_filter=True)
        words += sum(len(s.words or ()) for s in segments)
    return words


def ours(path: Path, asr) -> int:
    from callvault.recorder.decode import decode
    from callvault.recorder.intake import take_in
    from callvault.transcribe.diarize import SingleSpeakerDiarizer
    from callvault.transcribe.stage import transcribe_audio

    transcript = transcribe_audio(take_in(path), decode(path), asr, SingleSpeakerDiarizer())
    return len(transcript.words)


def load(variant: str):
    from callvault.transcribe.asr import AsrOptions, WhisperAsr

    asr = WhisperAsr(AsrOptions(device="cpu", cpu_threads=THREADS))
    if variant == "ours":
        return asr
    from faster_whisper import WhisperModel

    return WhisperModel(asr.model_path, device="cpu", compute_type="int8", cpu_threads=THREADS)


def one_run(variant: str, path: Path) -> None:
    """Child process: one run of one variant; prints its peak RSS in MiB."""
    runner = ours if variant == "ours" else bare
    runner(path, load(variant))
    print(json.dumps({"peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--audio", type=Path, help="stereo call (default: the synthesised demo call)")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--child", choices=["ours", "bare"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.audio is None:
        from callvault.synth import DEMO_SCRIPT, synthesise_call

        args.audio = Path(tempfile.mkdtemp()) / "demo-call.wav"
        synthesise_call(DEMO_SCRIPT, args.audio)
    if args.child:
        one_run(args.child, args.audio)
        return

    from callvault.recorder.decode import decode

    duration = decode(args.audio).duration
    models = {"ours": load("ours"), "bare": load("bare")}
    runners = {"ours": ours, "bare": bare}
    for name in runners:  # warm-up: first calls pay one-off costs
        runners[name](args.audio, models[name])
    times = {"ours": [], "bare": []}
    for _ in range(args.reps):
        for name in ("bare", "ours"):
            started = time.perf_counter()
            runners[name](args.audio, models[name])
            times[name].append(time.perf_counter() - started)
    rss = {}
    for name in ("ours", "bare"):
        out = subprocess.run([sys.executable, __file__, "--child", name, "--audio", str(args.audio)], capture_output=True, text=True, check=True)
        rss[name] = json.loads(out.stdout.strip().splitlines()[-1])["peak_rss_mib"]
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"audio: {args.audio.name}, {duration:.1f} s stereo, {args.reps} reps, cpu_threads={THREADS}")
    for name in ("bare", "ours"):
        print(f"{name:5s} median {med[name]:.3f} s  RTF {med[name] / duration:.3f}  peak RSS {rss[name]:.0f} MiB")
    print(f"ratio callvault/bare: {med['ours'] / med['bare']:.3f} (target <= 1.05)")


if __name__ == "__main__":
    main()
