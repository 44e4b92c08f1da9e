"""The sweep over a real catalog and a real vault (local store and moto S3): expiry, holds,
crashes, concurrent sweeps, the audit trail, and crypto-shredding."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from callvault.models.errors import IntegrityError, RetentionError, StoreError
from callvault.retention import HELD, parse_policy, plan_now, retention_facts, run_sweep
from callvault.retention.sweep import SWEEP_LEASE
from callvault.vault import ShreddedError


def sweep(arch, policy=None, vault=None, **kwargs):
    return run_sweep(policy or arch.policy, arch.catalog, vault or arch.vault, clock=arch.clock, **kwargs)


def purged(arch, call_id: str) -> dict[str, bool]:
    rows = arch.catalog.call(call_id).objects
    return {o.kind: o.purged_at is not None for o in rows}


def actions(arch, name: str) -> list[dict]:
    return [e for e in arch.catalog.audit.export() if e["action"] == name]


def backup(arch, ref) -> bytes:
    """The stored ciphertext, as a backup of the store would hold it."""
    with arch.vault.store.open(ref.key) as (stream, _):
        return stream.read()


def put_back(arch, ref, blob: bytes) -> None:
    """Restore a backup copy into the store (its checksum metadata too)."""
    with tempfile.NamedTemporaryFile(delete=False) as handle:
        handle.write(blob)
    arch.vault.store.put_file(ref.key, Path(handle.name), sha256=ref.sha256, size=ref.size, retain_until=None)
    Path(handle.name).unlink(missing_ok=True)


def searchable(arch, word: str) -> set[str]:
    return {hit.call_id for hit in arch.catalog.search(word, limit=50).hits}


# -- expiry ------------------------------------------------------------------------------


def test_expired_objects_go_and_the_key_is_shredded_with_the_last(archive):
    archive.store_call("plain")  # default: original 180 days, redacted transcript 1 year
    archive.store_call("approved", evidence=True, text="sure go ahead and cancel")  # 2 years
    original, transcript = archive.refs["plain"]
    copy = backup(archive, original)

    archive.clock.advance(days=179)
    assert sweep(archive).deleted == 0
    assert purged(archive, "plain") == {"original": False, "redacted_transcript": False}

    archive.clock.advance(days=2)
    report = sweep(archive)
    assert (report.deleted, report.shredded, report.failures) == (1, 0, ())
    assert purged(archive, "plain") == {"original": True, "redacted_transcript": False}
    with pytest.raises(StoreError, match="not found"):
        archive.vault.verify(original)
    archive.vault.verify(transcript)  # the key stays while an object of the recording remains
    [delete] = [a for a in report.plan.actions if a.action == "delete"]
    assert delete.rule == "default" and "expired 2025-08-31T09:00:00Z under rule 'default'" in delete.reason

    archive.clock.advance(days=200)
    report = sweep(archive)
    assert (report.deleted, report.shredded) == (1, 1)
    assert purged(archive, "plain") == {"original": True, "redacted_transcript": True}
    detail = archive.catalog.call("plain")
    assert detail.summary.status == "purged" and detail.turns == ()
    assert searchable(archive, "cancel") == {"approved"}  # its text left the search index
    archive.catalog.check_index()

    # A backup copy of the deleted original no longer opens: its key is gone.
    put_back(archive, original, copy)
    with pytest.raises(ShreddedError) as shredded:
        archive.vault.verify(original)
    assert isinstance(shredded.value, IntegrityError)

    for ref in archive.refs["approved"]:  # evidence is kept 2 years
        archive.vault.verify(ref)
    assert purged(archive, "approved") == {"original": False, "redacted_transcript": False}

    again = sweep(archive)  # nothing left to do
    assert (again.deleted, again.shredded, again.plan.actions) == (0, 0, ())
    assert archive.catalog.audit.verify() == []
    kinds = [(e["action"], e["details"].get("kind")) for e in archive.catalog.audit.export() if e["recording_id"]]
    assert ("retention.delete", "original") in kinds and ("object.purge", "original") in kinds
    assert ("retention.shred", None) in kinds


def test_plan_is_a_dry_run_naming_rule_and_reason(local_archive):
    arch = local_archive
    arch.store_call("plain", kinds=("original",))
    arch.store_call("violating", kinds=("original",), violation=True)
    plan = plan_now(arch.policy, arch.catalog, arch.clock.now + timedelta(days=200))
    # The violating call is kept 2 years; the plain one goes, and with its only object, its key.
    assert [(a.action, a.call_id, a.kind, a.rule) for a in plan.actions] == [
        ("delete", "plain", "original", "default"), ("shred", "plain", None, None)]
    assert purged(arch, "plain") == {"original": False}  # planning changed nothing
    for ref in arch.refs["plain"]:
        arch.vault.verify(ref)


# -- legal holds -------------------------------------------------------------------------


@pytest.mark.parametrize("scope, value", [("call", "held"), ("account", "ACC-9"), ("query", "dispute")])
def test_a_legal_hold_beats_the_policy(archive, scope, value):
    held = archive.store_call("held", account="ACC-9", text="i want to dispute this charge")
    archive.store_call("free", account="ACC-1")
    hold = archive.catalog.place_hold(scope, value, "matter 2025-17", "counsel")

    archive.clock.advance(days=400)
    plan = plan_now(archive.policy, archive.catalog, archive.clock())
    refused = [a for a in plan.actions if a.action == HELD]
    assert {a.call_id for a in refused} == {"held"} and len(refused) == 2
    assert f"legal hold #{hold.id}" in refused[0].reason

    report = sweep(archive)
    assert (report.refused, report.shredded) == (1, 1)
    assert purged(archive, "held") == {"original": False, "redacted_transcript": False}
    assert purged(archive, "free") == {"original": True, "redacted_transcript": True}
    for ref in archive.refs["held"]:
        archive.vault.verify(ref)
    [entry] = actions(archive, "retention.refused")
    assert entry["recording_id"] == held.id and entry["details"]["holds"] == [hold.id]
    assert "R17" in entry["reason"]
    facts = retention_facts(archive.catalog, held.id)  # what the compliance check R17 reads
    assert facts.on_legal_hold and facts.deletion_attempts == (entry["at"],) and facts.evidence_deleted_at is None

    archive.catalog.release_hold(hold.id, "matter closed", "counsel")
    report = sweep(archive)
    assert (report.deleted, report.shredded, report.refused) == (2, 1, 0)
    facts = retention_facts(archive.catalog, held.id)
    assert not facts.on_legal_hold and facts.evidence_deleted_at is not None
    assert archive.catalog.call("held").summary.status == "purged"
    assert [e["action"] for e in archive.catalog.audit.export() if e["action"].startswith("hold.")] == ["hold.place", "hold.release"]


def test_a_hold_placed_after_the_objects_went_still_saves_the_key(local_archive):
    arch = local_archive
    arch.store_call("late", kinds=("original",))
    arch.clock.advance(days=200)

    class StopBeforeShred:
        def __init__(self, vault):
            self.vault = vault

        def delete(self, ref):
            self.vault.delete(ref)

        def shred(self, recording_id, **audited):
            raise KeyboardInterrupt  # the sweep dies between the last delete and the shred

    with pytest.raises(KeyboardInterrupt):
        sweep(arch, vault=StopBeforeShred(arch.vault))
    assert purged(arch, "late") == {"original": True}
    arch.catalog.place_hold("call", "late", "late hold", "counsel")
    report = sweep(arch)
    assert (report.shredded, report.refused) == (0, 1)
    assert arch.vault.keys.for_recording(arch.refs["late"][0].recording_id, "default") is not None


# -- crashes and concurrent sweeps ----------------------------------------------------------


class SimulatedCrash(BaseException):
    """Not an Exception: like a kill, nothing in the sweep catches it."""


class CrashingVault:
    """The real vault, but the process "dies" right after its (N+1)th delete, before the catalog hears of it."""

    def __init__(self, vault, after: int):
        self.vault, self.after, self.deletes = vault, after, 0

    def delete(self, ref):
        self.vault.delete(ref)
        self.deletes += 1
        if self.deletes > self.after:
            raise SimulatedCrash

    def shred(self, recording_id, **audited):
        return self.vault.shred(recording_id, **audited)


def test_a_crash_in_the_middle_then_a_rerun_finishes_the_sweep(archive):
    for n in range(4):
        archive.store_call(f"call-{n}")
    archive.clock.advance(days=400)

    with pytest.raises(SimulatedCrash):
        sweep(archive, vault=CrashingVault(archive.vault, after=3))
    done = [purged(archive, f"call-{n}") for n in range(4)]
    assert sum(v for d in done for v in d.values()) == 3  # the 4th was deleted but never marked
    assert archive.catalog.conn.execute("SELECT count(*) FROM leases WHERE recording_id = ?", (SWEEP_LEASE,)).fetchone()[0] == 0

    report = sweep(archive)
    assert (report.deleted, report.shredded, report.failures) == (5, 3, ())  # call-0 was finished before the crash
    assert all(all(purged(archive, f"call-{n}").values()) for n in range(4))
    assert {archive.catalog.call(f"call-{n}").summary.status for n in range(4)} == {"purged"}
    assert len(actions(archive, "object.purge")) == 8  # every object marked exactly once
    assert len(actions(archive, "retention.delete")) == 9  # the interrupted intent, then its retry
    assert len(actions(archive, "retention.shred")) == 4
    assert len(actions(archive, "vault.shred")) == 4  # each key's destruction, audited before it went
    assert archive.catalog.audit.verify() == []


CRASHING_SWEEP = textwrap.dedent(
    """
    import os, sys
    from datetime import datetime
    from callvault.catalog import Catalog
    from callvault.config import AppConfig
    from callvault.retention import default_policy, run_sweep
    from callvault.vault import open_vault

    data, at, after = sys.argv[1], datetime.fromisoformat(sys.argv[2]), int(sys.argv[3])
    clock = lambda: at
    vault = open_vault(AppConfig(data_dir=data), clock=clock)
    catalog = Catalog.in_data_dir(data, clock=clock)

    class DiesAfter:
        count = 0
        def delete(self, ref):
            vault.delete(ref)
            DiesAfter.count += 1
            if DiesAfter.count == after:
                os._exit(3)  # a real crash: no cleanup, the sweep lease stays behind
        def shred(self, recording_id, **audited):
            return vault.shred(recording_id, **audited)

    run_sweep(default_policy(), catalog, DiesAfter(), clock=clock)
    """
)


def test_a_killed_sweep_process_leaves_its_lease_and_a_rerun_takes_over(local_archive):
    arch = local_archive
    for n in range(3):
        arch.store_call(f"call-{n}")
    at = arch.clock.advance(days=400)
    done = subprocess.run([sys.executable, "-c", CRASHING_SWEEP, str(arch.data_dir), at.isoformat(), "2"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr
    worker = arch.catalog.conn.execute("SELECT worker FROM leases WHERE recording_id = ?", (SWEEP_LEASE,)).fetchone()[0]
    assert sum(all(purged(arch, f"call-{n}").values()) for n in range(3)) < 3 and worker.split(":")[1].isdigit()

    report = sweep(arch)  # the holder's process is gone, so its lease is taken over at once
    assert report.shredded == 3 and report.failures == ()
    assert all(all(purged(arch, f"call-{n}").values()) for n in range(3))
    assert len(actions(arch, "object.purge")) == 6
    assert arch.catalog.audit.verify() == []


def test_two_sweeps_at_once_one_refuses(local_archive):
    from callvault.catalog import Catalog

    arch = local_archive
    arch.store_call("one")
    arch.store_call("two")
    arch.clock.advance(days=400)
    entered, go = threading.Event(), threading.Event()

    class SlowVault:
        def delete(self, ref):
            entered.set()
            assert go.wait(30)
            arch.vault.delete(ref)

        def shred(self, recording_id, **audited):
            return arch.vault.shred(recording_id, **audited)

    results: dict[str, object] = {}

    def first() -> None:
        with Catalog.in_data_dir(arch.data_dir, clock=arch.clock) as own:  # a connection per thread
            try:
                results["report"] = run_sweep(arch.policy, own, SlowVault(), clock=arch.clock)
            except BaseException as exc:  # surfaced by the asserts below
                results["error"] = exc

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert entered.wait(30)
        with pytest.raises(RetentionError, match="another retention sweep is running"):
            sweep(arch)
    finally:
        go.set()
        thread.join(60)
    assert "error" not in results, results.get("error")
    assert results["report"].shredded == 2
    assert sweep(arch).plan.actions == ()  # and once it is done the next one runs


def test_a_lease_from_another_host_lapses_after_its_ttl(local_archive):
    arch = local_archive
    arch.store_call("one")
    arch.clock.advance(days=400)
    assert arch.catalog.acquire_lease(SWEEP_LEASE, "otherhost:4242:abcd", 900, arch.clock())
    with pytest.raises(RetentionError, match="otherhost:4242"):
        sweep(arch)
    assert purged(arch, "one") == {"original": False, "redacted_transcript": False}
    arch.clock.advance(seconds=901)
    assert sweep(arch).shredded == 1


# -- Object Lock --------------------------------------------------------------------------


SHORT_POLICY = """
[[rule]]
name = "evidence"
keep = "1 year"
when = { cpni_evidence = true }

