"""callvault's default transcription against bare faster-whisper, sequential and batched, side by side.

Same audio, same model (bundled tiny.en, int8), same threads, one process,
variants interleaved. callvault spends its threads as one-thread lanes
(device.CPU_MAX_LANES); bare batched with one thread is printed beside it
for context. For each call: wall time per variant, callvault /
bare sequential (target <= 0.45) and callvault / bare batched (target <=
1.05). WER of each variant on the telephone reference against its STM.

    .venv/bin/python bench/transcribe.py [--device cpu|cuda] [--reps 1] [--threads 2] [--no-timestamp-tokens]
    .venv/bin/python bench/transcribe.py --long-call 120   # a generated 2-hour call: peak RSS, streamed

The long call is built in /tmp by looping the mono reference call with
ffmpeg (never committed); it is transcribed in a fresh process so its peak
RSS is its own, next to decoding it whole as the old path did.
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

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CALLS = ["stereo-two-speakers-16k.wav", "pca-auto0-mono-8k.wav", "telephone-two-speakers-16k.wav"]
REFERENCE = "telephone-two-speakers-16k"


def _bare(path: Path, transcribe) -> str:
    """What a user writes: faster-whisper's decode_audio, then ``transcribe`` on each channel."""
    from faster_whisper import decode_audio

    channels = decode_audio(str(path), split_stereo=True) if _channels(path) == 2 else (decode_audio(str(path)),)
    return " ".join(s.text for channel in channels for s in transcribe(channel)[0])


def bare_sequential(path: Path, model, batch_size: int) -> str:
    """faster-whisper's sequential transcribe, channel after channel."""
    return _bare(path, lambda audio: model.transcribe(audio, language="en", beam_size=5, word_timestamps=True, vad_filter=True))


def bare_batched(path: Path, model, batch_size: int) -> str:
    """faster-whisper's BatchedInferencePipeline with its defaults, channel after channel."""
    from faster_whisper import BatchedInferencePipeline

    pipeline = BatchedInferencePipeline(model)
    return _bare(path, lambda audio: pipeline.transcribe(audio, language="en", beam_size=5, word_timestamps=True, batch_size=batch_size))


def callvault_default(path: Path, asr, batch_size: int) -> str:
    """callvault's path: intake (SHA-256), PyAV decode, transcription, turns and roles."""
    from callvault.recorder.decode import decode
    from callvault.recorder.intake import take_in
    from callvault.transcribe.diarize import SingleSpeakerDiarizer
    from callvault.transcribe.stage import transcribe_audio

    transcript = transcribe_audio(take_in(path), decode(path), asr, SingleSpeakerDiarizer())
    return " ".join(t.text for t in transcript.turns)


def _channels(path: Path) -> int:
    from callvault.recorder.decode import probe

    return probe(path).channels


def _normalise(text: str) -> str:
    import jiwer

    return jiwer.Compose(
        [jiwer.ToLowerCase(), jiwer.SubstituteRegexes({r"[^a-z' ]+": " "}), jiwer.RemoveMultipleSpaces(), jiwer.Strip()]
    )(text)


def _stm_text(path: Path) -> str:
    lines = [line.split(maxsplit=5) for line in path.read_text().splitlines() if line.strip()]
    return " ".join(parts[5] for parts in sorted(lines, key=lambda p: float(p[3])) if len(parts) == 6)


