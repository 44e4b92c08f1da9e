"""Speech recognition with faster-whisper: one loaded model, words with times.

Batched by default, on CPU and CUDA alike: the speech chunks of every
channel of a call go through the model together (see batching.py), and each
word comes back to its channel. ``batch_size=0`` keeps faster-whisper's
sequential decoder (temperature fallback, previous-text conditioning).
"""

from __future__ import annotations

import queue
import threading
from dataclasses import asdict, dataclass
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from callvault.models.errors import ConfigError
from callvault.models.transcript import Word
from callvault.transcribe import device as devices
from callvault.transcribe.batching import (
    CHUNK_SECONDS,
    WINDOW_SECONDS,
    SpeechChunk,
    as_blocks,
    pool_batches,
    stream_chunks,
)
from callvault.transcribe.tails import TailWindow, pack_tails
from callvault.transcribe.weights import DEFAULT_MODEL, resolve_model

DEVICES = devices.DEVICES


@dataclass(frozen=True)
class AsrOptions:
    model: str = DEFAULT_MODEL
    device: str = "auto"
    compute_type: str = "auto"  # int8 on CPU, float16 on CUDA
    cpu_threads: int = 0  # 0: CTranslate2 picks
    beam_size: int = 5
    language: str | None = "en"
    vad_filter: bool = True
    # None: chosen from the device (CPU threads; free GPU memory on CUDA);
    # >0: this many speech chunks through the model at once; 0: sequential decoder.
    batch_size: int | None = None
    window_seconds: float = WINDOW_SECONDS  # audio per VAD window when streaming
    # CPU, batched: model passes run side by side, the threads shared among them
    # (None: one lane per thread; see device.CPU_MAX_LANES).
    lanes: int | None = None
    # Batched: decode Whisper's timestamp tokens too (faster-whisper's batched
    # default drops them). Costs some decode steps; on the telephone reference
    # WER 0.123 with them against 0.160 without (sequential: 0.123).
    timestamp_tokens: bool = True
    # The temperature fallback samples; its generator is seeded at the start of every call so a
    # recording transcribes the same way each time it is processed (evidence must be repeatable).
    seed: int = 0

    def __post_init__(self):
        if self.device not in DEVICES:
            raise ConfigError(f"device must be one of {', '.join(DEVICES)}, not '{self.device}'")
        if self.beam_size < 1:
            raise ConfigError("beam size must be at least 1")
        if self.batch_size is not None and self.batch_size < 0:
            raise ConfigError("batch size must be 0 (sequential), a positive number, or unset (chosen from the device)")
        if self.lanes is not None and self.lanes < 1:
            raise ConfigError("lanes must be a positive number, or unset (one per CPU thread)")


@dataclass(frozen=True)
class MachineFacts:
    """What the device choice reads from the machine; injected in tests (no GPU here)."""

    cuda_present: Callable[[], bool] = devices.cuda_present
    cpu_count: Callable[[], int] = devices.cpu_count
    free_gpu_bytes: Callable[[], int | None] = devices.free_gpu_bytes
    omp_threads: Callable[[], int] = devices.omp_threads


def plan_for(options: AsrOptions, model_path: str, facts: MachineFacts = MachineFacts()) -> devices.DevicePlan:
    from pathlib import Path

    present = facts.cuda_present() if options.device != "cpu" else False
    weights = Path(model_path) / "model.bin"
    return devices.plan_device(
        options.device, options.compute_type, options.batch_size,
        cuda_present=present, cpu_threads=options.cpu_threads or facts.omp_threads(), cpu_count=facts.cpu_count(),
        free_gpu_bytes=facts.free_gpu_bytes() if present else None,
        model_bytes=weights.stat().st_size if weights.is_file() else 0, lanes=options.lanes,
    )


def resolve_device(options: AsrOptions, facts: MachineFacts = MachineFacts()) -> tuple[str, str]:
    """(device, compute_type) after 'auto' is decided."""
    present = facts.cuda_present() if options.device != "cpu" else False
    return devices.resolve_device(options.device, options.compute_type, present)


