"""Applying findings: a redacted Transcript, and findings as JSON without raw values.

Each finding's words collapse into one Word whose text is a placeholder
(``[CALL_NUMBER]``, or ``[PAN ****1111]`` when masked) spanning those words'
times, so the ordinary transcript writers write redacted JSON, text and VTT.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from typing import Iterable, Sequence

from callvault.models import Finding, TimeSpan, Transcript, Turn, Word, merge_spans
from callvault.redact.policy import DEFAULT_POLICY, RedactionPolicy
from callvault.redact.spoken import spoken_digits

_PART = re.compile(r"part (\d+) of (\d+)")


def placeholder(finding: Finding, action: str, spoken: str) -> str:
    """``[ENTITY]``, or ``[ENTITY ****1234]`` for mask: the last four only, and only when
    they are the number's last four (not of a part of a number split across turns)."""
    if action != "mask":
        return f"[{finding.entity}]"
    digits = spoken_digits(spoken)
    part = _PART.search(finding.explanation.note)
    last_part = (part is None or part.group(1) == part.group(2)) and "last four uncertain" not in finding.explanation.note
    whole = len(digits) >= 8 or (part is not None and len(digits) >= 4)
    if last_part and whole:
        return f"[{finding.entity} ****{digits[-4:]}]"
    return f"[{finding.entity} ****]"


def redact_transcript(transcript: Transcript, findings: Sequence[Finding], policy: RedactionPolicy = DEFAULT_POLICY) -> Transcript:
    """The transcript with each redacted or masked finding's words replaced by one placeholder word."""
    offsets = transcript.word_offsets()
    ends = [wo.char_end for wo in offsets]
    owner: dict[int, int] = {}  # word index -> finding index
    for index, finding in sorted(enumerate(findings), key=lambda p: p[1].char_start):
        if policy.action(finding.entity) == "keep":
            continue
        w = bisect.bisect_right(ends, finding.char_start)
        while w < len(offsets) and offsets[w].char_start < finding.char_end:
            owner.setdefault(w, index)
            w += 1
    turns, w = [], 0
    for turn in transcript.turns:
        words: list[Word] = []
        run: list[tuple[int, Word]] = []

        def flush():
            if not run:
                return
            finding = findings[owner[run[0][0]]]
            spoken = " ".join(word.text for _, word in run)
            words.append(Word(
                start=min(word.start for _, word in run),
                end=max(word.end for _, word in run),
                text=placeholder(finding, policy.action(finding.entity), spoken),
                probability=min(word.probability for _, word in run),
                speaker=run[0][1].speaker,
            ))
            run.clear()

        for word in turn.words:
            if w in owner:
                if run and owner[run[0][0]] != owner[w]:
                    flush()
                run.append((w, word))
            else:
                flush()
                words.append(word)
            w += 1
        flush()
        turns.append(Turn(turn.speaker, turn.role, tuple(words)))
    provenance = dict(transcript.provenance)
    provenance["redaction"] = {"redacted": True, "findings": len(findings), "policy": policy.describe()}
    return dataclasses.replace(transcript, turns=tuple(turns), provenance=provenance)


def redaction_spans(findings: Iterable[Finding], policy: RedactionPolicy = DEFAULT_POLICY) -> list[TimeSpan]:
    """The audio spans to replace: every finding not kept, merged (unpadded; redact_audio pads)."""
    return merge_spans(f.audio_span for f in findings if policy.action(f.entity) != "keep")


def findings_to_dicts(findings: Iterable[Finding], policy: RedactionPolicy | None = None) -> list[dict]:
    """Findings as JSON-ready dicts: where, when, who, why; never the value itself."""
    docs = []
    for f in findings:
        doc = {
            "category": f.category,
            "entity": f.entity,
            "char_start": f.char_start,
            "char_end": f.char_end,
            "start": round(f.start, 3),
            "end": round(f.end, 3),
            "speaker": f.speaker,
            "role": f.role,
            "score": round(f.score, 3),
            "explanation": {
                "recognizer": f.explanation.recognizer,
                "method": f.explanation.method,
                "pattern": f.explanation.pattern,
                "original_score": round(f.explanation.original_score, 3),
                "context_words": list(f.explanation.context_words),
                "note": f.explanation.note,
            },
        }
        if policy is not None:
            action = policy.action(f.entity)
            doc["action"] = action
            if action != "keep":
                span = f.audio_span.padded(policy.margin)
                doc["audio_redacted"] = {"start": round(span.start, 3), "end": round(span.end, 3), "mode": policy.audio_mode}
        docs.append(doc)
    return docs
