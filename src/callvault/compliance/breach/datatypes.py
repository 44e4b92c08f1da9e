"""What a disclosure gave away, in the terms the notices use: CPNI classes and covered PII.

CPNI classes follow 47 U.S.C. 222(h)(1) and 64.2003 (docs/CPNI.md section 1
and the entity table); "covered data" under FCC 23-111 adds PII: a name with
a government id, login credentials, biometrics (section 4).
"""

from __future__ import annotations

from typing import Iterable

CPNI_CLASSES = {
    "CALL_NUMBER": "call detail: number called or calling",
    "CALL_TIME": "call detail: time of a call",
    "CALL_DURATION": "call detail: duration of a call",
    "CALL_LOCATION": "call detail: location of a call",
    "BILL_AMOUNT": "bill content and account information",
    "ACCOUNT_NUMBER": "account information",
    "SERVICE_PLAN": "type and technical configuration of service",
    "TECH_CONFIG": "technical configuration of service",
    "USAGE_QTY": "amount of use",
}
COVERED_PII = {
    "US_SSN": "covered PII: government identifier (SSN)",
    "BIOGRAPHICAL": "covered PII: biographical identifier (SSN last four, date of birth, maiden name)",
    "AUTH_SECRET": "covered PII: login credential (password, PIN, security answer)",
    "US_DRIVER_LICENSE": "covered PII: government identifier (driver's licence)",
    "US_PASSPORT": "covered PII: government identifier (passport)",
    "EMAIL_ADDRESS": "covered PII: login credential (e-mail address)",
}


def disclosed_types(entities: Iterable[str]) -> list[str]:
    """The classes of the given entities (those the carrier side spoke), CPNI first, each once."""
    labels = {CPNI_CLASSES.get(e) or COVERED_PII.get(e) for e in entities} - {None}
    return sorted(labels, key=lambda label: (label.startswith("covered PII"), label))
