"""`callvault restore`, `verify` and `keys` through the real click app."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from click.testing import CliRunner

from callvault.catalog.audit import os_actor
from callvault.cli import cli
from callvault.config import AppConfig
from callvault.layout import call_dir
from callvault.vault import open_vault

RID = hashlib.sha256(b"cli call").hexdigest()
OTHER = hashlib.sha256(b"other call").hexdigest()


def run(data_dir, *args, ok=True):
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def processed(data_dir):
    """A call as `process` leaves it: its folder, its original and transcript in the vault, its catalog row.

    OTHER's original is sealed but its call never recorded (a run killed in
    between): the catalog lists the object all the same.
    """
    from callvault.catalog import Catalog
    from callvault.models import CallMetadata, Recording, Transcript

    folder = call_dir(data_dir, RID, "CALL-0001")
    folder.mkdir(parents=True)
    with open_vault(AppConfig(data_dir=data_dir)) as vault:
        refs = {
            "original": vault.seal_and_put(RID, "original", io.BytesIO(b"RIFF original audio")),
            "transcript": vault.seal_and_put(RID, "transcript", io.BytesIO(b'{"turns": []}')),
        }
        vault.seal_and_put(OTHER, "original", io.BytesIO(b"another"))
    with Catalog.in_data_dir(data_dir) as catalog:
        recording = Recording(RID, "/in/call.wav", CallMetadata(call_id="CALL-0001"), size=19)
        catalog.record_call(recording, Transcript(RID, ()), processed_at="2025-03-04T10:00:00Z",
                            objects=list(refs.values()), call_dir=folder.name)
    return refs


def _audit_entries(data_dir):
    from callvault.catalog import Catalog

    with Catalog.in_data_dir(data_dir) as catalog:
        return [e for e in catalog.audit.export() if e["action"] == "vault.restore"]


def test_restore_by_call_id_is_audited(data_dir, processed, tmp_path, monkeypatch):
    monkeypatch.setenv("LOGNAME", "mallory")  # anyone can set these; the audit trail must not believe them
    monkeypatch.setenv("USER", "mallory")
    out = tmp_path / "call.wav"
    result = run(data_dir, "restore", "CALL-0001", "--out", str(out), "--reason", "chargeback dispute #77")
    assert out.read_bytes() == b"RIFF original audio"
    assert "restored original" in result.output
    (entry,) = _audit_entries(data_dir)
    assert entry["action"] == "vault.restore" and entry["reason"] == "chargeback dispute #77"
    assert entry["actor"] == os_actor() == entry["details"]["os_user"]
    assert entry["recording_id"] == RID
    assert "intact" in run(data_dir, "audit", "verify").output


def test_restore_with_actor_kind_and_id_prefix(data_dir, processed, tmp_path):
    out = tmp_path / "t.json"
    run(data_dir, "restore", RID[:10], "--kind", "transcript", "--out", str(out), "--reason", "QA", "--actor", "alice")
    assert out.read_bytes() == b'{"turns": []}'
    (entry,) = _audit_entries(data_dir)
    assert entry["actor"] == "alice" and entry["details"]["os_user"] == os_actor()


def test_restore_refusals(data_dir, processed, tmp_path):
    out = tmp_path / "x.wav"
    assert "--reason" in run(data_dir, "restore", "CALL-0001", "--out", str(out), ok=False).output
    assert run(data_dir, "restore", "CALL-0001", "--out", str(out), "--reason", " ", ok=False).exit_code == 2
    missing = run(data_dir, "restore", "NOPE-CALL", "--out", str(out), "--reason", "r", ok=False)
    assert missing.exit_code == 1 and "no processed call" in missing.output
    no_kind = run(data_dir, "restore", "CALL-0001", "--kind", "findings", "--out", str(out), "--reason", "r", ok=False)
    assert "no stored findings" in no_kind.output
    out.write_bytes(b"keep me")
    exists = run(data_dir, "restore", "CALL-0001", "--out", str(out), "--reason", "r", ok=False)
    assert "already exists" in exists.output and out.read_bytes() == b"keep me"


def test_verify_call_and_all(data_dir, processed):
    result = run(data_dir, "verify", "CALL-0001")
    assert result.output.count("ok ") == 2 and "2 object(s): 2 ok" in result.output
    assert "3 object(s): 3 ok, 0 failed" in run(data_dir, "verify", "--all").output
    assert run(data_dir, "verify", ok=False).exit_code == 2
    assert run(data_dir, "verify", "CALL-0001", "--all", ok=False).exit_code == 2


def test_verify_reports_damage_and_shredding(data_dir, processed):
    stored = data_dir / "vault" / "objects" / processed["original"].key
    stored.write_bytes(stored.read_bytes()[:-1])
    with open_vault(AppConfig(data_dir=data_dir)) as vault:
        vault.shred(OTHER)
    result = run(data_dir, "verify", "--all", ok=False)
    assert result.exit_code == 1
    assert "FAILED" in result.output and "could not be opened" in result.output
    assert "shredded" in result.output
    assert "3 object(s): 1 ok, 1 failed, 1 shredded" in result.output


def test_keys_rotate_and_rewrap(data_dir, processed):
    before = json.loads((data_dir / "vault" / "keyring.json").read_text())
    result = run(data_dir, "keys", "rotate")
    after = json.loads((data_dir / "vault" / "keyring.json").read_text())
    assert len(after["keys"]) == 2 and after["current"] in result.output
    assert not any(k["key"] in result.output for k in after["keys"])
    assert "re-wrapped 2 recording key(s)" in run(data_dir, "keys", "rewrap").output
    assert "re-wrapped 0" in run(data_dir, "keys", "rewrap").output
    assert before["keys"][0] in after["keys"]
    assert "3 ok" in run(data_dir, "verify", "--all").output
    from callvault.catalog import Catalog

    with Catalog.in_data_dir(data_dir) as catalog:
        entries = [e for e in catalog.audit.export() if e["action"].startswith("vault.")]
    assert [e["action"] for e in entries] == ["vault.rotate", "vault.rewrap", "vault.rewrap"]
    assert entries[0]["details"]["current"] == after["current"] and entries[1]["details"]["rewrapped"] == 2
    assert all(e["actor"] == os_actor() == e["details"]["os_user"] for e in entries)


def test_s3_store_and_kms_from_the_config_file(data_dir, moto_endpoint, bucket, kms_key, tmp_path):
    """The CLI builds its own boto3 clients from [vault] and the normal credential chain."""
    config = tmp_path / "callvault.toml"
    config.write_text(
        "[vault]\n"
        'store = "s3"\n'
        f's3_bucket = "{bucket}"\n'
        's3_prefix = "cli"\n'
        'keyring = "kms"\n'
        f'kms_key_id = "{kms_key}"\n'
        f'kms_endpoint = "{moto_endpoint}"\n'
        's3_region = "us-east-1"\n'
    )
    from callvault.config import load_config

    with open_vault(load_config(data_dir, config), s3_endpoint=moto_endpoint) as vault:
        vault.seal_and_put(RID, "original", io.BytesIO(b"s3 call"))
    base = ["--config", str(config)]
    assert "1 ok" in run(data_dir, *base, "verify", "--all", "--s3-endpoint", moto_endpoint).output
    out = tmp_path / "o.wav"
    run(data_dir, *base, "restore", RID[:8], "--out", str(out), "--reason", "r", "--s3-endpoint", moto_endpoint)
    assert out.read_bytes() == b"s3 call"
    rotate = run(data_dir, *base, "keys", "rotate", ok=False)
    assert rotate.exit_code == 1 and "enable-key-rotation" in rotate.output


def test_unknown_vault_setting_is_a_clear_error(data_dir, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[vault]\nbukket = "x"\n')
    result = run(data_dir, "--config", str(config), "verify", "--all", ok=False)
    assert result.exit_code == 1 and "unknown [vault] setting(s) bukket" in result.output