class WhisperAsr:
    """A faster-whisper model loaded once and used for every channel of every call."""

    def __init__(self, options: AsrOptions = AsrOptions(), facts: MachineFacts = MachineFacts(), model_factory=None):
        from faster_whisper import BatchedInferencePipeline, WhisperModel
        from faster_whisper.vad import get_vad_model

        self.options = options
        self.model_path = resolve_model(options.model)
        self.plan = plan_for(options, self.model_path, facts)
        self.device, self.compute_type = self.plan.device, self.plan.compute_type
        self._model = (model_factory or WhisperModel)(
            self.model_path,
            device=self.device,
            compute_type=self.compute_type,
            cpu_threads=self.plan.lane_threads,
            num_workers=self.plan.lanes,  # CTranslate2 workers: one copy of the weights, passes side by side
            local_files_only=True,
        )
        self._batched = BatchedInferencePipeline(self._model)
        # one pipeline per lane: each keeps its own last speech time for the word timestamps
        self._lane_list = [BatchedInferencePipeline(self._model) for _ in range(self.plan.lanes)]
        self._lane_pipelines: queue.SimpleQueue = queue.SimpleQueue()
        for pipeline in self._lane_list:
            self._lane_pipelines.put(pipeline)
        get_vad_model()  # Silero's ONNX session: loaded with the model, not inside the first call
        self._decode_options = self._batched_options() if self.plan.batch_size else None
        self.batches_run: list[tuple[int, ...]] = []  # the last call's batches: the channel of each chunk
        self.segments_redone = 0  # segments the batched decoder looped on, decoded again sequentially
        self.tails_read = 0  # chunk ends read again: the decoder stopped seconds before the chunk did
        self._count_lock = threading.Lock()

    @property
    def batch_size(self) -> int:
        return self.plan.batch_size

    def _batched_options(self):
        """faster-whisper's own batched TranscriptionOptions for our settings (built by its code, not copied)."""
        from faster_whisper.tokenizer import Tokenizer

        probe = np.zeros(SAMPLE_PROBE, dtype=np.float32)
        _, info = self._batched.transcribe(
            probe, language=self.options.language, beam_size=self.options.beam_size, word_timestamps=True,
            without_timestamps=not self.options.timestamp_tokens, clip_timestamps=[{"start": 0.0, "end": SAMPLE_PROBE / 16_000}],
        )
        tokenizer = Tokenizer(self._model.hf_tokenizer, self._model.model.is_multilingual, task="transcribe", language=info.language)
        return info.transcription_options, tokenizer

    # -- one channel ---------------------------------------------------------

    def words(self, audio: np.ndarray, speaker: str = "S0") -> Iterator[Word]:
        """The words spoken in ``audio`` (float32, 16 kHz), with times, as they are decoded."""
        if self.plan.batch_size:
            yield from self.channel_words([audio], [speaker])[0]
            return
        self._seed()
        segments, _ = self._model.transcribe(
            audio, language=self.options.language, beam_size=self.options.beam_size,
            word_timestamps=True, vad_filter=self.options.vad_filter,
        )
        for segment in segments:
            for w in segment.words or ():
                word = _word(w.start, w.end, w.word, w.probability, speaker)
                if word:
                    yield word

    # -- every channel of a call at once ------------------------------------

    def channel_words(self, channels: Sequence[np.ndarray], speakers: Sequence[str]) -> list[list[Word]]:
        """Words per channel; batched: all channels' speech chunks share the batches."""
        if not self.plan.batch_size:
            return [list(self.words(audio, speaker)) for audio, speaker in zip(channels, speakers)]
        return self.stream_words(as_blocks(channels, self.options.window_seconds), speakers)

    def stream_words(self, blocks: Iterable[Sequence[np.ndarray]], speakers: Sequence[str]) -> list[list[Word]]:
        """Words per channel from per-channel blocks as they are decoded (a call of any length)."""
        if not self.plan.batch_size:
            buffered = list(blocks)  # the sequential decoder takes whole arrays
            channels = [np.concatenate([b[c] for b in buffered]) for c in range(len(speakers))]
            return [list(self.words(audio, speaker)) for audio, speaker in zip(channels, speakers)]
        out: list[list[Word]] = [[] for _ in speakers]
        self._seed()
        self.batches_run = []
        for pipeline in self._lane_list:
            pipeline.last_speech_timestamp = 0.0
        batches = pool_batches(stream_chunks(blocks, self._find_speech, self.options.window_seconds), self.plan.batch_size)
        for part, segments in self._in_lanes(batches):
            # looped segments are decoded again here, one after another: repeatable, whatever lane ran first
            for chunk, chunk_segments in zip(part, segments):
                speaker = speakers[chunk.channel]
                for w in self._checked_words(chunk, chunk_segments, self._decode_options[0]):
                    start, end = chunk.window.to_recording_time(w["start"], w["end"])
                    word = _word(start, end, w["word"], w["probability"], speaker)
                    if word:
                        out[chunk.channel].append(word)
        return out

    def _in_lanes(self, batches: Iterable[list[SpeechChunk]]) -> Iterator[tuple[list[SpeechChunk], list[list[dict]]]]:
        """Each batch shared out among the lanes; (chunks, their segments) back in the order the chunks came.

        At most two parts per lane are in flight, so a long call holds a bounded
        number of chunks while the next window's speech is found.
        """
        from collections import deque
        from concurrent.futures import ThreadPoolExecutor

        lanes = self.plan.lanes
        in_flight: deque = deque()
        with ThreadPoolExecutor(max_workers=lanes, thread_name_prefix="callvault-asr-lane") as pool:
            for batch in batches:
                self.batches_run.append(tuple(chunk.channel for chunk in batch))
                for part in share_out(batch, lanes):
                    in_flight.append((part, pool.submit(self._decode_part, part)))
                while len(in_flight) > 2 * lanes:
                    part, future = in_flight.popleft()
                    yield part, future.result()
            while in_flight:
                part, future = in_flight.popleft()
                yield part, future.result()

    def _seed(self) -> None:
        import ctranslate2

        ctranslate2.set_random_seed(self.options.seed)

    def _find_speech(self, audio: np.ndarray) -> list:
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        if not self.options.vad_filter:
            return [{"start": b, "end": min(b + CHUNK_SECONDS * 16_000, len(audio))} for b in range(0, len(audio), CHUNK_SECONDS * 16_000)]
        # the parameters faster-whisper's batched pipeline uses
        return get_speech_timestamps(audio, VadOptions(max_speech_duration_s=CHUNK_SECONDS, min_silence_duration_ms=160))

    def _decode_part(self, part: list[SpeechChunk]) -> list[list[dict]]:
        """One lane's pass of the model over its chunks: segments (speech-only times) per chunk."""
        pipeline = self._lane_pipelines.get()
        try:
            results = self._forward(pipeline, [chunk.audio for chunk in part], [chunk.metadata() for chunk in part])
            results = self._with_tails_read(pipeline, part, results)
            return [self._with_rest_read(chunk, segments) for chunk, segments in zip(part, results)]
        finally:
            self._lane_pipelines.put(pipeline)

    def _forward(self, pipeline, pieces: list[np.ndarray], metadata: list[dict]) -> list[list[dict]]:
        """One batched model pass over pieces of audio (each padded to Whisper's 30 s window): segments per piece."""
        from faster_whisper.audio import pad_or_trim

        options, tokenizer = self._decode_options
        extractor = self._model.feature_extractor
        features = np.stack([pad_or_trim(extractor(piece)[..., :-1]) for piece in pieces])
        return pipeline.forward(features, tokenizer, metadata, options)

    def _with_tails_read(self, pipeline, part: list[SpeechChunk], results: list[list[dict]]) -> list[list[dict]]:
        """Speech after a chunk's last segment (see _with_rest_read), in one more batched pass over the part's tails.

        The tails of one channel share windows (tails.py): the encoder costs as much
        for a 2 s tail as for 30 s. What this pass still leaves, _with_rest_read reads.
        """
        tails = [(index, chunk, end) for index, (chunk, segments) in enumerate(zip(part, results))
                 if chunk.duration - (end := read_until(chunk, segments)) >= UNREAD_TAIL_SECONDS]
        if not tails:
            return results
        windows: list[tuple[list[tuple[int, SpeechChunk, float]], TailWindow]] = []
        for channel in sorted({chunk.channel for _, chunk, _ in tails}):
            own = [tail for tail in tails if tail[1].channel == channel]  # a word never crosses to the other side
            windows.extend((own, window) for window in pack_tails([chunk.audio[int(end * 16_000):] for _, chunk, end in own]))
        metadata = [{"offset": 0.0, "duration": len(window.audio) / 16_000, "segments": []} for _, window in windows]
        carried, pipeline.last_speech_timestamp = pipeline.last_speech_timestamp, 0.0  # the windows have their own clock
        decoded = self._forward(pipeline, [window.audio for _, window in windows], metadata)
        pipeline.last_speech_timestamp = carried
        results = list(results)
        for (own, window), segments in zip(windows, decoded):
            for position, tail_segments in window.split(segments).items():
                index, chunk, end = own[position]
                results[index] = results[index] + [_moved(segment, chunk.offset + end) for segment in tail_segments]
        with self._count_lock:
            self.tails_read += len(tails)
        return results

    def _with_rest_read(self, chunk: SpeechChunk, segments: list[dict]) -> list[dict]:
        """The segments, and one more for the speech the batched passes still left unread at the chunk's end.

        The decoder may stop at a timestamp well before the chunk's end ("...
        international <|5.20|><|5.20|>" and no more, on a 6.8 s chunk whose last
        words were "calls to Mexico"): the sequential decoder seeks to that
        timestamp and reads on, a batched pass has no next window. The tail pass
        catches most; what it leaves is read here by the sequential decoder,
        without the temperature fallback, so the lane's result does not depend on
        a shared random generator. A looped reading is caught by _checked_words.
        """
        from faster_whisper.transcribe import get_compression_ratio

        covered = read_until(chunk, segments)
        if chunk.duration - covered < UNREAD_TAIL_SECONDS:
            return segments
        with self._count_lock:  # the lanes count their tails at the same time
            self.tails_read += 1
        words = self._read_again(chunk, covered, chunk.duration, fallback=False)
        text = "".join(w["word"] for w in words)
        rest = {"start": chunk.offset + covered, "end": chunk.offset + chunk.duration, "words": words, "text": text,
                "compression_ratio": get_compression_ratio(text) if text else 0.0}
        return segments + [rest]

    def _checked_words(self, chunk: SpeechChunk, segments: list[dict], options) -> list[dict]:
        """A chunk's words, with any segment the decoder looped on ("9, 9, 9, ...") decoded again sequentially.

        The batched decoder has no temperature fallback, and on a short run of
        digits tiny.en can repeat a token until the window ends, which turns a
        CVV into a run of made-up card digits. The sequential decoder's fallback
        (higher temperatures while the text compresses too well) is the cure, so
        only the audio of such a segment (up to the next segment) pays for it.
        """
        limit = options.compression_ratio_threshold or DEFAULT_COMPRESSION_LIMIT
        words: list[dict] = []
        for index, segment in enumerate(segments):
            if segment.get("compression_ratio", 0.0) <= limit:
                words.extend(segment.get("words", ()))
                continue
            self.segments_redone += 1
            until = segments[index + 1]["start"] - chunk.offset if index + 1 < len(segments) else chunk.duration
            words.extend(self._read_again(chunk, max(0.0, segment["start"] - chunk.offset), until))
        return words

    def _read_again(self, chunk: SpeechChunk, begin: float, until: float, fallback: bool = True) -> list[dict]:
        """Words of the chunk's audio from ``begin`` to ``until`` (chunk seconds), by the sequential decoder.

        ``fallback``: faster-whisper's temperature fallback (seeded sampling) when the
        text compresses too well or its log-probability is low; without, one decode at 0.
        """
        piece = chunk.audio[int(begin * 16_000): max(int(until * 16_000), int(begin * 16_000) + 1)]
        redone, _ = self._model.transcribe(
            piece, language=self.options.language, beam_size=self.options.beam_size,
            word_timestamps=True, vad_filter=False, condition_on_previous_text=False,
            **({} if fallback else {"temperature": 0.0}),
        )
        shift = chunk.offset + begin
        return [
            {"start": w.start + shift, "end": w.end + shift, "word": w.word, "probability": w.probability}
            for redone_segment in redone for w in redone_segment.words or ()
        ]

    def provenance(self) -> dict:
        from faster_whisper import __version__ as fw_version

        return {
            "engine": "faster-whisper",
            "engine_version": fw_version,
            "model": self.options.model,
            "model_path": self.model_path,
            "device": self.device,
            "compute_type": self.compute_type,
            "batch_size": self.plan.batch_size,
            "batch_reason": self.plan.batch_reason,
            "lanes": self.plan.lanes,
            "lane_threads": self.plan.lane_threads,
            "options": asdict(self.options),
        }


