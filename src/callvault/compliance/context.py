"""Facts from outside the dialogue that some rules need, injected by the caller.

Every field defaults to ``None`` ("not known"): a rule whose facts are absent
reports ``not_applicable`` and says which fact it lacked, instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass

from callvault.models.timespan import TimeSpan


@dataclass(frozen=True)
class RedactionFacts:
    """What the redact and vault stages removed from what is stored (R14, R15)."""

    audio_spans: tuple[TimeSpan, ...] | None = None  # silenced in the stored audio
    text_spans: tuple[tuple[int, int], ...] | None = None  # masked in the stored transcript (char spans)


@dataclass(frozen=True)
class CallbackFacts:
    """Whether this call is the carrier calling the customer back (R5)."""

    is_callback: bool
    to_number_of_record: bool


@dataclass(frozen=True)
class RetentionFacts:
    """Hold and deletion history of this call's evidence (R11, R17)."""

    on_legal_hold: bool = False
    deletion_attempts: tuple[str, ...] = ()  # ISO 8601 times a deletion was attempted
    evidence_deleted_at: str | None = None  # ISO 8601, when approval/notice evidence was deleted


@dataclass(frozen=True)
class CarrierFacts:
    """Whether CPNI applies to this call (see compliance.carrier), and why."""

    carrier: bool
    reason: str


@dataclass(frozen=True)
class RuleContext:
    redaction: RedactionFacts | None = None
    callback: CallbackFacts | None = None
    supervisor_approval: bool | None = None  # R9: a 64.2009(d) record exists for this outbound request
    retention: RetentionFacts | None = None
    change_notice_sent: bool | None = None  # R10: the system sent the 64.2010(f) notice itself
    cpni_shared_with_third_party: bool = False  # R7: then N6 (recipient) is required too
    carrier: CarrierFacts | None = None  # not a carrier's call: R1-R11 are not applicable
