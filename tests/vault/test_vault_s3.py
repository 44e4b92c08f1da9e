"""The vault against a real S3 + KMS HTTP server (moto) on 127.0.0.1."""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from callvault.models.errors import ConfigError, IntegrityError, StoreError
from callvault.vault.format import TAG_BYTES, read_header

MiB = 1 << 20


def rid(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def count_calls(s3, operation: str) -> list[int]:
    counter = [0]

    def hook(**kwargs):
        counter[0] += 1

    s3.meta.events.register(f"before-call.s3.{operation}", hook)
    return counter


def test_put_and_get(s3_vault, s3, bucket):
    data = os.urandom(300_000)
    ref = s3_vault.seal_and_put(rid("a"), "original", io.BytesIO(data))
    assert ref.store == f"s3://{bucket}/archive/"
    head = s3.head_object(Bucket=bucket, Key="archive/" + ref.key)
    assert head["Metadata"]["sha256"] == ref.sha256 and head["ContentLength"] == ref.size
    assert "ObjectLockMode" not in head
    body = s3.get_object(Bucket=bucket, Key="archive/" + ref.key)["Body"].read()
    assert hashlib.sha256(body).hexdigest() == ref.sha256 and data[:64] not in body
    out = io.BytesIO()
    assert s3_vault.open_to(ref, out) == len(data)
    assert out.getvalue() == data


def test_large_objects_go_up_in_parts(s3_vault, s3, bucket):
    parts = count_calls(s3, "UploadPart")
    data = os.urandom(12 * MiB + 5)
    ref = s3_vault.seal_and_put(rid("b"), "original", io.BytesIO(data))
    assert parts[0] == 3  # 5 + 5 + 2 MiB
    out = io.BytesIO()
    s3_vault.open_to(ref, out)
    assert out.getvalue() == data
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_object_lock_sets_retention_and_refuses_an_early_delete(make_vault, s3, lock_bucket):
    vault = make_vault(store="s3", s3_bucket=lock_bucket, object_lock_mode="COMPLIANCE")
    until = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=30)
    ref = vault.seal_and_put(rid("c"), "original", io.BytesIO(b"locked call"), expires_at=until)
    head = s3.head_object(Bucket=lock_bucket, Key=ref.key)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] == until

    with pytest.raises(StoreError, match="Object Lock"):
        vault.delete(ref)
    vault.verify(ref)  # still there and whole
    assert vault.refs(rid("c")) == [ref]


def test_object_lock_default_days_and_missing_retention(make_vault, s3, lock_bucket):
    vault = make_vault(store="s3", s3_bucket=lock_bucket, object_lock_days=7)
    ref = vault.seal_and_put(rid("d"), "original", io.BytesIO(b"x"))
    head = s3.head_object(Bucket=lock_bucket, Key=ref.key)
    assert head["ObjectLockMode"] == "GOVERNANCE"
    left = head["ObjectLockRetainUntilDate"] - datetime(2025, 3, 4, 9, 0, tzinfo=timezone.utc)
    assert timedelta(days=7) <= left <= timedelta(days=7, minutes=1)  # from the injected clock

    no_default = make_vault(store="s3", s3_bucket=lock_bucket)
    with pytest.raises(ConfigError, match="object_lock_days"):
        no_default.seal_and_put(rid("e"), "original", io.BytesIO(b"x"))
    assert no_default.refs(rid("e")) == []


