import pytest


@pytest.fixture
def logged(catalog):
    for i in range(1, 6):
        catalog.audit.append("restore", f"user{i}", f"rec{i}", f"ticket {i}", {"kind": "original", "n": i})
    return catalog


def test_intact_log_verifies_and_exports_in_order(logged):
    assert logged.audit.verify() == []
    entries = list(logged.audit.export())
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(entries, entries[1:]))
    assert entries[2]["details"] == {"kind": "original", "n": 3}
    assert entries[0]["at"] < entries[1]["at"]  # from the injected clock
    assert logged.audit.head() == (5, entries[-1]["hash"])


def test_edited_entry_is_named(logged):
    logged.conn.execute("UPDATE audit SET reason = 'nothing to see' WHERE seq = 3")
    problems = logged.audit.verify()
    assert problems and all(p.startswith("seq 3:") for p in problems)
    assert "edited" in problems[0]


def test_edited_entry_with_recomputed_hash_breaks_the_next_link(logged):
    from callvault.catalog.audit import entry_hash

    entry = list(logged.audit.export())[2]
    entry["actor"] = "someone else"
    logged.conn.execute("UPDATE audit SET actor = ?, hash = ? WHERE seq = 3", (entry["actor"], entry_hash(entry)))
    problems = logged.audit.verify()
    assert problems[0].startswith("seq 4:") and "prev_hash" in problems[0]
    assert problems[1:] == ["seq 3: hash differs from the head log (1 anchor(s) differ: the chain was rewritten)"]


def test_deleted_entry_is_named(logged):
    logged.conn.execute("DELETE FROM audit WHERE seq = 2")
    problems = logged.audit.verify()
    assert any(p.startswith("seq 3:") and "missing" in p for p in problems)


def test_reordered_entries_are_named(logged):
    # Swap the contents of entries 2 and 4, keeping their seq numbers.
    rows = {r["seq"]: dict(r) for r in logged.conn.execute("SELECT * FROM audit WHERE seq IN (2, 4)")}
    for seq, other in ((2, 4), (4, 2)):
        src = rows[other]
        logged.conn.execute(
            "UPDATE audit SET at=?, action=?, actor=?, recording_id=?, reason=?, details=?, prev_hash=?, hash=? WHERE seq=?",
            (src["at"], src["action"], src["actor"], src["recording_id"], src["reason"], src["details"],
             src["prev_hash"], src["hash"], seq),
        )
    named = {p.split(":")[0] for p in logged.audit.verify()}
    assert {"seq 2", "seq 4"} <= named


def test_truncation_is_caught_against_a_kept_head(logged):
    head = logged.audit.head()
    logged.conn.execute("DELETE FROM audit WHERE seq = 5")
    logged.audit.head_log = None  # a shorter chain is still a chain: only an anchor outside it tells
    assert logged.audit.verify() == []
    problems = logged.audit.verify(expected_head=head)
    assert problems == ["seq 5: the expected head is missing (the log was truncated)"]


def test_append_joins_an_open_write_transaction(logged):
    from callvault.catalog.db import write_transaction

    with pytest.raises(RuntimeError):
        with write_transaction(logged.conn):
            logged.audit.append("purge", "sweeper", "rec9", "expired", {})
            raise RuntimeError("the purge failed")
    assert logged.audit.head()[0] == 5  # rolled back with it


# -- the head log outside catalog.db -------------------------------------------------


def test_every_append_is_anchored_in_the_head_log(logged, tmp_path):
    from callvault.catalog.audit import HeadLog

    anchors = HeadLog(tmp_path / "catalog-audit-head.log").entries()
    assert anchors[-1] == logged.audit.head()
    assert [seq for seq, _ in anchors] == [1, 2, 3, 4, 5]


def test_a_cut_tail_is_caught_without_a_kept_head(logged):
    logged.conn.execute("DELETE FROM audit WHERE seq >= 4")
    problems = logged.audit.verify()
    assert any(p.startswith("seq 5:") and "tail was cut" in p for p in problems), problems


def test_a_rewritten_chain_is_caught(logged):
    """Every entry from seq 2 on rewritten with fresh, consistent hashes: the chain verifies, the head log does not."""
    from callvault.catalog.audit import GENESIS, entry_hash

    prev = GENESIS
    for entry in logged.audit.export():
        if entry["seq"] >= 2:
            entry["reason"] = "rewritten"
        entry["prev_hash"] = prev
        entry["hash"] = entry_hash(entry)
        logged.conn.execute("UPDATE audit SET reason = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                            (entry["reason"], entry["prev_hash"], entry["hash"], entry["seq"]))
        prev = entry["hash"]
    problems = logged.audit.verify()
    assert problems and "rewritten" in problems[0] and problems[0].startswith("seq 2:"), problems


def test_a_deleted_head_log_is_reported(logged, tmp_path):
    (tmp_path / "catalog-audit-head.log").unlink()
    assert any("missing" in p for p in logged.audit.verify())


def test_a_joined_transaction_is_anchored_after_its_commit(catalog, build, tmp_path):
    from callvault.catalog.audit import HeadLog

    build.record(catalog, "C-1", [("agent", "hello there")])
    assert HeadLog(tmp_path / "catalog-audit-head.log").entries()[-1] == catalog.audit.head()


def test_a_durable_entry_is_synced_before_append_returns(catalog):
    statements: list[str] = []
    catalog.conn.set_trace_callback(statements.append)
    catalog.audit.append("vault.restore", "tester", "rec1", "ticket", {}, durable=True)
    catalog.conn.set_trace_callback(None)
    full = statements.index("PRAGMA synchronous = FULL")
    insert = next(i for i, s in enumerate(statements) if s.startswith("INSERT INTO audit"))
    commit = statements.index("COMMIT")
    assert full < insert < commit < statements.index("PRAGMA synchronous = NORMAL")
    assert catalog.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL again for the rest


def test_os_actor_comes_from_the_uid_not_the_environment(monkeypatch):
    import os
    import pwd

    from callvault.catalog.audit import os_actor

    monkeypatch.setenv("LOGNAME", "mallory")
    monkeypatch.setenv("USER", "mallory")
    assert os_actor() == f"{pwd.getpwuid(os.getuid()).pw_name} (uid {os.getuid()})"
