"""What a retention rule may look at: a call's attributes, independent of where they came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from callvault.compliance.rules import EVIDENCE_RETAINED
from callvault.models.compliance import ConsentEvent, RuleResult
from callvault.models.recording import CallMetadata

# Events whose evidence 47 CFR 64.2007(a)(3) and 64.2008(a)(2) require us to
# keep for a year: the same set the compliance stage's R11 checks.
EVIDENCE_EVENTS = frozenset(EVIDENCE_RETAINED)
INCIDENT_RULE = "R16"  # likely pretexting opens a breach incident


@dataclass(frozen=True)
class CallFacts:
    """The attributes of one call that retention rules match on."""

    direction: str | None = None  # inbound | outbound | None when unknown
    tags: tuple[str, ...] = ()
    customer_states: tuple[str, ...] = ()  # US state codes, upper case
    cpni_evidence: bool = False  # has a CPNI approval or notice event
    violations: bool = False  # failed at least one rule check
    incident: bool = False  # R16 failed: a breach incident candidate (64.2011 records, 2 years)

    @classmethod
    def of(
        cls,
        metadata: CallMetadata,
        events: Iterable[ConsentEvent] = (),
        rules: Iterable[RuleResult] = (),
    ) -> "CallFacts":
        """The facts of a call from its records, as the pipeline has them at store time."""
        return cls.build(
            direction=metadata.direction,
            tags=metadata.tags,
            customer_states=metadata.customer_states,
            event_types=(e.type for e in events),
            failed_rules=(r.rule for r in rules if r.status == "fail"),
        )

    @classmethod
    def build(
        cls,
        *,
        direction: str | None,
        tags: Iterable[str] = (),
        customer_states: Iterable[str] = (),
        event_types: Iterable[str] = (),
        failed_rules: Iterable[str] = (),
    ) -> "CallFacts":
        failed = set(failed_rules)
        return cls(
            direction=direction or None,
            tags=tuple(sorted({str(t) for t in tags})),
            customer_states=tuple(sorted({str(s).upper() for s in customer_states})),
            cpni_evidence=any(t in EVIDENCE_EVENTS for t in event_types),
            violations=bool(failed),
            incident=INCIDENT_RULE in failed,
        )
