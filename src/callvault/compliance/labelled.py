"""Labelled dialogues (tests/data/dialogues/*.json) as records, for tests and the benchmark.

A dialogue file holds the call's metadata, its turns (role, text, optional
start/end), the gold events (type, turn index), the gold findings the rules
need (turn index, substring, entity) and the gold rule outcomes. Word times
are spread evenly over each turn; turns without times follow each other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from callvault.compliance.context import CallbackFacts, RedactionFacts, RetentionFacts, RuleContext
from callvault.models.errors import InputError
from callvault.models.findings import Explanation, Finding
from callvault.models.recording import CallMetadata
from callvault.models.timespan import TimeSpan
from callvault.models.transcript import Speaker, Transcript, Turn, Word

SECONDS_PER_WORD = 0.32
GAP = 0.6
SPEAKERS = {"agent": "S0", "customer": "S1", "ivr": "S2"}
CATEGORY = {
    **dict.fromkeys(("CALL_NUMBER", "CALL_TIME", "CALL_DURATION", "CALL_LOCATION", "BILL_AMOUNT", "SERVICE_PLAN", "USAGE_QTY", "TECH_CONFIG", "ACCOUNT_NUMBER"), "CPNI"),
    **dict.fromkeys(("PAN", "CVV", "CARD_EXPIRY"), "PCI"),
}


@dataclass(frozen=True)
class GoldEvent:
    type: str
    turn: int


@dataclass(frozen=True)
class LabelledDialogue:
    name: str
    transcript: Transcript
    findings: tuple[Finding, ...]
    metadata: CallMetadata
    context: RuleContext
    events: tuple[GoldEvent, ...]
    rules: Mapping[str, str] = field(default_factory=dict)
    description: str = ""


def _turns(raw_turns: list[Mapping[str, Any]]) -> list[Turn]:
    turns, clock = [], 0.0
    for item in raw_turns:
        role = item["role"]
        words = item["text"].split()
        start = float(item.get("start", clock))
        end = float(item.get("end", start + SECONDS_PER_WORD * len(words)))
        step = (end - start) / max(1, len(words))
        speaker = SPEAKERS.get(role, "S9")
        turns.append(Turn(speaker, role, tuple(Word(round(start + i * step, 3), round(start + (i + 1) * step - 0.02, 3), w, 1.0, speaker) for i, w in enumerate(words))))
        clock = end + GAP
    return turns


def _findings(transcript: Transcript, raw: list[Mapping[str, Any]]) -> tuple[Finding, ...]:
    offsets = transcript.turn_offsets()
    found = []
    for item in raw:
        index, needle = int(item["turn"]), item["text"]
        turn_text = transcript.turns[index].text
        at = turn_text.find(needle)
        if at < 0:
            raise InputError(f"turn {index}", f"finding text {needle!r} is not in the turn; fix the dialogue file")
        start = offsets[index][0] + at
        span = transcript.time_span_of(start, start + len(needle))
        turn = transcript.turns[index]
        found.append(
            Finding(
                category=item.get("category", CATEGORY.get(item["entity"], "PII")),
                entity=item["entity"],
                char_start=start,
                char_end=start + len(needle),
                start=span.start,
                end=span.end,
                speaker=turn.speaker,
                role=turn.role,
                score=1.0,
                explanation=Explanation("gold", method="label"),
            )
        )
    return tuple(found)


def _context(raw: Mapping[str, Any], findings: tuple[Finding, ...]) -> RuleContext:
    """Context facts; ``"scrub": "all"|"none"`` is a shorthand for redaction facts."""
    redaction = None
    if "scrub" in raw:
        covered = [f for f in findings if f.category == "PCI" or f.entity == "AUTH_SECRET"] if raw["scrub"] == "all" else []
        redaction = RedactionFacts(
            audio_spans=tuple(TimeSpan(f.start, f.end) for f in covered),
            text_spans=tuple((f.char_start, f.char_end) for f in covered),
        )
    callback = CallbackFacts(**raw["callback"]) if "callback" in raw else None
    retention = None
    if "retention" in raw:
        r = raw["retention"]
        retention = RetentionFacts(bool(r.get("on_legal_hold", False)), tuple(r.get("deletion_attempts", ())), r.get("evidence_deleted_at"))
    return RuleContext(
        redaction=redaction,
        callback=callback,
        supervisor_approval=raw.get("supervisor_approval"),
        retention=retention,
        change_notice_sent=raw.get("change_notice_sent"),
        cpni_shared_with_third_party=bool(raw.get("cpni_shared_with_third_party", False)),
    )


def dialogue_from_dict(doc: Mapping[str, Any], name: str = "dialogue") -> LabelledDialogue:
    try:
        turns = _turns(doc["turns"])
        roles = sorted({t.role for t in turns})
        transcript = Transcript(
            recording_id=f"dialogue-{name}",
            turns=tuple(turns),
            speakers=tuple(Speaker(SPEAKERS.get(r, "S9"), r) for r in roles),
            duration=max((t.end for t in turns), default=0.0) + 1.0,
        )
        findings = _findings(transcript, doc.get("findings", []))
        meta = doc.get("metadata", {})
        metadata = CallMetadata(
            call_id=name,
            direction=meta.get("direction"),
            started_at=meta.get("started_at"),
            customer_states=tuple(meta.get("customer_states", ())),
        )
        return LabelledDialogue(
            name=name,
            transcript=transcript,
            findings=findings,
            metadata=metadata,
            context=_context(doc.get("context", {}), findings),
            events=tuple(GoldEvent(e["type"], int(e["turn"])) for e in doc.get("events", [])),
            rules=dict(doc.get("rules", {})),
            description=doc.get("description", ""),
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise InputError(name, f"not a labelled dialogue ({type(exc).__name__}: {exc})") from None


def load_dialogue(path: str | Path) -> LabelledDialogue:
    path = Path(path)
    return dialogue_from_dict(json.loads(path.read_text(encoding="utf-8")), path.stem)


def load_dialogues(folder: str | Path) -> list[LabelledDialogue]:
    return [load_dialogue(p) for p in sorted(Path(folder).glob("*.json"))]
