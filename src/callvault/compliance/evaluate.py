"""Scoring detected events and rule results against labelled dialogues.

A detected event matches a gold event of the same type when the gold turn is
one of the turns the event links (the prompt, the answer, the agent's
verdict); matching is one to one, so a duplicate detection is a false positive.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from callvault.compliance.labelled import GoldEvent
from callvault.models.compliance import ConsentEvent, RuleResult


@dataclass
class EventScore:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)

    def add(self, other: "EventScore") -> None:
        self.tp.update(other.tp)
        self.fp.update(other.fp)
        self.fn.update(other.fn)

    def precision(self, type_: str | None = None) -> float:
        tp = self.tp[type_] if type_ else sum(self.tp.values())
        fp = self.fp[type_] if type_ else sum(self.fp.values())
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, type_: str | None = None) -> float:
        tp = self.tp[type_] if type_ else sum(self.tp.values())
        fn = self.fn[type_] if type_ else sum(self.fn.values())
        return tp / (tp + fn) if tp + fn else 1.0

    def types(self) -> list[str]:
        return sorted(set(self.tp) | set(self.fp) | set(self.fn))


def score_events(predicted: Sequence[ConsentEvent], gold: Sequence[GoldEvent]) -> tuple[EventScore, list[str]]:
    """Counts per type, and a line per mistake (for the benchmark's error list)."""
    score, mistakes = EventScore(), []
    unmatched = list(gold)
    for event in predicted:
        hit = next((g for g in unmatched if g.type == event.type and g.turn in event.turn_indexes), None)
        if hit:
            unmatched.remove(hit)
            score.tp[event.type] += 1
        else:
            score.fp[event.type] += 1
            mistakes.append(f"FP {event.type} turns={list(event.turn_indexes)} why={event.why}")
    for g in unmatched:
        score.fn[g.type] += 1
        mistakes.append(f"FN {g.type} turn={g.turn}")
    return score, mistakes


def rule_agreement(results: Sequence[RuleResult], gold: Mapping[str, str]) -> dict[str, bool]:
    """For each labelled rule, whether the result's status equals the label."""
    by_rule = {r.rule: r.status for r in results}
    return {rule: by_rule.get(rule) == status for rule, status in gold.items()}