[default]
keep = "1 day"
"""


def test_object_lock_retain_until_matches_the_expiry_and_is_respected(make_archive, s3, kit):
    import tomllib

    policy = parse_policy(tomllib.loads(SHORT_POLICY), "short.toml")
    clock = kit.Clock(datetime.now(timezone.utc).replace(microsecond=0))
    bucket = kit.new_bucket(s3, lock=True)
    arch = make_archive("locked", {"store": "s3", "s3_bucket": bucket, "object_lock_mode": "COMPLIANCE"}, clock, s3)
    arch.policy = policy
    arch.store_call("locked", kinds=("original",), policy=policy)
    [ref] = arch.refs["locked"]
    head = s3.head_object(Bucket=bucket, Key=ref.key)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] == clock() + timedelta(days=1)
    assert ref.expires_at == (clock() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    # Our clock says it expired, but the store's (real) clock still retains it: refused, recorded, retried later.
    clock.advance(days=2)
    report = sweep(arch)
    assert report.deleted == 0 and len(report.failures) == 1 and "Object Lock" in report.failures[0]
    [failed] = actions(arch, "retention.delete_failed")
    assert failed["details"]["error"] == "StoreError"
    assert purged(arch, "locked") == {"original": False}
    arch.vault.verify(ref)  # still whole, key not shredded


# -- the audit trail ------------------------------------------------------------------------


def test_policy_changes_are_audited_once_each(local_archive):
    import tomllib

    arch = local_archive
    sweep(arch)
    sweep(arch)
    longer = parse_policy(tomllib.loads('[default]\nkeep = "7 years"\n'), "longer.toml")
    sweep(arch, policy=longer)
    entries = actions(arch, "retention.policy")
    assert [e["reason"] for e in entries] == ["retention policy adopted", "retention policy changed"]
    assert entries[1]["details"]["previous"] == entries[0]["details"]["fingerprint"] == arch.policy.fingerprint()
    assert entries[1]["details"]["rules"] == [{"name": "default", "keep": "7 years", "when": "any call, any kind"}]


def test_tampering_with_the_audit_log_is_detected(archive):
    from click.testing import CliRunner

    from callvault.cli import cli

    archive.store_call("gone")
    archive.clock.advance(days=400)
    sweep(archive)
    assert archive.catalog.audit.verify() == []
    db = archive.catalog.path
    seq = actions(archive, "retention.delete")[0]["seq"]

    with sqlite3.connect(db) as raw:  # someone edits a purge's reason behind callvault's back
        raw.execute("UPDATE audit SET reason = 'routine' WHERE seq = ?", (seq,))
    problems = archive.catalog.audit.verify()
    assert problems == [f"seq {seq}: contents do not match its hash (edited)"]
    result = CliRunner().invoke(cli, ["--data-dir", str(archive.data_dir), "audit", "verify"])
    assert result.exit_code == 1 and f"seq {seq}" in result.output

    shred_seq = actions(archive, "retention.shred")[0]["seq"]
    with sqlite3.connect(db) as raw:  # ... and deletes the shred entry
        raw.execute("DELETE FROM audit WHERE seq = ?", (shred_seq,))
    assert any(p.startswith(f"seq {shred_seq + 1}:") and "deleted" in p for p in archive.catalog.audit.verify())


def test_refusals_and_purges_carry_no_transcript_text(local_archive):
    arch = local_archive
    arch.store_call("quiet", text="my secret words stay out of the log")
    arch.catalog.place_hold("call", "quiet", "hold", "counsel")
    arch.clock.advance(days=400)
    sweep(arch)
    log = json.dumps(list(arch.catalog.audit.export()))
    assert "secret words" not in log


def test_local_copies_expire_with_their_objects_and_the_folder_with_the_key(local_archive):
    arch = local_archive
    rec = arch.store_call("C-local", kinds=("original", "redacted_audio", "redacted_transcript"))
    folder = arch.data_dir / "calls" / f"C-local__{rec.id[:12]}"
    arch.clock.advance(days=200)  # past 180 days (raw), before 1 year (redacted transcript)
    report = sweep(arch, calls_dir=arch.data_dir / "calls")
    assert report.deleted == 2 and report.shredded == 0
    assert not (folder / "redacted.wav").exists()
    assert (folder / "transcript.json").exists() and (folder / "events.json").exists()
    arch.clock.advance(days=200)
    report = sweep(arch, calls_dir=arch.data_dir / "calls")
    assert report.shredded == 1 and not folder.exists()


# -- shred erases ----------------------------------------------------------------------------


def test_a_shredded_calls_text_leaves_the_catalog_file(local_archive):
    """Not only the index: the bytes of catalog.db and its WAL hold the purged text no more."""
    arch = local_archive
    for n in range(3):
        arch.store_call(f"kept-{n}", text="an ordinary question about roaming")
    arch.store_call("doomed", text="please cancel the quixotic zanzibar subscription")
    arch.clock.advance(days=400)  # past every default expiry
    assert searchable(arch, "zanzibar") == {"doomed"}
    report = sweep(arch)
    assert report.shredded == 4
    files = [p for p in arch.data_dir.glob("catalog.db*") if p.is_file()]
    assert files and not any(b"zanzibar" in p.read_bytes() or b"quixotic" in p.read_bytes() for p in files)
    finished = actions(arch, "retention.sweep")[-1]["details"]
    assert finished["erased"] is True
