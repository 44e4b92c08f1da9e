"""Recording one processed call: everything it owns, then its row, in one transaction."""

from __future__ import annotations

import dataclasses
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from callvault.compliance.rules import verdict
from callvault.catalog.audit import AuditLog, canonical_json
from callvault.catalog.db import write_transaction
from callvault.catalog.incidents import open_for_call
from callvault.catalog.objects import record_object
from callvault.catalog.state import shredded_at
from callvault.models import ConsentEvent, Finding, Recording, RuleResult, SealedRef, Transcript
from callvault.models.errors import CatalogError
from callvault.redact.leakscan import LONG_NUMBER

# Nine or more digits (the leak check's LONG_NUMBER): redacted text never holds one,
# so seeing one means unredacted text reached the catalog, and we refuse it.
_LONG_NUMBER = LONG_NUMBER


@dataclass(frozen=True)
class StageRecord:
    """How one pipeline stage ran for a recording, for reproducing it later."""

    stage: str  # "decode", "asr", "diarize", "redact", ...
    model: str = ""
    versions: Mapping[str, Any] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    seconds: float | None = None

    @classmethod
    def coerce(cls, value: "StageRecord | Mapping[str, Any]") -> "StageRecord":
        if isinstance(value, StageRecord):
            return value
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(value) - known)
        if unknown or "stage" not in value:
            raise CatalogError(
                f"a stage record needs a 'stage' key and may have only {sorted(known)}; "
                f"got keys {sorted(value)}"
            )
        return cls(**value)


def _json(value: Any) -> str:
    return canonical_json(value)


def _check_redacted(recording_id: str, where: str, text: str) -> None:
    if _LONG_NUMBER.search(text or ""):
        # The value itself never goes into the message.
        raise CatalogError(
            f"recording {recording_id[:12]}: {where} holds a long number (9+ digits); the "
            "catalog stores redacted text only, so redact it before recording the call"
        )


def _check_all_redacted(
    recording_id: str,
    transcript: Transcript,
    findings: Sequence[Finding],
    events: Sequence[ConsentEvent],
    rules: Sequence[RuleResult],
) -> None:
    for index, turn in enumerate(transcript.turns):
        _check_redacted(recording_id, f"turn {index}", turn.text)
    for index, finding in enumerate(findings):
        why = finding.explanation
        _check_redacted(recording_id, f"finding {index} explanation", " ".join((why.note, why.pattern, *why.context_words)))
    for index, event in enumerate(events):
        _check_redacted(recording_id, f"event {index} ({event.type})", " ".join((event.quote, event.why, *event.details)))
    for rule in rules:
        texts = [rule.reason] + [f"{e.quote} {e.note}" for e in rule.evidence]
        _check_redacted(recording_id, f"rule {rule.rule}", " ".join(texts))