DEFAULT_COMPRESSION_LIMIT = 2.4  # faster-whisper's compression_ratio_threshold default
# Unread audio at a chunk's end worth a second look: more than the VAD's padding (0.4 s) plus a short word.
UNREAD_TAIL_SECONDS = 1.0
SAMPLE_PROBE = 1600  # 0.1 s of silence: enough for faster-whisper to build its options


def read_until(chunk: SpeechChunk, segments: list[dict]) -> float:
    """How far into the chunk (seconds) its segments reach."""
    return max((segment["end"] - chunk.offset for segment in segments), default=0.0)


def share_out(batch: list[SpeechChunk], lanes: int) -> list[list[SpeechChunk]]:
    """A batch cut into at most ``lanes`` runs of neighbouring chunks, sizes differing by one at most."""
    count = max(1, min(lanes, len(batch)))
    size, extra = divmod(len(batch), count)
    parts, begin = [], 0
    for index in range(count):
        end = begin + size + (index < extra)
        parts.append(batch[begin:end])
        begin = end
    return parts


def _moved(segment: dict, seconds: float) -> dict:
    """A segment (and its words) ``seconds`` later."""
    words = [{**w, "start": w["start"] + seconds, "end": w["end"] + seconds} for w in segment["words"]]
    return {**segment, "start": segment["start"] + seconds, "end": segment["end"] + seconds, "words": words}


def _word(start: float, end: float, text: str, probability: float, speaker: str) -> Word | None:
    text = text.strip()
    return Word(float(start), float(end), text, float(probability), speaker) if text else None
