"""Cutting a call's channels into speech chunks, and pooling them into batches.

Each channel streams through a ``ChannelWindows``: a window of audio (a few
minutes) goes through voice activity detection, its speech segments are
packed into chunks of at most 27 s (faster-whisper's ``collect_chunks``:
the silences between segments cut out), and the audio after the last
finished segment is carried into the next window. Memory holds one window
per channel, never the whole call.

``pool_batches`` then takes the chunks of every channel in time order and
yields batches that mix channels, so a stereo call fills each batch from
both sides instead of running two half-empty passes. Every chunk remembers
its channel and how to map its speech-only times back to the recording.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

SAMPLE_RATE = 16_000
# Speech per chunk, short of Whisper's 30 s window: when the last words reach the
# window's end, Whisper leaves them for a next window, which a batched pass does not
# have (5 of the 8 chunks of the 277 s reference call ended 1.5-2.5 s early at 30 s,
# 3 of 9 at 27 s); with 3 s of silence after them they are read in the first pass.
CHUNK_SECONDS = 27
# 5 min: Silero's ONNX session holds memory in proportion to the audio it scores at once
# (about +140 MiB at 5 min, +250 MiB at 10 min); 5 min is still one window for most calls.
WINDOW_SECONDS = 300.0
# A segment that ends this close to a window's end may go on in the next block: carry it over.
GUARD_SECONDS = 2.0

# (audio) -> [{"start": sample, "end": sample}, ...]: Silero VAD in production, injectable in tests.
SpeechFinder = Callable[[np.ndarray], list]


@dataclass(frozen=True)
class SpeechWindow:
    """Where one window's speech segments sit in the recording."""

    channel: int
    start: float  # seconds from the recording's start
    segments: tuple[tuple[int, int], ...]  # (start, end) samples within the window
    _silence_before: tuple[float, ...] = field(default=(), repr=False)
    _speech_ends: tuple[int, ...] = field(default=(), repr=False)

    @classmethod
    def of(cls, channel: int, start: float, segments: Sequence[dict]) -> "SpeechWindow":
        silence, ends, previous, cut = [], [], 0, 0
        for s in segments:  # as faster-whisper's SpeechTimestampsMap does
            cut += s["start"] - previous
            previous = s["end"]
            ends.append(s["end"] - cut)
            silence.append(cut / SAMPLE_RATE)
        return cls(channel, start, tuple((s["start"], s["end"]) for s in segments), tuple(silence), tuple(ends))

    def to_recording_time(self, start: float, end: float) -> tuple[float, float]:
        """A word's (start, end) in speech-only time -> seconds in the recording, both from one segment."""
        import bisect

        middle = int((start + end) / 2 * SAMPLE_RATE)
        index = min(bisect.bisect(self._speech_ends, middle), len(self._speech_ends) - 1)
        shift = self.start + self._silence_before[index]
        return round(start + shift, 3), round(end + shift, 3)


@dataclass(frozen=True)
class SpeechChunk:
    """Up to CHUNK_SECONDS of one channel's speech, ready for the model."""

    channel: int
    audio: np.ndarray = field(repr=False)
    offset: float  # speech-only seconds from the window's first segment
    duration: float
    window: SpeechWindow

    @property
    def start(self) -> float:
        """Where the chunk begins in the recording (for ordering chunks across channels)."""
        return self.window.to_recording_time(self.offset, self.offset)[0]

    def metadata(self) -> dict:
        """faster-whisper's chunk description, as its batched pipeline expects it."""
        return {"offset": self.offset, "duration": self.duration, "segments": []}


def pack_chunks(channel: int, window_start: float, audio: np.ndarray, segments: list) -> list[SpeechChunk]:
    """The window's speech segments packed into chunks of at most CHUNK_SECONDS (silences cut out)."""
    from faster_whisper.vad import collect_chunks

    if not segments:
        return []
    window = SpeechWindow.of(channel, window_start, segments)
    pieces, metadata = collect_chunks(audio, segments, max_duration=CHUNK_SECONDS)
    # copies: a chunk must not keep its whole window's buffer alive while it waits for a batch
    return [
        SpeechChunk(channel, np.array(piece, dtype=np.float32), float(meta["offset"]), float(meta["duration"]), window)
        for piece, meta in zip(pieces, metadata)
        if len(piece)
    ]


