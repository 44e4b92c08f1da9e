"""Vault fixtures: a real moto S3 + KMS server on 127.0.0.1, buckets, keys and vaults."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any, Callable

import pytest

from callvault.config import AppConfig
from helpers import T0, StepClock, isolate_aws, moto_server  # noqa: F401 (re-exported to the tests)

class Sleeps:
    """Records backoff delays instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def rid(label: str) -> str:
    """A recording id (SHA-256 hex) for a test label."""
    return hashlib.sha256(label.encode()).hexdigest()


class Moto:
    """One moto server (S3 + KMS) on 127.0.0.1 at a free port."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        self.running = True

    def stop(self) -> None:
        """Stop serving and close the listening socket, so new connections are refused."""
        if self.running:
            self.running = False
            self._server.stop()
            self._server._server.server_close()

    def client(self, service: str, **config: Any):
        return client(service, self.url, **config)


@pytest.fixture(scope="session")
def moto_endpoint():
    with moto_server() as url:
        yield url


@pytest.fixture
def spare_moto():
    """Start extra moto servers a test may stop (the session server stays up)."""
    started: list[Moto] = []

    def start() -> Moto:
        started.append(Moto())
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture(autouse=True)
def aws_env(monkeypatch, tmp_path):
    isolate_aws(monkeypatch, tmp_path)


def client(service: str, endpoint: str, **config: Any):
    import boto3
    from botocore.config import Config

    options = {"retries": {"total_max_attempts": 1}, "connect_timeout": 2, "read_timeout": 10, **config}
    if service == "s3":
        options["s3"] = {"addressing_style": "path"}
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", config=Config(**options))


@pytest.fixture
def s3(moto_endpoint):
    return client("s3", moto_endpoint)


@pytest.fixture
def kms(moto_endpoint):
    return client("kms", moto_endpoint)


@pytest.fixture
def bucket(s3) -> str:
    name = f"plain-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def lock_bucket(s3) -> str:
    name = f"locked-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    return name


@pytest.fixture
def kms_key(kms) -> str:
    """An alias to a fresh symmetric KMS key."""
    key_id = kms.create_key(Description="callvault test")["KeyMetadata"]["KeyId"]
    alias = f"alias/callvault-{uuid.uuid4().hex[:8]}"
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    return alias


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def make_vault(data_dir, s3, kms) -> Callable[..., Any]:
    """open_vault over ``data_dir`` with the given [vault] settings and the moto clients."""
    from callvault.vault import open_vault

    opened = []

    def make(*, data: Path | None = None, clock=None, sleep=None, s3_client=None, **table: Any):
        config = AppConfig(data_dir=data or data_dir, tables={"vault": table})
        vault = open_vault(
            config,
            clock=clock or StepClock(),
            s3_client=s3_client or s3,
            kms_client=kms,
            sleep=sleep or Sleeps(),
        )
        opened.append(vault)
        return vault

    yield make
    for vault in opened:
        vault.close()


@pytest.fixture
def local_vault(make_vault):
    return make_vault()


@pytest.fixture
def s3_vault(make_vault, bucket):
    return make_vault(store="s3", s3_bucket=bucket, s3_prefix="archive", part_size=5 << 20)
