"""Retention: how long each stored object is kept, legal holds, and the sweep that deletes and shreds.

At store time::

    facts = CallFacts.of(recording.metadata, events, rules)
    expires = expiry_for(policy, facts, "original", stored_at=clock())
    ref = vault.seal_and_put(recording.id, "original", path, expires_at=expires)

Nightly::

    report = run_sweep(policy, catalog, vault, clock=clock)

A legal hold (``Catalog.place_hold``) beats every rule: held objects are
never deleted or shredded, and each refused deletion is in the audit log.
"""

from callvault.retention.expiry import effective_expiry, expiry_for
from callvault.retention.facts import EVIDENCE_EVENTS, CallFacts
from callvault.retention.plan import (
    DELETE,
    HELD,
    SHRED,
    Action,
    PolicyImpact,
    RecordingState,
    StoredObject,
    SweepPlan,
    plan_sweep,
    policy_impact,
)
from callvault.retention.policy import Keep, Match, RetentionPolicy, Rule, default_policy, load_policy, parse_policy
from callvault.retention.settings import RetentionSettings, policy_in_force
from callvault.retention.state import record_policy, retention_facts
from callvault.retention.sweep import SweepLease, SweepReport, plan_now, run_sweep

__all__ = [
    "Action",
    "CallFacts",
    "DELETE",
    "EVIDENCE_EVENTS",
    "HELD",
    "Keep",
    "Match",
    "PolicyImpact",
    "RecordingState",
    "RetentionPolicy",
    "RetentionSettings",
    "Rule",
    "SHRED",
    "StoredObject",
    "SweepLease",
    "SweepPlan",
    "SweepReport",
    "default_policy",
    "effective_expiry",
    "expiry_for",
    "load_policy",
    "parse_policy",
    "plan_now",
    "plan_sweep",
    "policy_in_force",
    "policy_impact",
    "record_policy",
    "retention_facts",
    "run_sweep",
]
