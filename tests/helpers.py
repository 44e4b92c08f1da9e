"""Helpers for tests in any folder (tests/ is on pytest's pythonpath)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_file(name: str) -> Path:
    """A reference recording from ../shared/data, or skip with the reason."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"reference recording {path} is absent (see ../shared/data/README.md)")
    return path


def need_tool(name: str) -> None:
    if not shutil.which(name):
        pytest.skip(f"{name} is not installed (make setup installs it)")


# -- shared by the catalog, vault, retention and worker tests -----------------

from contextlib import contextmanager  # noqa: E402
from datetime import datetime, timedelta, timezone  # noqa: E402

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=timezone.utc)


class StepClock:
    """A UTC clock that moves one second each time it is read."""

    def __init__(self, start: datetime = T0):
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class Clock:
    """A UTC clock that stands still until a test moves it."""

    def __init__(self, start: datetime = T0):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@contextmanager
def moto_server():
    """A real moto S3 + KMS HTTP server on 127.0.0.1 (free port); yields its URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def isolate_aws(monkeypatch, tmp_path) -> None:
    """Dummy credentials, and no user AWS config or endpoint leaking into a test."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_KMS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


# -- shared by the web app tests (in-process HTTP client) -----------------------

import re  # noqa: E402

WEB_PASSWORD = "correct horse battery staple"


def web_sign_in(client, name: str, password: str = WEB_PASSWORD):
    """Sign in through the real form (its double-submit token first); returns the POST's response."""
    page = client.get("/signin")
    token = re.search(r'name="signin_token" value="([^"]+)"', page.text)[1]
    return client.post("/signin", data={"signin_token": token, "name": name, "password": password}, follow_redirects=False)


def csrf_of(page) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.text)[1]


def audit_rows(data: Path, action: str) -> list[dict]:
    from callvault.catalog import Catalog

    with Catalog.in_data_dir(data) as catalog:
        return [dict(r) for r in catalog.conn.execute("SELECT * FROM audit WHERE action = ? ORDER BY seq", (action,))]
