"""The sweep's plan: a pure function from (policy, recordings and their objects, holds, now) to actions.

Nothing here reads a clock, a database or a store; ``callvault.retention.state``
gathers the inputs and ``callvault.retention.sweep`` carries the actions out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

from callvault.models.storage import SealedRef
from callvault.clock import parse_iso
from callvault.retention.expiry import effective_expiry
from callvault.retention.facts import CallFacts
from callvault.retention.policy import RetentionPolicy

DELETE = "delete"  # delete one stored object
SHRED = "shred"  # last object gone: destroy the recording key, drop its text, mark the row purged
HELD = "held"  # due, but a legal hold covers the call: refused and recorded (R17)


@dataclass(frozen=True)
class StoredObject:
    ref: SealedRef
    purged_at: str | None = None


@dataclass(frozen=True)
class RecordingState:
    """One recording as the sweep sees it."""

    recording_id: str
    call_id: str | None
    facts: CallFacts
    objects: tuple[StoredObject, ...]  # all of them, purged ones included
    purged: bool = False  # already finished: key shredded, text removed, row marked
    holds: tuple[int, ...] = ()  # ids of the active legal holds covering it


@dataclass(frozen=True)
class Action:
    action: str  # DELETE | SHRED | HELD
    recording_id: str
    call_id: str | None
    reason: str
    kind: str | None = None  # the object's kind; None for a SHRED
    rule: str | None = None
    due: str | None = None  # when it expired, ISO 8601 UTC
    holds: tuple[int, ...] = ()
    ref: SealedRef | None = field(default=None, repr=False)


@dataclass(frozen=True)
class SweepPlan:
    at: str  # the moment planned for, ISO 8601 UTC
    policy: str  # the policy's fingerprint
    actions: tuple[Action, ...]

    def count(self, action: str) -> int:
        return sum(1 for a in self.actions if a.action == action)

    def for_recording(self, recording_id: str) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.recording_id == recording_id)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def plan_sweep(policy: RetentionPolicy, recordings: Iterable[RecordingState], now: datetime) -> SweepPlan:
    """What a sweep at ``now`` would do, recording by recording, each action with its reason and rule.

    An object goes when its effective expiry (see ``effective_expiry``) has
    passed. A recording's key is shredded only when its last object is gone.
    Anything a legal hold covers is refused instead, whatever the policy says.
    """
    actions: list[Action] = []
    for rec in sorted(recordings, key=lambda r: r.recording_id):
        if rec.purged:
            continue
        live = [o for o in rec.objects if o.purged_at is None]
        due = []
        for obj in live:
            rule, expiry = effective_expiry(policy, rec.facts, obj.ref.kind, obj.ref.created_at, obj.ref.expires_at)
            if expiry is not None and expiry <= now:
                due.append((obj, rule.name, expiry))
        last_goes = bool(rec.objects) and len(due) == len(live)
        if not (due or last_goes):
            continue
        if rec.holds:
            held = ", ".join(f"#{h}" for h in rec.holds)
            for obj, rule, expiry in due:
                actions.append(Action(
                    HELD, rec.recording_id, rec.call_id,
                    f"expired {_iso(expiry)} under rule {rule!r}, but legal hold {held} covers the call; not deleted",
                    obj.ref.kind, rule, _iso(expiry), rec.holds, obj.ref,
                ))
            if not due:
                actions.append(Action(
                    HELD, rec.recording_id, rec.call_id,
                    f"every object is gone but legal hold {held} covers the call; its key is not shredded",
                    holds=rec.holds,
                ))
            continue
        for obj, rule, expiry in due:
            actions.append(Action(
                DELETE, rec.recording_id, rec.call_id, f"expired {_iso(expiry)} under rule {rule!r}",
                obj.ref.kind, rule, _iso(expiry), ref=obj.ref,
            ))
        if last_goes:
            rules = sorted({rule for _, rule, _ in due})
            why = f"last object expired (rule {', '.join(repr(r) for r in rules)})" if rules else "every object was already deleted"
            actions.append(Action(SHRED, rec.recording_id, rec.call_id, f"{why}: destroy the recording key and drop its text"))
    return SweepPlan(_iso(now), policy.fingerprint(), tuple(actions))


@dataclass(frozen=True)
class PolicyImpact:
    """What adopting a policy would change for the archive (``callvault retention check``)."""

    objects: int  # live objects looked at
    by_rule: tuple[tuple[str, int], ...]  # (rule name, live objects it governs), in policy order
    unchanged: int  # same expiry as recorded at store time
    longer: int  # the policy keeps them longer than recorded (a later date, or forever)
    shorter: int  # the policy would keep them less, but the recorded expiry is a floor: unchanged
    due: int  # would be deleted by a sweep now (held ones included)
    held: int  # of those, covered by a legal hold


def policy_impact(policy: RetentionPolicy, recordings: Iterable[RecordingState], now: datetime) -> PolicyImpact:
    rules: Counter[str] = Counter()
    unchanged = longer = shorter = due = held = total = 0
    for rec in recordings:
        for obj in rec.objects:
            if obj.purged_at is not None:
                continue
            total += 1
            rule = policy.rule_for(rec.facts, obj.ref.kind)
            rules[rule.name] += 1
            stored_at, recorded = parse_iso(obj.ref.created_at), parse_iso(obj.ref.expires_at)
            wanted = rule.keep.until(stored_at) if stored_at else None
            if wanted == recorded:
                unchanged += 1
            elif recorded is not None and (wanted is None or wanted > recorded):
                longer += 1
            else:
                shorter += 1
            _, expiry = effective_expiry(policy, rec.facts, obj.ref.kind, obj.ref.created_at, obj.ref.expires_at)
            if expiry is not None and expiry <= now:
                due += 1
                held += bool(rec.holds)
    order = tuple((r.name, rules[r.name]) for r in policy.all_rules)
    return PolicyImpact(total, order, unchanged, longer, shorter, due, held)
