"""Two worker processes writing one catalog at once: no corruption, no lost row."""

import json
import subprocess
import sys
import textwrap
import time

from callvault.catalog import Catalog

CALLS_EACH = 150
SHARED = 40

WORKER = textwrap.dedent(
    """
    import hashlib, json, sys, time
    from datetime import datetime, timezone
    from pathlib import Path
    from callvault.catalog import Catalog
    from callvault.models import CallMetadata, Finding, Explanation, Recording, RuleResult, Transcript, Turn, Word

    db, name, count, shared, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5])

    def call(call_id):
        rid = hashlib.sha256(call_id.encode()).hexdigest()
        turns = tuple(
            Turn("S0", "agent", tuple(Word(i * 3 + j * 0.4, i * 3 + j * 0.4 + 0.3, w) for j, w in
                 enumerate(f"turn {i} of call {call_id} says cancel my plan".split())))
            for i in range(8)
        )
        rec = Recording(rid, f"/in/{call_id}.wav", CallMetadata(call_id=call_id, agent_id=name))
        return rec, Transcript(rid, turns, duration=30.0)

    while not go.exists():
        time.sleep(0.01)
    cat = Catalog.open(db, timeout=60)
    leased = []
    for i in range(count):
        if i == 5:
            # A barrier: both workers are live and writing before either goes on.
            (go.parent / f"{name}.ready").touch()
            while len(list(go.parent.glob("*.ready"))) < 2:
                time.sleep(0.005)
        rec, tr = call(f"{name}-{i}")
        cat.record_call(rec, tr, processed_at="2025-03-04T00:00:00Z",
                        findings=[Finding("CPNI", "CALL_NUMBER", 0, 0, 1.0, 2.0, explanation=Explanation("t"))],
                        rules=[RuleResult("R1", "fail" if i % 2 else "pass")], actor=name)
        if i < shared:
            # Both workers race for the same leases and re-record the same calls.
            if cat.acquire_lease(f"shared-{i}", name, 600, datetime(2025, 1, 1, tzinfo=timezone.utc)):
                leased.append(i)
            rec, tr = call(f"shared-{i}")
            cat.record_call(rec, tr, processed_at="2025-03-04T00:00:00Z", actor=name)
    cat.close()
    print(json.dumps(leased))
    """
)


def test_two_processes_recording_at_once_lose_nothing(tmp_path):
    db = tmp_path / "catalog.db"  # not there yet: both workers race to create and migrate it
    go = tmp_path / "go"
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    procs = [
        subprocess.Popen([sys.executable, str(script), str(db), name, str(CALLS_EACH), str(SHARED), str(go)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in ("w1", "w2")
    ]
    time.sleep(0.5)  # let both import and wait at the line
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, err
    leased = [set(json.loads(out)) for out, _ in outputs]

    with Catalog.open(db) as cat:
        assert cat.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        cat.check_index()
        q = lambda sql: cat.conn.execute(sql).fetchone()[0]
        assert q("SELECT count(*) FROM recordings") == 2 * CALLS_EACH + SHARED
        for worker in ("w1", "w2"):
            assert q(f"SELECT count(*) FROM recordings WHERE call_id LIKE '{worker}-%'") == CALLS_EACH
        assert q("SELECT count(*) FROM turns") == 8 * (2 * CALLS_EACH + SHARED)
        assert q("SELECT count(*) FROM findings") == 2 * CALLS_EACH
        assert q("SELECT count(*) FROM rule_results WHERE status = 'fail'") == CALLS_EACH
        # Every turn is in the index exactly once.
        assert q("SELECT count(*) FROM turns_fts WHERE turns_fts MATCH 'cancel'") == 8 * (2 * CALLS_EACH + SHARED)
        # Each shared lease went to exactly one worker.
        assert leased[0].isdisjoint(leased[1]) and leased[0] | leased[1] == set(range(SHARED))
        # The audit chain stayed one chain: 2 * (CALLS_EACH + SHARED) record entries, no gaps.
        assert cat.audit.verify() == []
        assert cat.audit.head()[0] == 2 * (CALLS_EACH + SHARED)
        # The barrier made the writes overlap: the chain alternates between writers.
        actors = [e["actor"] for e in cat.audit.export()]
        assert sum(a != b for a, b in zip(actors, actors[1:])) >= 2
