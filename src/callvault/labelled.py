"""Labelled call dialogues: one loader for the shared set and the project's own sets.

The format is that of ../shared/data/dialogues/README.md::

    {"id": "a007", "description": "...", "direction": "inbound", "customer_states": ["PA"],
     "style": "whisper", "carrier": true,
     "turns": [{"role": "agent", "text": "..."}, ...],
     "entities": [{"turn": 6, "text": "570-209-7713", "entity": "CALL_NUMBER"}],
     "negatives": [{"turn": 8, "text": "the 1st", "not": "CALL_TIME"}],
     "events": [{"turn": 2, "event": "REC_DISCLOSURE"}],
     "rules": {"R1": "fail"}}

The project's older compliance dialogues (tests/data/dialogues/) are read too:
there ``findings`` stands for ``entities``, events give ``type`` for
``event``, ``metadata`` holds direction/started_at/customer_states, and a
``context`` table holds rule facts (kept raw for the compliance stage).

A Transcript is built with evenly spaced word times (a turn may give
``start``/``end``) and one speaker per role (agent S0, customer S1, ivr S2).
A span's ``text`` is an exact substring of its turn (the first occurrence,
whitespace collapsed as the transcript does).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from callvault.models.entities import category_of
from callvault.models.errors import InputError
from callvault.models.findings import Explanation, Finding
from callvault.models.recording import CallMetadata
from callvault.models.transcript import Speaker, Transcript, Turn, Word

SECONDS_PER_WORD = 0.32
TURN_GAP = 0.6
SPEAKER_OF_ROLE = {"agent": "S0", "customer": "S1", "ivr": "S2"}


@dataclass(frozen=True)
class GoldSpan:
    """A labelled span: its entity, where it is in the transcript text, and its turn."""

    entity: str
    char_start: int
    char_end: int
    turn: int


@dataclass(frozen=True)
class GoldNegative:
    """A span that must not be reported as ``entity``."""

    entity: str
    char_start: int
    char_end: int
    turn: int


@dataclass(frozen=True)
class GoldEvent:
    type: str
    turn: int


@dataclass(frozen=True)
class LabelledDialogue:
    id: str
    transcript: Transcript
    entities: tuple[GoldSpan, ...]
    negatives: tuple[GoldNegative, ...] = ()
    events: tuple[GoldEvent, ...] = ()
    rules: Mapping[str, str] = field(default_factory=dict)
    metadata: CallMetadata = field(default_factory=CallMetadata)
    carrier: bool | None = None  # None: not labelled
    style: str = ""  # "whisper" | "spoken" | ""
    description: str = ""
    context: Mapping[str, Any] = field(default_factory=dict)  # rule facts, raw (compliance reads them)

    @property
    def gold(self) -> tuple[GoldSpan, ...]:
        return self.entities

    @property
    def name(self) -> str:
        return self.id


def transcript_from_turns(turns: Sequence[Mapping[str, Any]], recording_id: str = "labelled") -> Transcript:
    """A Transcript from (role, text) turns: evenly spaced word times, one speaker per role."""
    built, clock, roles = [], 0.0, []
    for item in turns:
        role = str(item.get("role", "unknown"))
        speaker = SPEAKER_OF_ROLE.get(role, "S9")
        texts = str(item["text"]).split()
        start = float(item.get("start", clock))
        end = float(item.get("end", start + SECONDS_PER_WORD * len(texts)))
        step = (end - start) / max(1, len(texts))
        words = tuple(
            Word(round(start + i * step, 3), round(start + (i + 1) * step - 0.02, 3), text, 1.0, speaker)
            for i, text in enumerate(texts)
        )
        built.append(Turn(speaker, role, words))
        if role not in roles:
            roles.append(role)
        clock = end + TURN_GAP
    return Transcript(
        recording_id=recording_id,
        turns=tuple(built),
        speakers=tuple(Speaker(SPEAKER_OF_ROLE.get(r, "S9"), r) for r in roles),
        duration=round(clock, 3),
        provenance={"source": "labelled"},
    )


def _locate(transcript: Transcript, offsets: list[tuple[int, int]], item: Mapping[str, Any]) -> tuple[int, int, int]:
    turn = int(item["turn"])
    needle = " ".join(str(item["text"]).split())
    at = transcript.turns[turn].text.find(needle)
    if at < 0 or not needle:
        raise ValueError(f"span text is not in turn {turn}")
    start = offsets[turn][0] + at
    return turn, start, start + len(needle)


def dialogue_from_dict(doc: Mapping[str, Any], name: str = "dialogue") -> LabelledDialogue:
    """A LabelledDialogue from a parsed file; InputError naming the dialogue and the problem."""
    try:
        ident = str(doc.get("id", name))
        transcript = transcript_from_turns(doc["turns"], recording_id=ident)
        offsets = transcript.turn_offsets()
        raw_entities = doc.get("entities", doc.get("findings", doc.get("gold", [])))
        entities = tuple(GoldSpan(str(e["entity"]), *_span(transcript, offsets, e)) for e in raw_entities)
        negatives = tuple(GoldNegative(str(n["not"]), *_span(transcript, offsets, n)) for n in doc.get("negatives", []))
        events = tuple(GoldEvent(str(e.get("event", e.get("type"))), int(e["turn"])) for e in doc.get("events", []))
        meta = {**doc.get("metadata", {}), **{k: doc[k] for k in ("direction", "started_at", "customer_states") if k in doc}}
        metadata = CallMetadata(
            call_id=ident,
            direction=meta.get("direction"),
            started_at=meta.get("started_at"),
            customer_states=tuple(meta.get("customer_states", ())),
        )
        carrier = doc.get("carrier")
        return LabelledDialogue(
            id=ident,
            transcript=transcript,
            entities=entities,
            negatives=negatives,
            events=events,
            rules=dict(doc.get("rules", {})),
            metadata=metadata,
            carrier=None if carrier is None else bool(carrier),
            style=str(doc.get("style", "")),
            description=str(doc.get("description", "")),
            context=dict(doc.get("context", {})),
        )
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise InputError(name, f"not a labelled dialogue ({type(exc).__name__}: {exc}); see shared/data/dialogues/README.md") from None


def _span(transcript: Transcript, offsets: list[tuple[int, int]], item: Mapping[str, Any]) -> tuple[int, int, int]:
    turn, start, end = _locate(transcript, offsets, item)
    return start, end, turn


def load_dialogue(path: str | Path) -> LabelledDialogue:
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(path, f"cannot read a labelled dialogue ({type(exc).__name__})") from None
    try:
        return dialogue_from_dict(doc, path.stem)
    except InputError as exc:
        raise InputError(path, exc.reason) from None


def load_dialogues(folder: str | Path) -> list[LabelledDialogue]:
    """Every ``*.json`` dialogue in ``folder``, by file name."""
    return [load_dialogue(p) for p in sorted(Path(folder).glob("*.json"))]


def gold_findings(dialogue: LabelledDialogue) -> tuple[Finding, ...]:
    """The labelled spans as Findings (category from the entity registry), for rule checks."""
    found = []
    for gold in dialogue.entities:
        turn = dialogue.transcript.turns[gold.turn]
        span = dialogue.transcript.time_span_of(gold.char_start, gold.char_end)
        found.append(Finding(
            category=category_of(gold.entity),
            entity=gold.entity,
            char_start=gold.char_start,
            char_end=gold.char_end,
            start=span.start,
            end=span.end,
            speaker=turn.speaker,
            role=turn.role,
            score=1.0,
            explanation=Explanation("gold", method="label"),
        ))
    return tuple(found)
