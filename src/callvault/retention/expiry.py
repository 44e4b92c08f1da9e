"""When an object expires: at store time from the policy, and at sweep time from policy and record."""

from __future__ import annotations

from datetime import datetime, timezone

from callvault.clock import parse_iso
from callvault.models.errors import RetentionError
from callvault.retention.facts import CallFacts
from callvault.retention.policy import RetentionPolicy, Rule


def expiry_for(policy: RetentionPolicy, facts: CallFacts, kind: str, stored_at: datetime) -> datetime | None:
    """When an object of ``kind`` of this call, stored at ``stored_at``, expires; None = keep forever.

    Pass the result to ``Vault.seal_and_put(..., expires_at=...)``: it becomes
    the catalog's ``expires_at`` and, on an S3 bucket with Object Lock, the
    object's retain-until date.
    """
    if stored_at.tzinfo is None:
        raise RetentionError("stored_at must be timezone-aware (UTC); pass datetime(..., tzinfo=timezone.utc)")
    return policy.rule_for(facts, kind).keep.until(stored_at.astimezone(timezone.utc))


def effective_expiry(
    policy: RetentionPolicy, facts: CallFacts, kind: str, created_at: str, stored_expiry: str | None
) -> tuple[Rule, datetime | None]:
    """The rule that applies now, and when the object may go: the later of the two expiries.

    The expiry written at store time is a floor: it is also the S3 Object Lock
    retain-until date, and a policy changed since may lengthen retention but
    never cuts short what was promised when the object was stored. None
    (kept forever) wins over any date; so does a date that cannot be read.
    """
    rule = policy.rule_for(facts, kind)
    stored_at = parse_iso(created_at)
    if stored_at is None or stored_expiry is None:
        return rule, None
    floor = parse_iso(stored_expiry)
    current = rule.keep.until(stored_at)
    if floor is None or current is None:
        return rule, None
    return rule, max(floor, current)
