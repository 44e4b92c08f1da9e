"""What detection found: never the raw value, always why."""

from __future__ import annotations

from dataclasses import dataclass, field

from callvault.models.timespan import TimeSpan

CATEGORIES = ("CPNI", "PII", "PCI")


@dataclass(frozen=True)
class Explanation:
    """Why a span was flagged, in the spirit of presidio's AnalysisExplanation."""

    recognizer: str
    method: str = ""  # "pattern", "spoken-number", "ner", "context", ...
    pattern: str = ""  # pattern name, never the matched text
    original_score: float = 0.0
    context_words: tuple[str, ...] = ()  # cue words that raised the score
    note: str = ""


@dataclass(frozen=True)
class Finding:
    category: str  # CPNI | PII | PCI
    entity: str  # CALL_NUMBER, PAN, ...
    char_start: int  # into Transcript.text
    char_end: int
    start: float  # seconds, from word timestamps
    end: float
    speaker: str = ""
    role: str = "unknown"
    score: float = 0.0
    explanation: Explanation = field(default_factory=lambda: Explanation("unknown"))
    # Where the finding's audio may begin when that is earlier than its words' times say
    # (a number word timed shorter than its digits take to say; redact.audio.audible_start).
    audio_start: float | None = None

    @property
    def audio_span(self) -> TimeSpan:
        """The stretch of the recording to replace or silence for this finding (unpadded)."""
        start = self.start if self.audio_start is None else min(self.start, self.audio_start)
        return TimeSpan(float(start), float(max(self.start, self.end)))
