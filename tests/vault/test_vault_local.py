"""The vault recipes over the local store and the local key file."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import shutil
import stat
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from callvault.models.errors import ConfigError, InputError, IntegrityError, StoreError, VaultError
from callvault.catalog import Catalog
from callvault.vault import ShreddedError


def rid(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def payload(n: int = 3 * 1024 * 1024 + 123) -> bytes:
    return os.urandom(n)


def test_seal_put_open_from_path_and_stream(local_vault, tmp_path):
    data = payload()
    src = tmp_path / "call.wav"
    src.write_bytes(data)
    ref = local_vault.seal_and_put(rid("a"), "original", src)
    assert ref.recording_id == rid("a") and ref.kind == "original" and ref.store.startswith("local:")
    assert ref.size > len(data) and len(ref.sha256) == 64 and ref.key_id.startswith("rk-")

    out = tmp_path / "restored" / "call.wav"
    assert local_vault.open_to(ref, out) == len(data)
    assert out.read_bytes() == data
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    sink = io.BytesIO()
    local_vault.open_to(ref, sink)
    assert sink.getvalue() == data

    ref2 = local_vault.seal_and_put(rid("a"), "transcript", io.BytesIO(b'{"turns": []}'))
    assert ref2.key_id == ref.key_id, "one recording key per recording"
    assert {r.kind for r in local_vault.refs(rid("a")[:12])} == {"original", "transcript"}
    assert src.read_bytes() == data, "the source is never touched"


def test_each_object_gets_its_own_data_key(local_vault):
    a = local_vault.seal_and_put(rid("b"), "original", io.BytesIO(b"same bytes"))
    b = local_vault.seal_and_put(rid("b"), "transcript", io.BytesIO(b"same bytes"))
    assert a.sha256 != b.sha256


def test_stored_object_and_spool_are_private_and_clean(local_vault, data_dir):
    ref = local_vault.seal_and_put(rid("c"), "original", io.BytesIO(b"x" * 5000))
    stored = data_dir / "vault" / "objects" / ref.key
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert b"x" * 64 not in stored.read_bytes()
    assert json.loads(stored.with_name(stored.name + ".meta.json").read_text())["sha256"] == ref.sha256
    assert list((data_dir / "vault" / "spool").iterdir()) == []
    assert stat.S_IMODE((data_dir / "vault").stat().st_mode) == 0o700


def test_verify_writes_no_plaintext(local_vault, data_dir, tmp_path):
    marker = b"PLAINTEXT-MARKER-" * 1000
    ref = local_vault.seal_and_put(rid("d"), "original", io.BytesIO(marker))
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    local_vault.verify(ref)
    after = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    assert before == after
    assert not any(b"PLAINTEXT-MARKER" in p.read_bytes() for p in after)


def test_tampered_and_truncated_local_objects_fail_to_open(local_vault, data_dir):
    ref = local_vault.seal_and_put(rid("e"), "original", io.BytesIO(payload(100_000)))
    stored = data_dir / "vault" / "objects" / ref.key
    good = stored.read_bytes()
    stored.write_bytes(good[:500] + bytes([good[500] ^ 1]) + good[501:])
    with pytest.raises(IntegrityError):
        local_vault.verify(ref)
    stored.write_bytes(good[:-1])
    with pytest.raises(IntegrityError):
        local_vault.verify(ref)
    stored.write_bytes(good)
    local_vault.verify(ref)


def test_failed_open_to_a_path_leaves_nothing(local_vault, data_dir, tmp_path):
    ref = local_vault.seal_and_put(rid("f"), "original", io.BytesIO(payload(3_000_000)))
    stored = data_dir / "vault" / "objects" / ref.key
    blob = bytearray(stored.read_bytes())
    blob[-20] ^= 1  # the last frame: earlier frames were already decrypted
    stored.write_bytes(bytes(blob))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(IntegrityError):
        local_vault.open_to(ref, out / "call.wav")
    assert list(out.iterdir()) == []


def test_missing_object_is_a_store_error(local_vault, data_dir):
    ref = local_vault.seal_and_put(rid("g"), "original", io.BytesIO(b"abc"))
    (data_dir / "vault" / "objects" / ref.key).unlink()
    with pytest.raises(StoreError, match="not found"):
        local_vault.verify(ref)


def test_shred_makes_every_copy_unreadable_and_spares_other_recordings(make_vault, data_dir, tmp_path):
    vault = make_vault()
    doomed = vault.seal_and_put(rid("doomed"), "original", io.BytesIO(b"secret call"))
    doomed_t = vault.seal_and_put(rid("doomed"), "transcript", io.BytesIO(b"secret words"))
    kept = vault.seal_and_put(rid("kept"), "original", io.BytesIO(b"kept call"))
    backup = tmp_path / "backup-objects"
    shutil.copytree(data_dir / "vault" / "objects", backup)
    wrapped = vault.keys.for_recording(rid("doomed"), "default").wrapped_key
    assert wrapped in (data_dir / "vault" / "keys.db").read_bytes()

    assert vault.shred(rid("doomed")) == 1
    assert vault.shred(rid("doomed")) == 0
    for ref in (doomed, doomed_t):
        with pytest.raises(ShreddedError, match="crypto-shredded"):
            vault.verify(ref)
    with pytest.raises(IntegrityError):  # ShreddedError is an IntegrityError
        vault.open_to(doomed, io.BytesIO())
    vault.verify(kept)

    # The backup copy of the store, opened with the same key table: also gone.
    restored = make_vault(path=str(backup))
    with pytest.raises(ShreddedError):
        restored.verify(replace(doomed, store=restored.store.url))
    restored.verify(replace(kept, store=restored.store.url))
    # secure_delete: the wrapped key's bytes are overwritten in the database file.
    assert wrapped not in (data_dir / "vault" / "keys.db").read_bytes()


def test_restore_audits_before_writing_and_refuses_overwrite(local_vault, data_dir, tmp_path):
    ref = local_vault.seal_and_put(rid("h"), "original", io.BytesIO(b"the call"))
    catalog = Catalog.in_data_dir(data_dir)
    audit = catalog.audit
    out = tmp_path / "r.wav"
    assert local_vault.restore(ref, out, actor="alice", reason="ticket 42", audit=audit) == 8
    assert out.read_bytes() == b"the call"
    (entry,) = list(audit.export())
    assert entry["action"] == "vault.restore" and entry["actor"] == "alice" and entry["reason"] == "ticket 42"
    assert entry["recording_id"] == rid("h") and entry["details"]["out"] == str(out.resolve())

    with pytest.raises(VaultError, match="already exists"):
        local_vault.restore(ref, out, actor="alice", reason="again", audit=audit)
    with pytest.raises(VaultError, match="reason"):
        local_vault.restore(ref, tmp_path / "x", actor="alice", reason="  ", audit=audit)
    assert len(list(audit.export())) == 1
    assert audit.verify() == []


def test_restore_that_fails_is_audited_and_writes_nothing(local_vault, data_dir, tmp_path):
    ref = local_vault.seal_and_put(rid("i"), "original", io.BytesIO(b"the call"))
    stored = data_dir / "vault" / "objects" / ref.key
    stored.write_bytes(stored.read_bytes()[:-3])
    audit = Catalog.in_data_dir(data_dir).audit
    with pytest.raises(IntegrityError):
        local_vault.restore(ref, tmp_path / "r.wav", actor="bob", reason="dispute", audit=audit)
    entries = list(audit.export())
    assert [e["action"] for e in entries] == ["vault.restore", "vault.restore_failed"]
    assert entries[1]["details"]["error"] == "IntegrityError"
    assert not (tmp_path / "r.wav").exists()


def test_restore_without_an_audit_log_restores_nothing(local_vault, tmp_path):
    ref = local_vault.seal_and_put(rid("j"), "original", io.BytesIO(b"the call"))

    class BrokenAudit:
        def append(self, *args, **kwargs):
            raise VaultError("audit log unavailable")

    with pytest.raises(VaultError, match="audit"):
        local_vault.restore(ref, tmp_path / "r.wav", actor="eve", reason="x", audit=BrokenAudit())
    assert not (tmp_path / "r.wav").exists()


class Interrupting(io.RawIOBase):
    """A source that is interrupted (Ctrl-C) after a few megabytes."""

    def __init__(self, after: int):
        self.left = after

    def readable(self):
        return True

    def readinto(self, buf):
        if self.left <= 0:
            raise KeyboardInterrupt
        n = min(len(buf), self.left)
        buf[:n] = b"\x01" * n
        self.left -= n
        return n


def test_interrupted_seal_leaves_no_spool_object_or_ref(local_vault, data_dir):
    with pytest.raises(KeyboardInterrupt):
        local_vault.seal_and_put(rid("k"), "original", Interrupting(3 << 20))
    assert list((data_dir / "vault" / "spool").iterdir()) == []
    assert not (data_dir / "vault" / "objects" / "default" / rid("k")).exists()
    assert local_vault.refs() == []


def test_bad_arguments_are_refused(local_vault, tmp_path):
    with pytest.raises(VaultError, match="kind"):
        local_vault.seal_and_put(rid("l"), "secrets", io.BytesIO(b""))
    with pytest.raises(VaultError, match="recording id"):
        local_vault.seal_and_put("../etc", "original", io.BytesIO(b""))
    with pytest.raises(VaultError, match="time zone"):
        local_vault.seal_and_put(rid("l"), "original", io.BytesIO(b""), expires_at=datetime(2030, 1, 1))
    with pytest.raises(InputError, match="cannot read"):
        local_vault.seal_and_put(rid("l"), "original", tmp_path / "missing.wav")


def test_expiry_is_kept_on_the_ref(local_vault):
    until = datetime(2031, 5, 6, 7, 8, 9, tzinfo=timezone(timedelta(hours=2)))
    ref = local_vault.seal_and_put(rid("m"), "original", io.BytesIO(b"x"), expires_at=until)
    assert ref.expires_at == "2031-05-06T05:08:09Z"


# -- keys: rotate, rewrap, file mode, nothing secret in reprs or logs ---------------


def keyring_doc(data_dir):
    return json.loads((data_dir / "vault" / "keyring.json").read_text())


def test_keyring_file_is_created_0600_on_first_use(local_vault, data_dir):
    path = data_dir / "vault" / "keyring.json"
    assert not path.exists()
    local_vault.seal_and_put(rid("n"), "original", io.BytesIO(b"x"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    doc = keyring_doc(data_dir)
    assert len(doc["keys"]) == 1 and doc["current"] == doc["keys"][0]["id"]


def test_rotate_then_rewrap_without_touching_objects(make_vault, data_dir):
    vault = make_vault()
    old = vault.seal_and_put(rid("o"), "original", io.BytesIO(b"old call"))
    stored = data_dir / "vault" / "objects" / old.key
    before = stored.read_bytes()
    first = keyring_doc(data_dir)["current"]

    new_id = vault.rotate_keys()
    assert new_id != first and keyring_doc(data_dir)["current"] == new_id
    vault.verify(old)  # still opens under the old key
    new = vault.seal_and_put(rid("p"), "original", io.BytesIO(b"new call"))
    wrapped_by = {row.recording_id: row.wrapping_key_id for row in vault.keys.rows()}
    assert wrapped_by == {rid("o"): first, rid("p"): new_id}

    assert vault.rewrap() == 1
    assert vault.rewrap() == 0
    assert {row.wrapping_key_id for row in vault.keys.rows()} == {new_id}
    assert stored.read_bytes() == before, "rewrap never touches stored data"

    # Drop the old key from the file: everything still opens (in a fresh vault, no cache).
    doc = keyring_doc(data_dir)
    doc["keys"] = [k for k in doc["keys"] if k["id"] != first]
    path = data_dir / "vault" / "keyring.json"
    path.write_text(json.dumps(doc))
    fresh = make_vault()
    fresh.verify(old)
    fresh.verify(new)


def test_wrong_keyring_fails_opaquely(make_vault, data_dir):
    vault = make_vault()
    ref = vault.seal_and_put(rid("q"), "original", io.BytesIO(b"x"))
    (data_dir / "vault" / "keyring.json").unlink()
    other = make_vault()
    other.rotate_keys()  # a brand-new key file with unrelated keys
    with pytest.raises(IntegrityError):
        other.verify(ref)


def test_wrong_tenant_fails_opaquely(make_vault):
    ref = make_vault(tenant="acme").seal_and_put(rid("r"), "original", io.BytesIO(b"x"))
    with pytest.raises(IntegrityError):
        make_vault(tenant="globex").verify(ref)


def test_keyring_readable_by_others_is_refused(local_vault, data_dir, make_vault):
    local_vault.seal_and_put(rid("s"), "original", io.BytesIO(b"x"))
    os.chmod(data_dir / "vault" / "keyring.json", 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        make_vault().seal_and_put(rid("t"), "original", io.BytesIO(b"x"))


def test_keys_never_reach_reprs_logs_or_errors(make_vault, data_dir, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    vault = make_vault()
    ref = vault.seal_and_put(rid("u"), "original", io.BytesIO(b"y" * 70_000))
    keyring_keys = [base64.b64decode(k["key"]) for k in keyring_doc(data_dir)["keys"]]
    row = vault.keys.for_recording(rid("u"), "default")
    recording_key = vault._unwrap_row(row)
    secrets = keyring_keys + [recording_key, row.wrapped_key]
    forms = [f(s) for s in secrets for f in (bytes.hex, lambda b: base64.b64encode(b).decode(), repr)]

    stored = data_dir / "vault" / "objects" / ref.key
    stored.write_bytes(stored.read_bytes()[:-1])
    errors = []
    for call in (lambda: vault.verify(ref), lambda: vault.open_to(ref, tmp_path / "o")):
        try:
            call()
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{exc!s} {exc!r}")
    text = "\n".join([repr(vault), repr(vault.keyring), repr(vault.keys), repr(row), repr(ref), caplog.text, *errors])
    assert len(errors) == 2
    for form in forms:
        assert form not in text


def test_a_shredded_recording_is_never_sealed_again(make_vault, data_dir):
    """Crypto-shredding is final: the same recording (same content hash) gets no new key, so nothing new is stored."""
    vault = make_vault()
    vault.seal_and_put(rid("gone"), "original", io.BytesIO(b"the call"))
    vault.shred(rid("gone"))
    with pytest.raises(ShreddedError, match="never stored again"):
        vault.seal_and_put(rid("gone"), "original", io.BytesIO(b"the call"))
    assert vault.keys.for_recording(rid("gone"), "default") is None
    assert vault.is_shredded(rid("gone")) and not vault.is_shredded(rid("other"))
    vault.seal_and_put(rid("other"), "original", io.BytesIO(b"another call"))  # others are unaffected


def test_every_sealed_object_is_in_the_catalog_at_once(local_vault, data_dir):
    """No separate refs.db: the object's catalog row is written when it is stored, before any call row."""
    from callvault.catalog.objects import stored_objects

    ref = local_vault.seal_and_put(rid("ledger"), "original", io.BytesIO(b"call"))
    with Catalog.in_data_dir(data_dir) as catalog:
        (entry,) = stored_objects(catalog.conn, rid("ledger"))
        assert entry.ref == ref and entry.purged_at is None
        assert not catalog.is_done(rid("ledger"))
    assert not (data_dir / "vault" / "refs.db").exists()


