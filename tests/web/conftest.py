"""A catalog of really processed calls (the synthesised demo call through `callvault process`), with accounts."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

PASSWORD = "correct horse battery staple"
ACCOUNTS = {"ann": "auditor", "otto": "officer", "ada": "admin"}
CALL_ID = "WEB-1"
STARTED = "2026-11-30T10:00:00+00:00"
RAW_VALUES = ("tiger", "forty two", "eighty four")  # what the demo caller says that must never be shown


@pytest.fixture(scope="session")
def web_archive(tmp_path_factory, demo_call):
    """DATA_DIR with one processed call (vault, catalog) and one account per role."""
    from callvault.catalog import Catalog, accounts
    from callvault.cli import cli
    from callvault.web.passwords import hash_password

    root = tmp_path_factory.mktemp("web")
    inbox = root / "inbox"
    inbox.mkdir()
    shutil.copy(demo_call[0], inbox / "web-call.wav")
    (inbox / "web-call.json").write_text(json.dumps(
        {"call_id": CALL_ID, "direction": "inbound", "agent_id": "A17", "started_at": STARTED}
    ))
    data = root / "data"
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "process", str(inbox)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    hashed = hash_password(PASSWORD)
    with Catalog.in_data_dir(data) as catalog:
        for name, role in ACCOUNTS.items():
            accounts.add_user(catalog.conn, catalog.audit, name, role, hashed, "test", catalog.clock())
        rid = catalog.resolve(CALL_ID)
    return data, rid


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def serve():
    """``serve(data_dir, *flags)``: a context manager running `callvault serve`."""
    return running_server


@pytest.fixture
def make_client(web_archive):
    """``make_client(clock=None, **settings)``: an in-process HTTPS test client of the app over the archive."""
    import functools

    from starlette.testclient import TestClient

    from callvault.config import load_config
    from callvault.vault import open_vault
    from callvault.web import WebSettings, create_app

    data, _ = web_archive
    config = load_config(data, None)

    def make(**overrides):
        settings = WebSettings(data_dir=config.data_dir, open_vault=functools.partial(open_vault, config), **overrides)
        return TestClient(create_app(settings), base_url="https://testserver")

    return make


@contextmanager
def running_server(data_dir: Path, *extra: str):
    """`callvault serve` as a real process on a free loopback port; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-c", "from callvault.cli import main; main()", "--data-dir", str(data_dir),
               "serve", "--port", str(port), *extra]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/signin", timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"callvault serve did not start: {process.stdout.read() if process.stdout else ''}")
                time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