class ChannelWindows:
    """One channel's stream, cut into windows at silences (bounded memory for any call length)."""

    def __init__(self, channel: int, find_speech: SpeechFinder, window_seconds: float = WINDOW_SECONDS,
                 guard_seconds: float = GUARD_SECONDS):
        if window_seconds < 2 * (CHUNK_SECONDS + guard_seconds):
            raise ValueError("a window must hold at least two full chunks plus the guard")
        self.channel = channel
        self.find_speech = find_speech
        self.window = int(window_seconds * SAMPLE_RATE)
        self.guard = int(guard_seconds * SAMPLE_RATE)
        self._blocks: list[np.ndarray] = []
        self._length = 0
        self._start = 0  # samples from the recording's start to the buffer's first sample

    def feed(self, block: np.ndarray) -> list[SpeechChunk]:
        self._blocks.append(block)
        self._length += len(block)
        chunks: list[SpeechChunk] = []
        while self._length >= self.window:
            chunks.extend(self._cut(final=False))
        return chunks

    def finish(self) -> list[SpeechChunk]:
        return self._cut(final=True) if self._length else []

    def _cut(self, final: bool) -> list[SpeechChunk]:
        buffer = np.concatenate(self._blocks) if len(self._blocks) > 1 else self._blocks[0]
        audio = buffer[: self.window] if not final else buffer
        segments = self.find_speech(audio)
        if final:
            done, cut = segments, len(buffer)
        else:
            limit = len(audio) - self.guard
            done = [s for s in segments if s["end"] <= limit]
            open_starts = [s["start"] for s in segments if s["end"] > limit]
            cut = min([limit, *open_starts])
            cut = max(cut, done[-1]["end"] if done else 0)
            if cut == 0:  # one segment fills the window (cannot happen with 30 s segments): take it whole
                done, cut = segments, len(audio)
        chunks = pack_chunks(self.channel, self._start / SAMPLE_RATE, audio, done)
        rest = buffer[cut:].copy()  # the carry alone, not a view pinning the window
        self._blocks = [rest] if len(rest) else []
        self._length = len(rest)
        self._start += cut
        return chunks


def stream_chunks(blocks: Iterable[Sequence[np.ndarray]], find_speech: SpeechFinder,
                  window_seconds: float = WINDOW_SECONDS) -> Iterator[list[SpeechChunk]]:
    """Per-channel blocks in -> the chunks each block completes, every channel's, in time order."""
    windows: list[ChannelWindows] | None = None
    for block in blocks:
        if windows is None:
            windows = [ChannelWindows(c, find_speech, window_seconds) for c in range(len(block))]
        ready = [chunk for w, channel in zip(windows, block) for chunk in w.feed(channel)]
        if ready:
            yield sorted(ready, key=lambda c: c.start)
    if windows:
        ready = [chunk for w in windows for chunk in w.finish()]
        if ready:
            yield sorted(ready, key=lambda c: c.start)


def pool_batches(chunk_groups: Iterable[list[SpeechChunk]], batch_size: int) -> Iterator[list[SpeechChunk]]:
    """Full batches as soon as the chunks are there (channels mixed), then what is left."""
    pending: list[SpeechChunk] = []
    for group in chunk_groups:
        pending = sorted(pending + group, key=lambda c: c.start)
        while len(pending) >= batch_size:
            yield pending[:batch_size]
            pending = pending[batch_size:]
    for i in range(0, len(pending), batch_size):
        yield pending[i : i + batch_size]


def as_blocks(channels: Sequence[np.ndarray], block_seconds: float = WINDOW_SECONDS) -> Iterator[tuple[np.ndarray, ...]]:
    """Audio already in memory, as blocks (views, no copies) for the same streaming path."""
    step = int(block_seconds * SAMPLE_RATE)
    length = len(channels[0])
    for begin in range(0, max(length, 1), step):
        yield tuple(c[begin : begin + step] for c in channels)


BatchDecoder = Callable[[list[SpeechChunk]], list[list[Any]]]
