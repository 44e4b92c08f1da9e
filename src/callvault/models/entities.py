"""The one registry of entity classes: what each is, and what may be done with it.

Every stage reads entity facts from here, so names cannot drift between the
detector (which classes it reports), the redaction policy (what may be kept
or masked), the PCI scrub of the stored original, the rule checks, the leak
checks and the labelled-data loader.

- ``category``: CPNI (47 U.S.C. 222(h)(1)), PII or PCI.
- ``call_detail``: call detail in the sense of 47 CFR 64.2003(d) (number,
  time, duration, location of a specific call); R1/R4/R5 look at these.
- ``default_action``: what the policy does unless configured ("redact", or
  "mask" to the last four as PCI DSS 3.4.1 allows for a PAN).
- ``never_kept`` / ``never_masked``: the policy refuses "keep" / "mask".
- ``sad``: sensitive authentication data (PCI DSS 3.3.1: CVV2/CVC2/CID, PIN)
  and spoken secrets. It is silenced in the stored original (``pci_scrub``)
  and must never be stored. A PIN spoken in a call is detected as
  AUTH_SECRET (a PIN, passcode or security answer are one class to the
  detector), so R14 ("CVV or PIN in stored audio or transcript") must read
  this flag (``SAD``), not a list of names such as CVV/PIN/CARD_PIN, or it
  never sees a spoken PIN.
- ``sensitive``: a character of it must stay redacted even when a finding of
  another class overlaps it and that class is kept by policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

CATEGORIES = ("CPNI", "PII", "PCI")


@dataclass(frozen=True)
class EntityKind:
    name: str
    category: str  # CPNI | PII | PCI
    description: str
    call_detail: bool = False
    default_action: str = "redact"  # redact | mask
    never_kept: bool = False
    never_masked: bool = False
    sad: bool = False  # sensitive authentication data: never stored, scrubbed from the original
    sensitive: bool = False  # redacted wherever any finding covers it

    @property
    def pci_scrub(self) -> bool:
        """Silenced in the stored original recording (PCI DSS 3.3.1)."""
        return self.sad


def _kinds(*kinds: EntityKind) -> Mapping[str, EntityKind]:
    return MappingProxyType({k.name: k for k in kinds})


ENTITY_KINDS: Mapping[str, EntityKind] = _kinds(
    EntityKind("CALL_NUMBER", "CPNI", "number called or calling", call_detail=True),
    EntityKind("CALL_TIME", "CPNI", "when a specific call was made", call_detail=True),
    EntityKind("CALL_DURATION", "CPNI", "how long a specific call lasted", call_detail=True),
    EntityKind("CALL_LOCATION", "CPNI", "where a call was made or carried (roaming, tower)", call_detail=True),
    EntityKind("BILL_AMOUNT", "CPNI", "an amount from the customer's bill"),
    EntityKind("SERVICE_PLAN", "CPNI", "the customer's plan, add-ons and features"),
    EntityKind("USAGE_QTY", "CPNI", "amount of use: minutes, data, texts, calls"),
    EntityKind("TECH_CONFIG", "CPNI", "technical configuration: forwarding, SIM/IMEI, feature settings"),
    EntityKind("ACCOUNT_NUMBER", "CPNI", "account number or part of it"),
    EntityKind("AUTH_SECRET", "PII", "passcode, PIN, password or security answer", never_kept=True, never_masked=True, sad=True, sensitive=True),
    EntityKind("BIOGRAPHICAL", "PII", "SSN last four, date of birth, mother's maiden name", sensitive=True),
    EntityKind("US_SSN", "PII", "a full social security number", sensitive=True),
    EntityKind("PAN", "PCI", "payment card number", default_action="mask", never_kept=True, sensitive=True),
    EntityKind("CVV", "PCI", "card security code (CVV2/CVC2/CID)", never_kept=True, never_masked=True, sad=True, sensitive=True),
    EntityKind("CARD_EXPIRY", "PCI", "card expiry date", never_kept=True, never_masked=True, sensitive=True),
    EntityKind("PERSON", "PII", "a person's name"),
    EntityKind("LOCATION", "PII", "a street address"),
    EntityKind("EMAIL_ADDRESS", "PII", "an e-mail address"),
    EntityKind("PHONE_NUMBER", "PII", "a phone number that is not call detail"),
    EntityKind("DATE_TIME", "PII", "a date or time that is not call detail"),
)

ENTITY_NAMES = tuple(ENTITY_KINDS)
CPNI = frozenset(k.name for k in ENTITY_KINDS.values() if k.category == "CPNI")
PCI = frozenset(k.name for k in ENTITY_KINDS.values() if k.category == "PCI")
CALL_DETAIL = frozenset(k.name for k in ENTITY_KINDS.values() if k.call_detail)
SAD = frozenset(k.name for k in ENTITY_KINDS.values() if k.sad)
PCI_SCRUB = tuple(k.name for k in ENTITY_KINDS.values() if k.pci_scrub)
NEVER_KEPT = frozenset(k.name for k in ENTITY_KINDS.values() if k.never_kept)
NEVER_MASKED = frozenset(k.name for k in ENTITY_KINDS.values() if k.never_masked)
SENSITIVE = frozenset(k.name for k in ENTITY_KINDS.values() if k.sensitive)
DEFAULT_ACTIONS = MappingProxyType({k.name: k.default_action for k in ENTITY_KINDS.values() if k.default_action != "redact"})


def category_of(entity: str) -> str:
    """The category of an entity name; PII for a name not in the registry (the safe side)."""
    kind = ENTITY_KINDS.get(entity)
    return kind.category if kind else "PII"
