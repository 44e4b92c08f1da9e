"""The diarizer interface for mono recordings, and word attribution.

Stereo calls need no diarizer: each channel is one speaker (see align.py).
A mono recording goes through a ``MonoDiarizer``; its segments then give
every word the speaker it overlaps most.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping, Protocol, Sequence

import numpy as np

from callvault.models.timespan import TimeSpan
from callvault.models.transcript import Word


@dataclass(frozen=True)
class SpeakerSegment:
    span: TimeSpan
    speaker: str  # "S0", "S1", ...


@dataclass(frozen=True)
class Diarization:
    segments: tuple[SpeakerSegment, ...]
    method: str
    # False when the voices could not be told apart with confidence: the
    # output says so instead of guessing.
    confident: bool = True
    info: Mapping[str, object] = field(default_factory=dict)

    @property
    def speakers(self) -> tuple[str, ...]:
        return tuple(sorted({s.speaker for s in self.segments}))


class MonoDiarizer(Protocol):
    name: str

    def diarize(
        self,
        audio: np.ndarray,  # float32 mono, 16 kHz
        sample_rate: int,
        words: Sequence[Word],
        num_speakers: int | None = None,
    ) -> Diarization: ...


class SingleSpeakerDiarizer:
    """Everyone is S0: the baseline, and the fallback when voices can't be separated."""

    name = "single"

    def diarize(self, audio, sample_rate, words, num_speakers=None) -> Diarization:
        duration = len(audio) / float(sample_rate) if sample_rate else 0.0
        return Diarization((SpeakerSegment(TimeSpan(0.0, duration), "S0"),), self.name)


def attribute_words(words: Sequence[Word], diarization: Diarization) -> list[Word]:
    """Each word gets the speaker whose segments overlap it most (nearest segment if none)."""
    segments = diarization.segments
    if not segments:
        return list(words)
    attributed = []
    for word in words:
        span = TimeSpan(word.start, max(word.end, word.start + 1e-3))
        overlap: dict[str, float] = {}
        for seg in segments:
            if seg.span.end > span.start and seg.span.start < span.end:
                overlap[seg.speaker] = overlap.get(seg.speaker, 0.0) + seg.span.overlap(span)
        if overlap:
            speaker = max(overlap, key=overlap.get)
        else:
            middle = (span.start + span.end) / 2
            speaker = min(segments, key=lambda s: min(abs(s.span.start - middle), abs(s.span.end - middle))).speaker
        attributed.append(replace(word, speaker=speaker))
    return attributed
