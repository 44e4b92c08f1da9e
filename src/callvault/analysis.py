"""The analysis stages after transcription: detect, redact, consent events, rule checks.

Pure over records: a Transcript and its metadata in, a CallAnalysis out. The
detector is passed in, built once per process by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from callvault.compliance import ComplianceOptions, RedactionFacts, RuleContext, detect_events, run_rules, verdict
from callvault.compliance.carrier import CarrierDecision, decide_carrier
from callvault.compliance.context import CarrierFacts
from callvault.models.entities import CPNI
from callvault.models import ConsentEvent, Finding, RuleResult, TimeSpan, Transcript
from callvault.models.recording import CallMetadata
from callvault.redact import RedactionPolicy, pci_scrub_spans, redact_transcript, redaction_spans


class FindingDetector(Protocol):
    def detect(self, transcript: Transcript) -> list[Finding]: ...


@dataclass(frozen=True)
class CallAnalysis:
    findings: tuple[Finding, ...]
    redacted: Transcript  # what may be written, indexed and shown
    events: tuple[ConsentEvent, ...]
    rules: tuple[RuleResult, ...]
    verdict: str
    redaction_spans: tuple[TimeSpan, ...]  # replaced in the redacted audio
    scrub_spans: tuple[TimeSpan, ...]  # silenced in the stored original (PCI DSS 3.3.1)
    carrier: CarrierDecision | None = None  # whether CPNI applied to this call, and why


def analyse_call(
    transcript: Transcript,
    metadata: CallMetadata,
    detector: FindingDetector,
    policy: RedactionPolicy,
    compliance: ComplianceOptions,
    context: RuleContext = RuleContext(),
    event_model=None,
) -> CallAnalysis:
    """``event_model``: the learned second opinion for consent events (compliance.model), or None."""
    carrier = decide_carrier(transcript, metadata, compliance.carrier)
    findings = tuple(detector.detect(transcript))
    if not carrier.carrier:  # CPNI exists only between a carrier and its customer
        findings = tuple(f for f in findings if f.entity not in CPNI)
    scrub = tuple(pci_scrub_spans(findings, policy))
    text_spans = tuple((f.char_start, f.char_end) for f in findings if policy.action(f.entity) != "keep")
    facts = RedactionFacts(audio_spans=scrub, text_spans=text_spans)
    events = tuple(detect_events(transcript, findings, metadata, compliance, event_model, carrier=carrier.carrier))
    context = replace(context, carrier=CarrierFacts(carrier.carrier, carrier.explanation))
    rules = tuple(run_rules(transcript, events, findings, metadata, compliance, _with_redaction(context, facts)))
    return CallAnalysis(
        findings=findings,
        redacted=redact_transcript(transcript, findings, policy),
        events=events,
        rules=rules,
        verdict=verdict(rules),
        redaction_spans=tuple(redaction_spans(findings, policy)),
        scrub_spans=scrub,
        carrier=carrier,
    )


def _with_redaction(context: RuleContext, facts: RedactionFacts) -> RuleContext:
    return context if context.redaction is not None else replace(context, redaction=facts)


def findings_document(recording_id: str, analysis: CallAnalysis, policy: RedactionPolicy) -> dict:
    """findings.json: every finding (no raw values), the policy, and the PCI scrub list."""
    from callvault.redact import findings_to_dicts

    return {
        "recording_id": recording_id,
        "policy": policy.describe(),
        "warnings": list(policy.warnings),
        "pci_scrub": [{"start": round(s.start, 3), "end": round(s.end, 3)} for s in analysis.scrub_spans],
        "carrier": None if analysis.carrier is None else {"carrier": analysis.carrier.carrier, "source": analysis.carrier.source, "reason": analysis.carrier.reason},
        "findings": findings_to_dicts(analysis.findings, policy),
    }