def test_shred_rotate_and_rewrap_are_audited(make_vault, data_dir):
    vault = make_vault()
    vault.seal_and_put(rid("audited"), "original", io.BytesIO(b"call"))
    key_id = vault.keys.for_recording(rid("audited"), "default").key_id
    current = vault.rotate_keys(actor="ops")
    assert vault.rewrap(actor="ops") == 1
    assert vault.shred(rid("audited"), actor="sweeper", reason="expired") == 1
    with Catalog.in_data_dir(data_dir) as catalog:
        entries = [e for e in catalog.audit.export() if e["action"].startswith("vault.")]
        assert catalog.audit.verify() == []
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("vault.rotate", "ops"), ("vault.rewrap", "ops"), ("vault.shred", "sweeper")]
    assert entries[0]["details"]["current"] == current and entries[1]["details"]["rewrapped"] == 1
    assert entries[2]["recording_id"] == rid("audited") and entries[2]["details"]["key_id"] == key_id
    assert entries[2]["reason"] == "expired"
    assert not any(k in json.dumps(entries) for k in (k["key"] for k in keyring_doc(data_dir)["keys"]))


def test_the_restore_entry_is_on_disk_before_any_plaintext(local_vault, data_dir, tmp_path, monkeypatch):
    from callvault.catalog.audit import HeadLog, head_log_path

    ref = local_vault.seal_and_put(rid("restore"), "original", io.BytesIO(b"call audio"))
    seen: list[str] = []
    with Catalog.in_data_dir(data_dir) as catalog:
        catalog.conn.set_trace_callback(seen.append)
        opening = local_vault.open_to

        def open_to(ref, dest):
            seen.append("PLAINTEXT")
            with Catalog.in_data_dir(data_dir) as other:  # committed: another connection sees it
                entry = list(other.audit.export())[-1]
                assert entry["action"] == "vault.restore" and entry["recording_id"] == rid("restore")
            assert HeadLog(head_log_path(catalog.path)).entries()[-1] == (entry["seq"], entry["hash"])
            return opening(ref, dest)

        monkeypatch.setattr(local_vault, "open_to", open_to)
        local_vault.restore(ref, tmp_path / "out.wav", actor="auditor", reason="ticket 9", audit=catalog.audit)
        catalog.conn.set_trace_callback(None)
    full, plaintext = seen.index("PRAGMA synchronous = FULL"), seen.index("PLAINTEXT")
    assert full < seen.index("COMMIT", full) < plaintext
    assert (tmp_path / "out.wav").read_bytes() == b"call audio"


