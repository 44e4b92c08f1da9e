"""The facts outside the dialogue that rules R5, R9, R11 and R17 need, read from the catalog.

``rule_context`` is what the pipeline calls for each recording: callback facts
from the sidecar (``callback``, ``customer_number``) and the account's numbers
of record, supervisor-approval records for an outbound call (by call id or
campaign id), and the call's hold and deletion history. ``context_from_dict``
reads the same facts from a labelled dialogue's ``context`` table.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping, Sequence

from callvault.compliance.context import CallbackFacts, RedactionFacts, RetentionFacts, RuleContext
from callvault.models.findings import Finding
from callvault.models.recording import CallMetadata
from callvault.models.timespan import TimeSpan


def rule_context(catalog: Any, metadata: CallMetadata, recording_id: str) -> RuleContext:
    """A RuleContext from an open Catalog for one recording (before its own row is written)."""
    from callvault.catalog.facts import numbers_of_record, supervisor_approved
    from callvault.retention.state import retention_facts

    callback = None
    if metadata.callback is not None:
        known = numbers_of_record(catalog.conn, metadata.account_id) if metadata.account_id else ()
        if not metadata.callback:
            callback = CallbackFacts(is_callback=False, to_number_of_record=False)
        elif known and metadata.customer_number:
            callback = CallbackFacts(is_callback=True, to_number_of_record=_digits(metadata.customer_number) in {_digits(n) for n in known})
    supervisor = None
    if metadata.direction == "outbound":
        supervisor = supervisor_approved(catalog.conn, metadata.call_id, metadata.campaign_id)
    retention = retention_facts(catalog, recording_id)
    if not retention.on_legal_hold:  # a first run: the call's row (call and account ids) is not written yet
        retention = replace(retention, on_legal_hold=_held(catalog.conn, metadata, recording_id))
    return RuleContext(callback=callback, supervisor_approval=supervisor, retention=retention)


def _held(conn, metadata: CallMetadata, recording_id: str) -> bool:
    from callvault.catalog.state import list_holds

    for hold in list_holds(conn):
        if (hold.scope == "call" and hold.value in (recording_id, metadata.call_id)) or (
            hold.scope == "account" and metadata.account_id is not None and hold.value == metadata.account_id
        ):
            return True
    return False


def event_model_for(options):
    """The consent-event model for a worker (None when ``[compliance] event_model = false``)."""
    from callvault.compliance.model import event_model_for as build

    return build(options)


def _digits(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())
    return digits[-10:]  # US numbers with or without the leading 1


def context_from_dict(raw: Mapping[str, Any], findings: Sequence[Finding] = ()) -> RuleContext:
    """Facts from a dict (a labelled dialogue's ``context``); ``"scrub": "all"|"none"`` stands for redaction facts."""
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
