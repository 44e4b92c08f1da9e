"""Scoring detections against labelled dialogues: per-entity precision and recall.

A gold span is found when a finding of its entity overlaps it. A finding that
overlaps no gold span of its entity is a false positive, also when it sits on
a labelled negative of that entity ("the 1st" that is not CALL_TIME); a
finding of a class the dialogue does not label there is a false positive too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from callvault.labelled import LabelledDialogue
from callvault.models import Finding


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
    """Per-entity counts, the misses for reports, and gold spans no finding covers."""

    tallies: dict[str, Tally] = field(default_factory=dict)
    misses: list[tuple[str, str, str, int, int]] = field(default_factory=list)  # (call, entity, kind, start, end)
    uncovered: int = 0  # gold spans that no finding at all covers (a leak under redaction)
    negatives_hit: int = 0  # findings on a span labelled "not this class"

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


def score_call(call: LabelledDialogue, findings: Sequence[Finding], score: Score, entities: Iterable[str]) -> None:
    """Add one call's true/false positives and misses for the evaluated ``entities``."""
    entities = set(entities)
    for gold in call.entities:
        hit = any(f.entity == gold.entity and _overlaps(f.char_start, f.char_end, gold.char_start, gold.char_end) for f in findings)
        covered = any(_overlaps(f.char_start, f.char_end, gold.char_start, gold.char_end) for f in findings)
        score.uncovered += not covered
        if gold.entity in entities:
            if hit:
                score.tally(gold.entity).tp += 1
            else:
                score.tally(gold.entity).fn += 1
                score.misses.append((call.id, gold.entity, "missed", gold.char_start, gold.char_end))
    for f in findings:
        if f.entity not in entities:
            continue
        if any(n.entity == f.entity and _overlaps(f.char_start, f.char_end, n.char_start, n.char_end) for n in call.negatives):
            score.negatives_hit += 1
        if not any(g.entity == f.entity and _overlaps(f.char_start, f.char_end, g.char_start, g.char_end) for g in call.entities):
            score.tally(f.entity).fp += 1
            score.misses.append((call.id, f.entity, "false positive", f.char_start, f.char_end))
