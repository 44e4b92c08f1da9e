"""The sweep: under one lease, plan from the catalog and carry the plan out against the vault.

Every step is safe to repeat, so a sweep that crashed is finished by running
it again: deleting an object that is already gone is a no-op, an object is
marked purged only after its delete succeeded (an audit entry records the
intent before it), a recording key is shredded only once its last object is
marked purged, and a recording is marked finished only after its key is gone.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from pathlib import Path
from typing import Any, Iterator, Protocol

from callvault.catalog.workers import worker_identity
from callvault.catalog import Catalog, Clock
from callvault.models.errors import CallvaultError, RetentionError
from callvault.models.storage import SealedRef
from callvault.retention import state
from callvault.retention.local import remove_call_folder, remove_local_copy
from callvault.retention.plan import DELETE, HELD, SHRED, Action, SweepPlan, plan_sweep
from callvault.retention.policy import RetentionPolicy

SWEEP_LEASE = "retention:sweep"  # the catalog lease row that makes sweeps take turns
DEFAULT_LEASE_SECONDS = 900.0


class SweepVault(Protocol):
    """What the sweep needs from ``callvault.vault.Vault``."""

    def delete(self, ref: SealedRef) -> None: ...

    def shred(self, recording_id: str, *, actor: str, reason: str, audit: Any) -> int: ...


@dataclass(frozen=True)
class SweepReport:
    sweep: str  # this sweep's id, in every audit entry it wrote
    plan: SweepPlan
    deleted: int = 0  # objects deleted and marked purged
    shredded: int = 0  # recordings whose key was destroyed and text dropped
    refused: int = 0  # recordings left alone because a legal hold covers them
    already_done: int = 0  # actions an earlier (interrupted or concurrent) sweep had finished
    failures: tuple[str, ...] = ()  # one line each; the sweep went on with other recordings


default_worker = worker_identity


class SweepLease:
    """The catalog lease that lets one sweep run at a time, across threads, processes and hosts.

    A crashed sweep's lease lapses after ``ttl`` seconds; sooner when its
    holder was a process on this host that no longer exists.
    """

    def __init__(self, catalog: Catalog, worker: str, ttl: float, clock: Clock):
        self._catalog = catalog
        self.worker = worker
        self._ttl = ttl
        self._clock = clock

    def acquire(self) -> None:
        if self._catalog.acquire_lease(SWEEP_LEASE, self.worker, self._ttl, self._clock()):
            return
        who, until = self._catalog.lease_holder(SWEEP_LEASE) or ("another sweep", "soon")
        raise RetentionError(
            f"another retention sweep is running ({who}, lease until {until}); wait for it to finish. "
            "If it crashed, run again after its lease lapses"
        )

    def renew(self) -> None:
        if not self._catalog.acquire_lease(SWEEP_LEASE, self.worker, self._ttl, self._clock()):
            raise RetentionError(
                "this sweep's lease lapsed and another sweep took over; stopping here. "
                "Run again; raise [retention] lease_seconds if steps take that long"
            )

    def release(self) -> None:
        self._catalog.release_lease(SWEEP_LEASE, self.worker)

    @contextlib.contextmanager
    def held(self) -> Iterator["SweepLease"]:
        self.acquire()
        try:
            yield self
        finally:
            self.release()


def plan_now(policy: RetentionPolicy, catalog: Catalog, now: datetime) -> SweepPlan:
    """The plan for a sweep at ``now`` over the catalog (the dry run of ``retention plan``)."""
    ids = state.recordings_to_sweep(catalog.conn, now)
    return plan_sweep(policy, state.load_states(catalog, ids), now)


def run_sweep(
    policy: RetentionPolicy,
    catalog: Catalog,
    vault: SweepVault,
    *,
    clock: Clock,
    actor: str = "retention-sweep",
    worker: str | None = None,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
    calls_dir: Path | None = None,
) -> SweepReport:
    """Take the sweep lease, record the policy when it changed, plan at ``clock()`` and carry it out.

    Raises RetentionError when another sweep holds the lease. Failures of
    single objects (a store error, Object Lock still retaining) are recorded
    in the audit log and the report, and the sweep goes on; the next sweep
    retries them. With ``calls_dir`` (DATA_DIR/calls) the local copies of
    deleted artefacts go too, and a shredded recording's whole call folder.
    """
    lease = SweepLease(catalog, worker or default_worker(), lease_seconds, clock)
    sweep = uuid.uuid4().hex[:12]
    with lease.held():
        state.record_policy(catalog, policy, actor)
        plan = plan_now(policy, catalog, clock())
        catalog.audit.append("retention.sweep", actor, None, "sweep started", {
            "sweep": sweep, "policy": plan.policy, "at": plan.at,
            "delete": plan.count(DELETE), "shred": plan.count(SHRED), "held": plan.count(HELD),
        })
        report = _apply(plan, catalog, vault, lease, actor, sweep, calls_dir)
        # Shredding must erase: the purged text out of the index segments, free pages and WAL too.
        erased = catalog.erase_freed() if report.shredded or report.deleted else None
        catalog.audit.append("retention.sweep", actor, None, "sweep finished", {
            "sweep": sweep, "deleted": report.deleted, "shredded": report.shredded, "refused": report.refused,
            "already_done": report.already_done, "failures": len(report.failures), "erased": erased,
        })
    return report


def _call_folder(catalog: Catalog, calls_dir: Path | None, recording_id: str) -> Path | None:
    if calls_dir is None:
        return None
    row = catalog.conn.execute("SELECT call_dir FROM recordings WHERE id = ?", (recording_id,)).fetchone()
    return calls_dir / row[0] if row and row[0] else None


def _apply(plan: SweepPlan, catalog: Catalog, vault: SweepVault, lease: SweepLease, actor: str, sweep: str,
           calls_dir: Path | None = None) -> SweepReport:
    deleted = shredded = refused = done = 0
    failures: list[str] = []
    for rid, group in groupby(plan.actions, key=lambda a: a.recording_id):
        actions = list(group)
        lease.renew()
        # Checked again here: a hold placed since the plan was made still wins.
        holds = tuple(h.id for h in catalog.holds_covering(rid))
        if holds or any(a.action == HELD for a in actions):
            _refuse(catalog, actor, sweep, rid, actions, holds)
            refused += 1
            continue
        failed = False
        for action in (a for a in actions if a.action == DELETE):
            assert action.ref is not None and action.kind is not None
            if state.is_purged(catalog.conn, rid, action.kind, action.ref.key):
                done += 1
                continue
            details = {"sweep": sweep, "kind": action.kind, "key": action.ref.key, "rule": action.rule, "due": action.due}
            catalog.audit.append("retention.delete", actor, rid, action.reason, details)  # intent, before the delete
            try:
                vault.delete(action.ref)
            except CallvaultError as exc:
                catalog.audit.append("retention.delete_failed", actor, rid, str(exc), {**details, "error": type(exc).__name__})
                failures.append(f"{rid[:12]} {action.kind}: {exc}")
                failed = True  # its other objects may still go; its key stays
                continue
            catalog.mark_object_purged(rid, action.kind, action.ref.key, actor, action.reason)  # after it
            remove_local_copy(_call_folder(catalog, calls_dir, rid), action.kind)
            deleted += 1
        if failed or not any(a.action == SHRED for a in actions):
            continue
        if state.live_objects(catalog.conn, rid):
            continue  # something was stored for it since the plan; its key must stay
        if _finished(catalog, rid):
            done += 1
            continue
        shred = next(a for a in actions if a.action == SHRED)
        keys = vault.shred(rid, actor=actor, reason=shred.reason, audit=catalog.audit)
        remove_call_folder(_call_folder(catalog, calls_dir, rid))
        state.finish_recording(catalog, rid, keys, actor, shred.reason, sweep)
        shredded += 1
    return SweepReport(sweep, plan, deleted, shredded, refused, done, tuple(failures))


def _finished(catalog: Catalog, recording_id: str) -> bool:
    row = catalog.conn.execute("SELECT status FROM recordings WHERE id = ?", (recording_id,)).fetchone()
    return row is None or row[0] == state.PURGED


def _refuse(catalog: Catalog, actor: str, sweep: str, rid: str, actions: list[Action], holds: tuple[int, ...]) -> None:
    """Record a deletion refused because of a legal hold (R17, FRCP 37(e))."""
    holds = holds or next((a.holds for a in actions if a.holds), ())
    catalog.audit.append(
        "retention.refused", actor, rid, "deletion attempted during a legal hold (R17); nothing deleted",
        {
            "sweep": sweep,
            "holds": list(holds),
            "objects": [{"kind": a.kind, "key": a.ref.key, "rule": a.rule, "due": a.due} for a in actions if a.ref],
            "shred": any(a.action in (SHRED, HELD) and a.ref is None for a in actions),
        },
    )