def record_call(
    conn: sqlite3.Connection,
    audit: AuditLog,
    recording: Recording,
    transcript: Transcript,
    *,
    processed_at: str,
    findings: Sequence[Finding] = (),
    events: Sequence[ConsentEvent] = (),
    rules: Sequence[RuleResult] = (),
    objects: Sequence[SealedRef] = (),
    stages: Sequence[StageRecord | Mapping[str, Any]] = (),
    pipeline_version: str = "",
    status: str | None = None,
    call_dir: str = "",
    actor: str = "callvault",
) -> bool:
    """Write one processed recording; True when it replaced an earlier record of it.

    ``transcript`` must be the REDACTED transcript. Children first and the
    recording's row last, all in one transaction with its audit entry; a
    recording without its row is not done. Recording the same id again
    replaces everything it owned, so reruns are idempotent.
    """
    if transcript.recording_id != recording.id:
        raise CatalogError(
            f"transcript is of recording {transcript.recording_id[:12]}, not {recording.id[:12]}; "
            "pass the recording's own transcript"
        )
    stage_records = [StageRecord.coerce(s) for s in stages]
    _check_all_redacted(recording.id, transcript, findings, events, rules)
    meta = recording.metadata
    rid = recording.id
    try:
        with write_transaction(conn):
            _refuse_shredded(conn, rid)
            replaced = _write_children(conn, rid, transcript, findings, events, rules, objects, stage_records)
            open_for_call(conn, audit, recording, rules, findings, processed_at, actor)  # R16 failed: breach candidate
            first_turn, last_turn = conn.execute(
                "SELECT min(id), max(id) FROM turns WHERE recording_id = ?", (rid,)
            ).fetchone()
            audit.append(
                "record",
                actor,
                rid,
                "reprocessed" if replaced else "processed",
                {
                    "call_id": meta.call_id,
                    "pipeline_version": pipeline_version,
                    "turns": len(transcript.turns),
                    "findings": len(findings),
                    "events": len(events),
                    "rules": len(rules),
                    "objects": len(objects),
                },
            )
            # Last: the row that says this recording is done.
            conn.execute(
                "INSERT INTO recordings (id, source, call_id, call_dir, metadata, started_at, direction, "
                "agent_id, account_id, duration, size, status, pipeline_version, processed_at, first_turn, last_turn) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    rid, recording.source, meta.call_id, call_dir, _json(meta.to_dict()), meta.started_at,
                    meta.direction, meta.agent_id, meta.account_id, transcript.duration, recording.size,
                    status or verdict(list(rules)), pipeline_version, processed_at, first_turn, last_turn,
                ),
            )
    except sqlite3.IntegrityError as exc:
        raise CatalogError(
            f"recording {rid[:12]} breaks a catalog constraint ({exc}); nothing was written"
        ) from None
    audit.anchor()
    return replaced


def _refuse_shredded(conn: sqlite3.Connection, rid: str) -> None:
    when = shredded_at(conn, rid)
    if when is not None:
        raise CatalogError(
            f"recording {rid[:12]} was shredded by retention ({when}); a shredded recording is never "
            "stored again, so its purged row stays as it is"
        )


def _write_children(
    conn: sqlite3.Connection,
    rid: str,
    transcript: Transcript,
    findings: Sequence[Finding],
    events: Sequence[ConsentEvent],
    rules: Sequence[RuleResult],
    objects: Sequence[SealedRef],
    stages: Sequence[StageRecord],
) -> bool:
    """Replace what the recording owns; True when an earlier record of it existed."""
    # Cascades to turns (and so the FTS index), findings, events, rules and stages; the
    # objects stay (they exist in the store) and are updated below.
    replaced = conn.execute("DELETE FROM recordings WHERE id = ?", (rid,)).rowcount > 0
    conn.executemany(
        "INSERT INTO turns (recording_id, idx, speaker, role, start_time, end_time, text) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(rid, i, t.speaker, t.role, t.start, t.end, t.text) for i, t in enumerate(transcript.turns)],
    )
    conn.executemany(
        "INSERT INTO findings (recording_id, idx, category, entity, start_time, end_time, speaker, role, "
        "score, explanation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (rid, i, f.category, f.entity, f.start, f.end, f.speaker, f.role, f.score,
             _json(dataclasses.asdict(f.explanation)))
            for i, f in enumerate(findings)
        ],
    )
    conn.executemany(
        "INSERT INTO events (recording_id, idx, type, speaker, role, start_time, end_time, quote, "
        "turn_indexes, confidence, why, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (rid, i, e.type, e.speaker, e.role, e.start, e.end, e.quote, _json(list(e.turn_indexes)),
             e.confidence, e.why, _json(list(e.details)))
            for i, e in enumerate(events)
        ],
    )
    conn.executemany(
        "INSERT INTO rule_results (recording_id, rule, status, title, citation, reason, evidence) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (rid, r.rule, r.status, r.title, r.citation, r.reason,
             _json([dataclasses.asdict(e) for e in r.evidence]))
            for r in rules
        ],
    )
    for ref in objects:
        if ref.recording_id != rid:
            raise CatalogError(f"a {ref.kind} object of recording {ref.recording_id[:12]} was passed with {rid[:12]}")
        record_object(conn, ref)
    conn.executemany(
        "INSERT INTO stages (recording_id, stage, model, versions, settings, seconds) VALUES (?, ?, ?, ?, ?, ?)",
        [(rid, s.stage, s.model, _json(dict(s.versions)), _json(dict(s.settings)), s.seconds) for s in stages],
    )
    return replaced
