"""Frozen time spans with the arithmetic redaction and diarization need."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True, order=True)
class TimeSpan:
    """A half-open interval [start, end) in seconds from the recording's start."""

    start: float
    end: float

    def __post_init__(self):
        # Plain floats, so numpy scalars from audio code never leak into comparisons.
        object.__setattr__(self, "start", float(self.start))
        object.__setattr__(self, "end", float(self.end))
        if self.end < self.start:
            raise ValueError(f"TimeSpan end {self.end} is before start {self.start}")

    @property
    def duration(self) -> float:
        return self.end - self.start

    def __bool__(self) -> bool:
        return bool(self.end > self.start)

    def __and__(self, other: "TimeSpan") -> "TimeSpan":
        """Intersection; an empty span at ``self.start`` when they do not meet."""
        start, end = max(self.start, other.start), min(self.end, other.end)
        return TimeSpan(start, end) if end > start else TimeSpan(self.start, self.start)

    def __or__(self, other: "TimeSpan") -> "TimeSpan":
        """The smallest span covering both."""
        return TimeSpan(min(self.start, other.start), max(self.end, other.end))

    def overlap(self, other: "TimeSpan") -> float:
        return (self & other).duration

    def intersects(self, other: "TimeSpan") -> bool:
        return self.overlap(other) > 0

    def padded(self, margin: float, limit: float | None = None) -> "TimeSpan":
        end = self.end + margin
        if limit is not None:
            end = min(end, limit)
        return TimeSpan(max(0.0, self.start - margin), max(end, max(0.0, self.start - margin)))


def merge_spans(spans: Iterable[TimeSpan], gap: float = 0.0) -> list[TimeSpan]:
    """Union of spans, joining those closer than ``gap`` seconds; sorted."""
    merged: list[TimeSpan] = []
    for span in sorted(s for s in spans if s):
        if merged and span.start <= merged[-1].end + gap:
            merged[-1] = merged[-1] | span
        else:
            merged.append(span)
    return merged