def compare(args) -> None:
    import jiwer
    from faster_whisper import WhisperModel

    from callvault.recorder.decode import probe
    from callvault.transcribe.asr import AsrOptions, WhisperAsr

    ours = WhisperAsr(AsrOptions(device=args.device, cpu_threads=args.threads))
    batch = ours.batch_size
    model = WhisperModel(ours.model_path, device=ours.device, compute_type=ours.compute_type, cpu_threads=args.threads)
    variants = {"bare sequential": (bare_sequential, model), "bare batched": (bare_batched, model), "callvault default": (callvault_default, ours)}
    # context, not a target: bare batched with one thread, as each of callvault's lanes runs
    one_thread = WhisperModel(ours.model_path, device=ours.device, compute_type=ours.compute_type, cpu_threads=1)
    variants["bare batched 1 thr"] = (bare_batched, one_thread)
    if args.no_timestamp_tokens:  # what the timestamp tokens cost: callvault with [transcribe] timestamp_tokens = false
        plain = WhisperAsr(AsrOptions(device=args.device, cpu_threads=args.threads, timestamp_tokens=False))
        variants["callvault no-ts"] = (callvault_default, plain)
    calls = [SHARED / name for name in CALLS if (SHARED / name).exists()]
    for runner, engine in variants.values():  # warm-up on the shortest call: first calls pay one-off costs
        runner(calls[0], engine, batch)
    print(f"device {ours.device} {ours.compute_type}, cpu_threads={args.threads}, batch size {batch} ({ours.plan.batch_reason}), "
          f"{ours.plan.lanes} lane(s) x {ours.plan.lane_threads} thread(s), reps {args.reps}")
    for path in calls:
        info = probe(path)
        times = {name: [] for name in variants}
        cpu = {name: [] for name in variants}
        texts = {}
        for _ in range(args.reps):
            for name, (runner, engine) in variants.items():
                started, cpu_started = time.perf_counter(), time.process_time()
                texts[name] = runner(path, engine, batch)
                times[name].append(time.perf_counter() - started)
                cpu[name].append(time.process_time() - cpu_started)
        med = {name: statistics.median(t) for name, t in times.items()}
        med_cpu = {name: statistics.median(t) for name, t in cpu.items()}
        print(f"\n{path.name}: {info.duration:.1f} s, {info.channels} channel(s)")
        for name in variants:
            print(f"  {name:18s} wall {med[name]:7.2f} s  RTF {med[name] / info.duration:.3f}  CPU {med_cpu[name]:7.2f} s")
        for label, m in (("wall", med), ("CPU", med_cpu)):
            ours_t = m["callvault default"]
            print(f"  {label:4s} callvault / bare sequential: {ours_t / m['bare sequential']:.3f} (target <= 0.45)"
                  f"   callvault / bare batched: {ours_t / m['bare batched']:.3f} (target <= 1.05)")
        if path.stem == REFERENCE:
            reference = _normalise(_stm_text(path.with_suffix(".stm")))
            for name in variants:
                print(f"  WER {name:18s} {jiwer.wer(reference, _normalise(texts[name])):.3f}")


def long_call(args) -> None:
    """Generate a long mono call by looping the reference, then measure each way in its own process."""
    source = SHARED / "pca-auto0-mono-8k.wav"
    folder = Path(tempfile.mkdtemp(prefix="callvault-long-"))
    path = folder / f"long-{args.long_call}min.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", "-1", "-i", str(source), "-t", str(args.long_call * 60), "-c", "copy", str(path)], check=True)
    print(f"{path}: {args.long_call} min, {path.stat().st_size / 2**20:.0f} MiB on disk (8 kHz u8 mono)")
    try:
        for mode in ("decode-whole", "stream-transcribe"):
            out = subprocess.run([sys.executable, __file__, "--child", mode, "--audio", str(path), "--threads", str(args.threads), "--device", args.device],
                                 stdout=subprocess.PIPE, text=True, check=True)  # progress lines pass through on stderr
            print(mode, out.stdout.strip().splitlines()[-1])
    finally:
        path.unlink(missing_ok=True)
        folder.rmdir()


def _progress(seconds: float) -> None:
    """Peak RSS so far, every 10 minutes of audio decoded: flat when memory is bounded."""
    if int(seconds) % 600 < 30:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"audio_min": round(seconds / 60), "peak_rss_mib": round(peak), "wall_s": round(time.perf_counter() - STARTED)}), file=sys.stderr, flush=True)


STARTED = time.perf_counter()


def child(args) -> None:
    """One measurement in a fresh process: peak RSS is this mode's alone."""
    started = time.perf_counter()
    report: dict = {}
    if args.child == "decode-whole":
        from callvault.recorder.decode import decode

        audio = decode(args.audio)
        report["audio_s"] = round(audio.duration, 1)
    else:
        from callvault.transcribe.asr import AsrOptions, WhisperAsr
        from callvault.transcribe.stage import stream_file_words

        asr = WhisperAsr(AsrOptions(device=args.device, cpu_threads=args.threads))
        loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        info, words = stream_file_words(args.audio, asr, on_block=_progress)
        report.update(audio_s=round(info.duration, 1), words=sum(map(len, words)), rss_after_model_load_mib=round(loaded),
                      batch_size=asr.batch_size)
    wall = time.perf_counter() - started
    report.update(wall_s=round(wall, 1), peak_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    if "audio_s" in report and args.child != "decode-whole":
        report["rtf"] = round(wall / report["audio_s"], 4)
    print(json.dumps(report))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--no-timestamp-tokens", action="store_true", help="add callvault with timestamp_tokens = false")
    parser.add_argument("--long-call", type=int, metavar="MINUTES", help="measure a generated call this long instead")
    parser.add_argument("--child", choices=["decode-whole", "stream-transcribe"], help=argparse.SUPPRESS)
    parser.add_argument("--audio", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
    elif args.long_call:
        long_call(args)
    else:
        compare(args)


if __name__ == "__main__":
    main()