def test_keyring_keys_nothing_needs_are_retired_after_a_rewrap(make_vault, data_dir):
    from helpers import StepClock

    clock = StepClock()
    vault = make_vault(clock=clock)
    old = vault.seal_and_put(rid("ret-o"), "original", io.BytesIO(b"old call"))
    first = keyring_doc(data_dir)["current"]
    new_id = vault.rotate_keys(actor="ops")
    new = vault.seal_and_put(rid("ret-n"), "original", io.BytesIO(b"new call"))
    clock.now += timedelta(hours=2)
    assert vault.retire_keys(actor="ops") == []  # a recording key is still wrapped by the first
    assert vault.rewrap(actor="ops") == 1
    assert vault.retire_keys(actor="ops") == [first]
    assert [k["id"] for k in keyring_doc(data_dir)["keys"]] == [new_id]
    fresh = make_vault(clock=clock)
    fresh.verify(old)
    fresh.verify(new)
    with Catalog.in_data_dir(data_dir) as catalog:
        (retire,) = [e for e in catalog.audit.export() if e["action"] == "vault.retire"]
    assert retire["details"]["retired"] == [first] and retire["actor"] == "ops"


def test_a_just_rotated_out_key_is_kept_for_a_while(make_vault, data_dir):
    """A process that read the key file before the rotation may still be wrapping with the old key."""
    vault = make_vault()
    vault.seal_and_put(rid("grace"), "original", io.BytesIO(b"call"))
    first = keyring_doc(data_dir)["current"]
    vault.rotate_keys()
    assert vault.rewrap() == 1
    assert vault.retire_keys() == []
    assert first in [k["id"] for k in keyring_doc(data_dir)["keys"]]


