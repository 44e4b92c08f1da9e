"""What our recognizers share: one parse per text, and presidio results that explain themselves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

from callvault.models.entities import ENTITY_KINDS
from callvault.redact.context import Context
from callvault.redact.spoken import NumberRun, SpokenText

CATEGORY = {name: kind.category for name, kind in ENTITY_KINDS.items()}


@dataclass(frozen=True)
class Match:
    """One span a recognizer found, with why; never the matched text."""

    start: int
    end: int
    score: float
    method: str  # "spoken-number", "expression", "lexicon", "answer", "pattern"
    pattern: str = ""  # a name for the rule that matched
    context_words: tuple[str, ...] = ()
    note: str = ""


class TextReader:
    """Parses a text once for all recognizers of one engine (a one-slot cache, injected)."""

    def __init__(self):
        self._key: tuple[str, int] | None = None
        self._context: Context | None = None
        self._roles: tuple[str, tuple[str, ...]] = ("", ())

    def set_roles(self, text: str, roles: tuple[str, ...]) -> None:
        """The role of each line (turn) of ``text``: who asked and who answered."""
        self._roles = (text, tuple(roles))

    def __call__(self, text: str, nlp_artifacts=None) -> Context:
        key = (text, id(nlp_artifacts))
        if self._key != key or self._context is None:
            roles = self._roles[1] if self._roles[0] == text else ()
            ner = []
            if nlp_artifacts is not None and getattr(nlp_artifacts, "entities", None) is not None:
                ner = [(e.start_char, e.end_char, e.label_) for e in nlp_artifacts.entities]
            self._context = Context(SpokenText.parse(text), ner, roles)
            self._key = key
        return self._context


class SpokenRecognizer(EntityRecognizer):
    """A presidio recognizer over the parsed, spoken-number-aware text."""

    ENTITY = ""

    def __init__(self, reader: TextReader):
        self.reader = reader
        super().__init__(supported_entities=[self.ENTITY], name=type(self).__name__, supported_language="en")

    def load(self) -> None:  # nothing to load: rules only
        pass

    def analyze(self, text: str, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        if entities and self.ENTITY not in entities:
            return []
        ctx = self.reader(text, nlp_artifacts)
        return [self._result(m) for m in self.find(ctx)]

    def find(self, ctx: Context) -> Iterable[Match]:
        raise NotImplementedError

    def _result(self, match: Match) -> RecognizerResult:
        explanation = AnalysisExplanation(
            recognizer=self.name,
            original_score=match.score,
            pattern_name=match.pattern or None,
            textual_explanation=match.note or None,
        )
        metadata = {
            RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            "method": match.method,
            "pattern": match.pattern,
            "context_words": tuple(match.context_words),
            "note": match.note,
        }
        return RecognizerResult(self.ENTITY, match.start, match.end, round(min(1.0, match.score), 3), explanation, metadata)


def run_matches(run: NumberRun, score: float, method: str, pattern: str, cue: str | None, note: str = "") -> Iterator[Match]:
    """A run as matches, one per turn it spans, so each covers exactly the words spoken."""
    parts = run.line_parts()
    words = (cue,) if cue else ()
    for index, part in enumerate(parts, 1):
        part_note = note if len(parts) == 1 else f"{note + '; ' if note else ''}part {index} of {len(parts)} (split across turns)"
        yield Match(part.start, part.end, score, method, pattern, words, part_note)


def candidates(ctx: Context) -> Iterator[NumberRun]:
    """Each run, and its parts per turn when a run spans turns."""
    for run in ctx.runs():
        yield run
        parts = run.line_parts()
        if len(parts) > 1:
            yield from parts
