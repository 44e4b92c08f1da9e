"""Chunk ends the batched decoder left unread, packed into shared windows for one more pass.

Whisper may stop a few seconds before a chunk ends: it closes the last
segment it is sure of and leaves the rest for a next window, which a batched
pass does not have. Each unread end is short (1-3 s), and the encoder costs
the same for 2 s of audio as for 30 s, so the ends of one lane's chunks go
through the model together: one channel's ends at a time, laid one after
another with a second of silence between them, in as few windows as fit.
Each word then goes back to the end its middle falls in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from callvault.transcribe.batching import SAMPLE_RATE

# Silence between two ends in a window: long enough that a word's time cannot
# slip into the neighbouring end (Whisper's word times are off by a tenth or two).
TAIL_GAP_SECONDS = 1.0
# A window is filled to well short of Whisper's 30 s, so its last end is seen
# to finish instead of being left for a next window again.
TAIL_WINDOW_SECONDS = 24.0


@dataclass(frozen=True)
class PlacedTail:
    """Where one unread end sits in its window."""

    index: int  # position in the list of ends given to pack_tails
    begin: float  # seconds from the window's start
    duration: float

    def distance_to(self, seconds: float, gap: float) -> float:
        """How far ``seconds`` lies outside this end, half the gap on each side counted in (0: inside)."""
        return max(0.0, self.begin - gap / 2 - seconds, seconds - (self.begin + self.duration + gap / 2))


@dataclass(frozen=True)
class TailWindow:
    """Unread ends laid one after another, silence between them, for one pass of the model."""

    audio: np.ndarray = field(repr=False)
    tails: tuple[PlacedTail, ...]
    gap: float = TAIL_GAP_SECONDS

    def split(self, segments: Sequence[dict]) -> dict[int, list[dict]]:
        """The window's decoded segments cut back into each end's own, times from that end's start.

        A segment whose words fall in two ends becomes one segment per end; a
        word goes to the end its middle is in (or the nearest), its times
        clamped to that end.
        """
        out: dict[int, list[dict]] = {}
        for segment in segments:
            runs: list[tuple[PlacedTail, list[dict]]] = []
            for word in segment.get("words") or ():
                tail = self._tail_of((word["start"] + word["end"]) / 2)
                if not runs or runs[-1][0] is not tail:
                    runs.append((tail, []))
                runs[-1][1].append(_shifted(word, tail))
            for tail, words in runs:
                out.setdefault(tail.index, []).append({
                    "start": words[0]["start"], "end": words[-1]["end"], "words": words,
                    "text": "".join(w["word"] for w in words),
                    "compression_ratio": segment.get("compression_ratio", 0.0),
                })
        return out

    def _tail_of(self, seconds: float) -> PlacedTail:
        return min(self.tails, key=lambda tail: tail.distance_to(seconds, self.gap))


def pack_tails(pieces: Sequence[np.ndarray], gap_seconds: float = TAIL_GAP_SECONDS,
               window_seconds: float = TAIL_WINDOW_SECONDS) -> list[TailWindow]:
    """Pieces of audio (16 kHz) in order, packed into windows of at most ``window_seconds``.

    A piece longer than a window gets a window of its own.
    """
    windows: list[TailWindow] = []
    parts: list[np.ndarray] = []
    placed: list[PlacedTail] = []
    length = 0.0
    gap = np.zeros(int(gap_seconds * SAMPLE_RATE), dtype=np.float32)

    def close() -> None:
        if placed:
            windows.append(TailWindow(np.concatenate(parts), tuple(placed), gap_seconds))

    for index, piece in enumerate(pieces):
        duration = len(piece) / SAMPLE_RATE
        if placed and length + gap_seconds + duration > window_seconds:
            close()
            parts, placed, length = [], [], 0.0
        if placed:
            parts.append(gap)
            length += gap_seconds
        placed.append(PlacedTail(index, length, duration))
        parts.append(np.asarray(piece, dtype=np.float32))
        length += duration
    close()
    return windows


def _shifted(word: dict, tail: PlacedTail) -> dict:
    def inside(seconds: float) -> float:
        return round(min(max(seconds - tail.begin, 0.0), tail.duration), 3)

    return {**word, "start": inside(word["start"]), "end": inside(word["end"])}