def test_keyring_dir_keeps_the_keys_off_the_data_volume(make_vault, data_dir, tmp_path):
    elsewhere = tmp_path / "keys-volume"
    vault = make_vault(keyring_dir=str(elsewhere))
    ref = vault.seal_and_put(rid("kd"), "original", io.BytesIO(b"call"))
    assert (elsewhere / "keyring.json").exists() and not (data_dir / "vault" / "keyring.json").exists()
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o700
    make_vault(keyring_dir=str(elsewhere)).verify(ref)
    with pytest.raises(IntegrityError):  # the data volume alone cannot open it
        make_vault().verify(ref)


def test_an_older_refs_db_is_moved_into_the_catalog_once(make_vault, data_dir):
    import sqlite3

    from callvault.catalog.objects import stored_objects

    old = data_dir / "vault" / "refs.db"
    old.parent.mkdir(parents=True)
    with sqlite3.connect(old) as raw:
        raw.execute("CREATE TABLE refs (store TEXT, key TEXT, recording_id TEXT, kind TEXT, key_id TEXT, sha256 TEXT, "
                    "size INTEGER, created_at TEXT, expires_at TEXT, PRIMARY KEY (store, key))")
        raw.execute("INSERT INTO refs VALUES ('local:/v', 'default/r/original.cvlt', ?, 'original', 'rk-1', 'ab', 9, "
                    "'2025-01-01T00:00:00Z', NULL)", (rid("old"),))
    make_vault()
    assert not old.exists() and old.with_name("refs.db.imported").exists()
    with Catalog.in_data_dir(data_dir) as catalog:
        (entry,) = stored_objects(catalog.conn, rid("old"))
    assert (entry.ref.kind, entry.ref.key, entry.ref.size) == ("original", "default/r/original.cvlt", 9)
