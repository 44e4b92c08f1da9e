"""events.json and rules.json: ConsentEvents and RuleResults to and from plain dicts."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from callvault.models.compliance import RULE_STATUSES, ConsentEvent, Evidence, RuleResult
from callvault.models.errors import InputError


def event_to_dict(event: ConsentEvent) -> dict:
    return {
        "type": event.type,
        "speaker": event.speaker,
        "role": event.role,
        "start": round(event.start, 3),
        "end": round(event.end, 3),
        "quote": event.quote,
        "turn_indexes": list(event.turn_indexes),
        "confidence": round(event.confidence, 3),
        "why": event.why,
        "details": list(event.details),
    }


def events_to_dicts(events: Iterable[ConsentEvent]) -> list[dict]:
    return [event_to_dict(e) for e in events]


def events_from_dicts(docs: Iterable[Mapping[str, Any]], source: str = "events.json") -> list[ConsentEvent]:
    try:
        return [
            ConsentEvent(
                type=str(d["type"]),
                speaker=str(d.get("speaker", "")),
                role=str(d.get("role", "unknown")),
                start=float(d["start"]),
                end=float(d["end"]),
                quote=str(d.get("quote", "")),
                turn_indexes=tuple(int(i) for i in d.get("turn_indexes", ())),
                confidence=float(d.get("confidence", 0.0)),
                why=str(d.get("why", "")),
                details=tuple(str(x) for x in d.get("details", ())),
            )
            for d in docs
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(source, f"not a callvault events list ({type(exc).__name__}: {exc}); re-run `callvault process` for this call") from None


def _evidence_dict(e: Evidence) -> dict:
    return {"start": round(e.start, 3), "end": round(e.end, 3), "quote": e.quote, "note": e.note}


def rule_to_dict(result: RuleResult) -> dict:
    return {
        "rule": result.rule,
        "status": result.status,
        "title": result.title,
        "citation": result.citation,
        "reason": result.reason,
        "evidence": [_evidence_dict(e) for e in result.evidence],
    }


def rules_to_dicts(results: Iterable[RuleResult]) -> list[dict]:
    return [rule_to_dict(r) for r in results]


def rules_from_dicts(docs: Iterable[Mapping[str, Any]], source: str = "rules.json") -> list[RuleResult]:
    try:
        results = [
            RuleResult(
                rule=str(d["rule"]),
                status=str(d["status"]),
                title=str(d.get("title", "")),
                citation=str(d.get("citation", "")),
                reason=str(d.get("reason", "")),
                evidence=tuple(
                    Evidence(float(e["start"]), float(e["end"]), str(e.get("quote", "")), str(e.get("note", ""))) for e in d.get("evidence", ())
                ),
            )
            for d in docs
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(source, f"not a callvault rules list ({type(exc).__name__}: {exc}); re-run `callvault process` for this call") from None
    unknown = sorted({r.status for r in results} - set(RULE_STATUSES))
    if unknown:
        raise InputError(source, f"unknown rule status {', '.join(unknown)}; re-run `callvault process` for this call")
    return results
