"""The labelled call set (tests/data/labelled/): loading, and scoring detections against it.

One JSON file per call: ``turns`` (speaker, role, text, optional ``start``)
and ``gold`` spans given as (turn index, exact substring, entity). Word times
are synthetic and evenly spaced unless a turn gives its start. The compliance
stage can load the same files for its own checks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from callvault.models import Finding, InputError, Speaker, Transcript, Turn, Word

WORD_SECONDS = 0.4
TURN_GAP = 0.6


@dataclass(frozen=True)
class GoldSpan:
    entity: str
    char_start: int
    char_end: int
    turn: int


@dataclass(frozen=True)
class LabelledCall:
    id: str
    description: str
    transcript: Transcript
    gold: tuple[GoldSpan, ...]


def transcript_from_turns(turns: Sequence[Mapping], recording_id: str = "labelled") -> Transcript:
    """A Transcript from (speaker, role, text) turns with evenly spaced word times."""
    built, clock, speakers = [], 0.0, {}
    for turn in turns:
        clock = float(turn.get("start", clock))
        speaker = str(turn.get("speaker", "S0"))
        role = str(turn.get("role", "unknown"))
        speakers.setdefault(speaker, role)
        words = []
        for text in str(turn["text"]).split():
            words.append(Word(round(clock, 3), round(clock + WORD_SECONDS * 0.9, 3), text, 1.0, speaker))
            clock += WORD_SECONDS
        built.append(Turn(speaker, role, tuple(words)))
        clock += TURN_GAP
    return Transcript(
        recording_id=recording_id,
        turns=tuple(built),
        speakers=tuple(Speaker(s, r) for s, r in speakers.items()),
        duration=round(clock, 3),
        provenance={"source": "labelled"},
    )


def load_call(path: str | Path) -> LabelledCall:
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        transcript = transcript_from_turns(doc["turns"], recording_id=str(doc.get("id", path.stem)))
        offsets = transcript.turn_offsets()
        gold = []
        for item in doc.get("gold", []):
            turn = int(item["turn"])
            text = transcript.turns[turn].text
            index = text.find(item["text"])
            if index < 0:
                raise ValueError(f"gold text not found in turn {turn}")
            start = offsets[turn][0] + index
            gold.append(GoldSpan(str(item["entity"]), start, start + len(item["text"]), turn))
    except (OSError, KeyError, IndexError, TypeError, ValueError) as exc:
        raise InputError(path, f"not a labelled call ({type(exc).__name__}: {exc}); see tests/data/labelled/README") from None
    return LabelledCall(str(doc.get("id", path.stem)), str(doc.get("description", "")), transcript, tuple(gold))


def load_calls(folder: str | Path) -> list[LabelledCall]:
    return [load_call(p) for p in sorted(Path(folder).glob("*.json"))]


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Score:
    """Per-entity counts; a gold span is found when a finding of its entity overlaps it."""

    tallies: dict[str, Tally] = field(default_factory=dict)
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (call, entity, kind) for reports
    uncovered: int = 0  # gold spans that no finding at all covers (a leak under redaction)

    def tally(self, entity: str) -> Tally:
        return self.tallies.setdefault(entity, Tally())

    def overall(self, entities: Iterable[str] | None = None) -> Tally:
        total = Tally()
        for entity, t in self.tallies.items():
            if entities is None or entity in entities:
                total.tp, total.fp, total.fn = total.tp + t.tp, total.fp + t.fp, total.fn + t.fn
        return total


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def score_call(call: LabelledCall, findings: Sequence[Finding], score: Score, entities: Iterable[str]) -> None:
    """Add one call's true/false positives and misses for the evaluated ``entities``."""
    entities = set(entities)
    for gold in call.gold:
        hit = any(f.entity == gold.entity and _overlaps(f.char_start, f.char_end, gold.char_start, gold.char_end) for f in findings)
        covered = any(_overlaps(f.char_start, f.char_end, gold.char_start, gold.char_end) for f in findings)
        score.uncovered += not covered
        if gold.entity in entities:
            if hit:
                score.tally(gold.entity).tp += 1
            else:
                score.tally(gold.entity).fn += 1
                score.misses.append((call.id, gold.entity, "missed"))
    for f in findings:
        if f.entity not in entities:
            continue
        if not any(g.entity == f.entity and _overlaps(f.char_start, f.char_end, g.char_start, g.char_end) for g in call.gold):
            score.tally(f.entity).fp += 1
            score.misses.append((call.id, f.entity, "false positive"))
