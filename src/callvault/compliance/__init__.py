"""Consent and disclosure events, per-call CPNI rule checks, and officer reports.

    events = detect_events(transcript, findings, metadata, options)
    results = run_rules(transcript, events, findings, metadata, options, context)
    verdict(results)  # "compliant" | "violations" | "needs_review"
"""

from callvault.compliance.answers import Answer, classify_answer
from callvault.compliance.context import CallbackFacts, RedactionFacts, RetentionFacts, RuleContext
from callvault.compliance.detect import detect_events
from callvault.compliance.options import ALL_PARTY_STATES, WARN_RULES, ComplianceOptions
from callvault.compliance.quotes import redact_span
from callvault.compliance.rules import RULE_IDS, RULES, run_rules, verdict
from callvault.models.events import EVENT_TYPES, EventType
from callvault.compliance.serialize import events_from_dicts, events_to_dicts, rules_from_dicts, rules_to_dicts

__all__ = [
    "ALL_PARTY_STATES",
    "Answer",
    "CallbackFacts",
    "ComplianceOptions",
    "EVENT_TYPES",
    "EventType",
    "RULES",
    "RULE_IDS",
    "RedactionFacts",
    "RetentionFacts",
    "RuleContext",
    "WARN_RULES",
    "classify_answer",
    "detect_events",
    "events_from_dicts",
    "events_to_dicts",
    "redact_span",
    "rules_from_dicts",
    "rules_to_dicts",
    "run_rules",
    "verdict",
]