def test_delete_without_lock_removes_every_version(make_vault, s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    vault = make_vault(store="s3", s3_bucket=bucket)
    ref = vault.seal_and_put(rid("f"), "original", io.BytesIO(b"one"))
    ref = vault.seal_and_put(rid("f"), "original", io.BytesIO(b"two"))
    vault.delete(ref)
    listing = s3.list_object_versions(Bucket=bucket, Prefix=ref.key)
    assert listing.get("Versions", []) == [] and listing.get("DeleteMarkers", []) == []
    # The catalog keeps its row until whoever deleted it marks it purged (the sweep does, audited).
    assert vault.refs(rid("f")) == [ref]


# -- damage in the store -----------------------------------------------------------------


def rewrite(s3, bucket, key, blob: bytes, sha: str | None = None) -> None:
    """Replace a stored object's bytes; with ``sha`` also forge its checksum metadata."""
    s3.put_object(Bucket=bucket, Key=key, Body=blob, Metadata={"sha256": sha or hashlib.sha256(blob).hexdigest()})


@pytest.fixture
def stored(make_vault, s3, bucket):
    vault = make_vault(store="s3", s3_bucket=bucket, frame_size=4096)
    ref = vault.seal_and_put(rid("g"), "original", io.BytesIO(os.urandom(5 * 4096 + 100)))
    blob = s3.get_object(Bucket=bucket, Key=ref.key)["Body"].read()
    return vault, ref, blob


def test_tampered_byte_is_caught_by_checksum_and_by_gcm(stored, s3, bucket):
    vault, ref, blob = stored
    bad = bytearray(blob)
    bad[len(blob) // 2] ^= 0x10
    rewrite(s3, bucket, ref.key, bytes(bad), sha=ref.sha256)  # checksum metadata left as it was
    with pytest.raises(IntegrityError):
        vault.verify(ref)
    rewrite(s3, bucket, ref.key, bytes(bad))  # checksum forged to match
    with pytest.raises(IntegrityError):
        vault.verify(replace(ref, sha256=hashlib.sha256(bad).hexdigest(), size=len(bad)))


def test_truncated_object_fails(stored, s3, bucket):
    vault, ref, blob = stored
    for cut in (1, TAG_BYTES, 4096 + TAG_BYTES):
        short = blob[:-cut]
        rewrite(s3, bucket, ref.key, short)
        with pytest.raises(IntegrityError):
            vault.verify(replace(ref, sha256=hashlib.sha256(short).hexdigest(), size=len(short)))


def test_swapped_frames_fail(stored, s3, bucket):
    vault, ref, blob = stored
    header = read_header(io.BytesIO(blob)).raw
    step = 4096 + TAG_BYTES
    frames = [blob[len(header) + i : len(header) + i + step] for i in range(0, len(blob) - len(header), step)]
    frames[1], frames[2] = frames[2], frames[1]
    swapped = header + b"".join(frames)
    rewrite(s3, bucket, ref.key, swapped)
    with pytest.raises(IntegrityError):
        vault.verify(replace(ref, sha256=hashlib.sha256(swapped).hexdigest()))


def test_object_copied_under_another_recording_fails(stored, s3, bucket):
    vault, ref, blob = stored
    other = vault.seal_and_put(rid("other"), "original", io.BytesIO(b"other call"))
    rewrite(s3, bucket, other.key, blob)
    with pytest.raises(IntegrityError):
        vault.verify(replace(other, sha256=ref.sha256, size=ref.size))


# -- KMS keyring on the same server ------------------------------------------------------


def test_kms_keyring_seals_opens_and_binds_context(make_vault, kms, kms_key, bucket):
    vault = make_vault(store="s3", s3_bucket=bucket, keyring="kms", kms_key_id=kms_key)
    data = os.urandom(50_000)
    ref = vault.seal_and_put(rid("h"), "original", io.BytesIO(data))
    row = vault.keys.for_recording(rid("h"), "default")
    assert row.keyring == "kms" and row.wrapping_key_id.startswith("arn:aws:kms:")
    fresh = make_vault(store="s3", s3_bucket=bucket, keyring="kms", kms_key_id=kms_key)
    out = io.BytesIO()
    fresh.open_to(ref, out)
    assert out.getvalue() == data

    # KMS itself refuses a wrapped recording key presented under another context.
    from callvault.vault.keyring import WrappedKey

    with pytest.raises(IntegrityError):
        fresh.keyring.unwrap(WrappedKey(row.wrapping_key_id, row.wrapped_key), {"recording_id": rid("x")})


def test_kms_rewrap_to_a_new_key_and_rotate_is_explained(make_vault, kms, kms_key, bucket, s3):
    vault = make_vault(store="s3", s3_bucket=bucket, keyring="kms", kms_key_id=kms_key)
    ref = vault.seal_and_put(rid("i"), "original", io.BytesIO(b"kms call"))
    before = s3.get_object(Bucket=bucket, Key=ref.key)["Body"].read()
    with pytest.raises(ConfigError, match="enable-key-rotation"):
        vault.rotate_keys()

    new_key = kms.create_key()["KeyMetadata"]["Arn"]
    moved = make_vault(store="s3", s3_bucket=bucket, keyring="kms", kms_key_id=new_key)
    assert moved.rewrap() == 1
    assert moved.keys.for_recording(rid("i"), "default").wrapping_key_id == new_key
    kms.disable_key(KeyId=kms.describe_key(KeyId=kms_key)["KeyMetadata"]["KeyId"])  # old key not needed
    make_vault(store="s3", s3_bucket=bucket, keyring="kms", kms_key_id=new_key).verify(ref)
    assert s3.get_object(Bucket=bucket, Key=ref.key)["Body"].read() == before


def test_kms_keys_cannot_open_local_keyring_recordings(make_vault, kms_key, bucket):
    ref = make_vault(store="s3", s3_bucket=bucket).seal_and_put(rid("j"), "original", io.BytesIO(b"x"))
    with pytest.raises(ConfigError, match="local keyring"):
        make_vault(store="s3", s3_bucket=bucket, keyring="kms", kms_key_id=kms_key).verify(ref)


# -- the S3 server goes away ---------------------------------------------------------------


def test_server_stopped_during_a_multipart_upload(make_vault, spare_moto, sleeps, tmp_path, data_dir):
    server = spare_moto()
    doomed = server.client("s3", connect_timeout=1, read_timeout=2)
    doomed.create_bucket(Bucket="doomed")
    vault = make_vault(store="s3", s3_bucket="doomed", s3_client=doomed, sleep=sleeps, max_attempts=4, part_size=5 << 20)
    parts = []

    def stop_on_second_part(**kwargs):
        parts.append(1)
        if len(parts) == 2:
            server.stop()

    doomed.meta.events.register("before-send.s3.UploadPart", stop_on_second_part)
    source = tmp_path / "call.wav"
    data = os.urandom(11 * MiB)
    source.write_bytes(data)

    with pytest.raises(StoreError) as info:
        vault.seal_and_put(rid("k"), "original", source)
    message = str(info.value)
    assert "failed 4 times" in message and "127.0.0.1" in message and "Nothing local was removed" in message
    assert len(sleeps.delays) == 3
    assert sleeps.delays == sorted(sleeps.delays) and sleeps.delays[0] > 0
    assert sleeps.delays[-1] >= 2 * 0.5 * sleeps.delays[0]  # exponential, with jitter in [0.5, 1]
    # Not marked done, nothing local lost or left behind.
    assert vault.refs() == []
    assert source.read_bytes() == data
    assert list((data_dir / "vault" / "spool").iterdir()) == []


def test_unreachable_endpoint_fails_clearly_after_retries(make_vault, spare_moto, sleeps, tmp_path):
    server = spare_moto()
    dead = server.client("s3", connect_timeout=1)
    server.stop()  # its port now refuses connections
    vault = make_vault(store="s3", s3_bucket="nowhere", s3_client=dead, sleep=sleeps, max_attempts=3)
    source = tmp_path / "call.wav"
    source.write_bytes(b"small call")
    with pytest.raises(StoreError, match="failed 3 times"):
        vault.seal_and_put(rid("l"), "original", source)
    assert len(sleeps.delays) == 2 and source.read_bytes() == b"small call"


def test_missing_bucket_is_not_retried(make_vault, sleeps):
    vault = make_vault(store="s3", s3_bucket="no-such-bucket-here", sleep=sleeps)
    with pytest.raises(StoreError, match="does not exist"):
        vault.seal_and_put(rid("m"), "original", io.BytesIO(b"x"))
    assert sleeps.delays == []
