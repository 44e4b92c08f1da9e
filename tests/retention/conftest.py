"""Retention fixtures: an archive (catalog + vault) over the local store or a real moto S3 server.

Calls are stored the way the pipeline will store them: each object sealed by
the real vault with the expiry ``expiry_for`` gives, then the call recorded in
the real catalog with its refs. One movable clock drives vault, catalog and
sweep, so tests move time instead of waiting.
"""

from __future__ import annotations

import hashlib
import io
import types
import uuid
from pathlib import Path
from typing import Any

import pytest

from callvault.catalog import Catalog
from helpers import T0, Clock, isolate_aws, moto_server  # noqa: F401 (re-exported to the tests)
from callvault.config import AppConfig
from callvault.models import CallMetadata, ConsentEvent, Recording, RuleResult, Transcript, Turn, Word
from callvault.retention import CallFacts, default_policy, expiry_for

def transcript(recording_id: str, lines: list[tuple[str, str]]) -> Transcript:
    turns, t = [], 0.0
    for role, text in lines:
        speaker = "S0" if role == "agent" else "S1"
        words = tuple(Word(t + 0.4 * i, t + 0.4 * i + 0.35, w, speaker=speaker) for i, w in enumerate(text.split()))
        turns.append(Turn(speaker, role, words))
        t = words[-1].end + 2.0
    return Transcript(recording_id, tuple(turns), duration=t)


class Archive:
    """A data folder with a real catalog and a real vault sharing one clock."""

    def __init__(self, data_dir: Path, vault_table: dict[str, Any], clock: Clock, s3_client: Any = None):
        from callvault.vault import open_vault

        self.data_dir = data_dir
        self.clock = clock
        self.config = AppConfig(data_dir=data_dir, tables={"vault": vault_table})
        self.vault = open_vault(self.config, clock=clock, s3_client=s3_client, sleep=lambda s: None)
        self.catalog = Catalog.in_data_dir(data_dir, clock=clock)
        self.policy = default_policy()
        self.refs: dict[str, list] = {}

    def store_call(
        self,
        call_id: str,
        *,
        kinds: tuple[str, ...] = ("original", "redacted_transcript"),
        evidence: bool = False,
        violation: bool = False,
        account: str | None = None,
        tags: tuple[str, ...] = (),
        text: str = "i would like to cancel my plan today",
        policy=None,
    ) -> Recording:
        rid = hashlib.sha256(call_id.encode()).hexdigest()
        meta = CallMetadata(call_id=call_id, direction="inbound", started_at=self.clock().isoformat(),
                            agent_id="A1", account_id=account, tags=tags)
        rec = Recording(rid, f"/in/{call_id}.wav", meta, size=100)
        events = [ConsentEvent("APPROVAL_GRANTED", "S1", "customer", 3.0, 4.0, "sure go ahead")] if evidence else []
        rules = [RuleResult("R1", "fail" if violation else "pass")]
        facts = CallFacts.of(meta, events, rules)
        refs = []
        for kind in kinds:
            expires = expiry_for(policy or self.policy, facts, kind, stored_at=self.clock())
            body = f"{kind} of {call_id} ".encode() * 50
            refs.append(self.vault.seal_and_put(rid, kind, io.BytesIO(body), expires_at=expires))
        folder = self.data_dir / "calls" / f"{call_id}__{rid[:12]}"
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("transcript.json", "transcript.txt", "transcript.vtt", "findings.json", "redacted.wav", "events.json"):
            (folder / name).write_text("redacted copy")
        self.catalog.record_call(
            rec, transcript(rid, [("agent", "thanks for calling"), ("customer", text)]),
            processed_at=self.clock().isoformat(), events=events, rules=rules, objects=refs, call_dir=folder.name,
        )
        self.refs[call_id] = refs
        return rec

    def close(self) -> None:
        self.catalog.close()
        self.vault.close()


# -- a real S3 server (moto) on 127.0.0.1 ------------------------------------------------


@pytest.fixture(scope="session")
def moto_url():
    with moto_server() as url:
        yield url


@pytest.fixture(autouse=True)
def aws_env(monkeypatch, tmp_path):
    isolate_aws(monkeypatch, tmp_path)


@pytest.fixture
def s3(moto_url):
    import boto3
    from botocore.config import Config

    config = Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=10, s3={"addressing_style": "path"})
    return boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1", config=config)


def new_bucket(s3, *, lock: bool = False) -> str:
    name = f"{'locked' if lock else 'plain'}-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, **({"ObjectLockEnabledForBucket": True} if lock else {}))
    return name


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["local", "s3"])
def archive(request, tmp_path, clock):
    """The same archive over the local store and over the moto S3 server."""
    if request.param == "local":
        arch = Archive(tmp_path / "data", {}, clock)
    else:
        s3 = request.getfixturevalue("s3")
        arch = Archive(tmp_path / "data", {"store": "s3", "s3_bucket": new_bucket(s3), "s3_prefix": "calls"}, clock, s3)
        arch.s3 = s3
    yield arch
    arch.close()


@pytest.fixture
def local_archive(tmp_path, clock):
    arch = Archive(tmp_path / "data", {}, clock)
    yield arch
    arch.close()


@pytest.fixture
def make_archive(tmp_path):
    """Archives with their own settings (e.g. an Object Lock bucket)."""
    made: list[Archive] = []

    def make(name: str, vault_table: dict[str, Any], clock: Clock, s3_client: Any = None) -> Archive:
        made.append(Archive(tmp_path / name, vault_table, clock, s3_client))
        return made[-1]

    yield make
    for arch in made:
        arch.close()


@pytest.fixture
def kit():
    """Helpers for test modules (which cannot import conftest under importlib mode)."""
    return types.SimpleNamespace(Clock=Clock, T0=T0, new_bucket=new_bucket, Archive=Archive)
