"""The one list of consent and disclosure event types (docs/CPNI.md section (b)).

Detection emits them, the rules read them, events.json and the catalog store
their names, the labelled-data loader and the benches score them. A StrEnum
member equals its name as a string, so stored names read back unchanged.
"""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    REC_DISCLOSURE = "REC_DISCLOSURE"
    RECORDING_OBJECTION = "RECORDING_OBJECTION"
    CPNI_NOTICE = "CPNI_NOTICE"
    APPROVAL_GRANTED = "APPROVAL_GRANTED"
    APPROVAL_DENIED = "APPROVAL_DENIED"
    APPROVAL_AMBIGUOUS = "APPROVAL_AMBIGUOUS"
    AUTH_CHALLENGE = "AUTH_CHALLENGE"
    AUTH_CHALLENGE_NONCOMPLIANT = "AUTH_CHALLENGE_NONCOMPLIANT"
    AUTH_SUCCESS = "AUTH_SUCCESS"
    AUTH_FAIL = "AUTH_FAIL"
    ALT_DELIVERY_OFFER = "ALT_DELIVERY_OFFER"
    MARKETING_OPT_IN = "MARKETING_OPT_IN"
    MARKETING_OPT_OUT = "MARKETING_OPT_OUT"
    ACCOUNT_CHANGE = "ACCOUNT_CHANGE"
    CHANGE_NOTICE = "CHANGE_NOTICE"  # the 64.2010(f) notice, which R10 looks for


EVENT_TYPES: tuple[EventType, ...] = tuple(EventType)
APPROVALS = (EventType.APPROVAL_GRANTED, EventType.APPROVAL_DENIED, EventType.APPROVAL_AMBIGUOUS)
GRANTS = (EventType.APPROVAL_GRANTED, EventType.MARKETING_OPT_IN)
REFUSALS = (EventType.APPROVAL_DENIED, EventType.MARKETING_OPT_OUT, EventType.APPROVAL_AMBIGUOUS)
MARKETING = (EventType.MARKETING_OPT_IN, EventType.MARKETING_OPT_OUT)
# What 64.2007(a)(3) and 64.2008(a)(2) require kept for a year (R11).
EVIDENCE_RETAINED = (*APPROVALS, EventType.CPNI_NOTICE, *MARKETING)


def event_type(name: str) -> EventType:
    """The EventType of a stored name; ValueError naming the known types otherwise."""
    try:
        return EventType(name)
    except ValueError:
        raise ValueError(f"unknown event type {name!r}; known: {', '.join(EVENT_TYPES)}") from None
