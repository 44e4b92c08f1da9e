"""Words, speaker turns and the transcript that every later stage reads.

The transcript's canonical text is its turns' texts joined by newlines, each
turn's text its words joined by single spaces. Character offsets of findings
and events point into that text, and ``word_offsets`` maps them back to the
words and so to audio times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Mapping

from callvault.models.timespan import TimeSpan

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str  # as the recogniser wrote it, stripped
    probability: float = 1.0
    speaker: str = "S0"

    @property
    def span(self) -> TimeSpan:
        return TimeSpan(self.start, max(self.start, self.end))


@dataclass(frozen=True)
class Speaker:
    """A voice in the call and the role callvault gave it, with why."""

    id: str  # "S0", "S1", ...
    role: str = "unknown"  # agent | customer | ivr | unknown
    channel: int | None = None
    role_confidence: float = 0.0
    role_reason: str = ""


@dataclass(frozen=True)
class Turn:
    speaker: str
    role: str
    words: tuple[Word, ...]

    @property
    def start(self) -> float:
        return self.words[0].start if self.words else 0.0

    @property
    def end(self) -> float:
        return max(w.end for w in self.words) if self.words else 0.0

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True)
class WordOffset:
    """Where one word sits in the canonical text, and which turn holds it."""

    char_start: int
    char_end: int
    turn_index: int
    word: Word


@dataclass(frozen=True)
class Transcript:
    recording_id: str
    turns: tuple[Turn, ...]
    speakers: tuple[Speaker, ...] = ()
    duration: float = 0.0
    language: str = "en"
    # Everything needed to reproduce it: model, device, options, versions.
    provenance: Mapping[str, object] = field(default_factory=dict)
    diarization: Mapping[str, object] = field(default_factory=dict)

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for t in self.turns for w in t.words)

    @property
    def text(self) -> str:
        return "\n".join(t.text for t in self.turns)

    def turn_offsets(self) -> list[tuple[int, int]]:
        """(char_start, char_end) of every turn in ``text``."""
        spans, pos = [], 0
        for turn in self.turns:
            length = len(turn.text)
            spans.append((pos, pos + length))
            pos += length + 1
        return spans

    def word_offsets(self) -> list[WordOffset]:
        offsets: list[WordOffset] = []
        for index, (turn, (pos, _)) in enumerate(zip(self.turns, self.turn_offsets())):
            for word in turn.words:
                offsets.append(WordOffset(pos, pos + len(word.text), index, word))
                pos += len(word.text) + 1
        return offsets

    def words_in(self, char_start: int, char_end: int) -> Iterator[WordOffset]:
        """The words a character span touches."""
        for wo in self.word_offsets():
            if wo.char_end > char_start and wo.char_start < char_end:
                yield wo

    def time_span_of(self, char_start: int, char_end: int) -> TimeSpan | None:
        words = [wo.word for wo in self.words_in(char_start, char_end)]
        if not words:
            return None
        return TimeSpan(min(w.start for w in words), max(w.end for w in words))

    def speaker(self, speaker_id: str) -> Speaker | None:
        return next((s for s in self.speakers if s.id == speaker_id), None)
