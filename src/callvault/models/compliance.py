"""Consent and disclosure events, and per-call rule results."""

from __future__ import annotations

from dataclasses import dataclass

RULE_STATUSES = ("pass", "fail", "warn", "not_applicable")
VERDICTS = ("compliant", "violations", "needs_review")


@dataclass(frozen=True)
class ConsentEvent:
    type: str  # REC_DISCLOSURE, APPROVAL_GRANTED, ...
    speaker: str
    role: str
    start: float
    end: float
    quote: str  # redacted text, never raw
    turn_indexes: tuple[int, ...] = ()  # the prompt and the answer it links
    confidence: float = 0.0
    why: str = ""  # which cue matched
    details: tuple[str, ...] = ()  # e.g. notice elements said: ("N1", "N2")


@dataclass(frozen=True)
class Evidence:
    start: float
    end: float
    quote: str  # redacted
    note: str = ""


@dataclass(frozen=True)
class RuleResult:
    rule: str  # "R1" .. "R17"
    status: str  # pass | fail | warn | not_applicable
    title: str = ""
    citation: str = ""
    evidence: tuple[Evidence, ...] = ()
    reason: str = ""
