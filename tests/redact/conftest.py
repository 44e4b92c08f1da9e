"""Fixtures for the redact tests: no network, one Detector per session, the labelled set."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

LABELLED = Path(__file__).resolve().parents[1] / "data" / "labelled"


class NetworkBlocked(RuntimeError):
    pass


def _refuse(*args, **kwargs):
    raise NetworkBlocked("network access attempted during a redact test")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Every redact test runs with outbound sockets refused: detection must never download.

    Function-scoped on purpose: a session-scoped patch here would stay active
    for other folders' tests (e.g. the S3 server on 127.0.0.1) run after these.
    Session fixtures (the Detector, the synthesised call) are built inside a
    test, so under the patch too.
    """
    original_connect = socket.socket.connect

    def connect(sock, address):
        if sock.family == getattr(socket, "AF_UNIX", None):
            return original_connect(sock, address)
        _refuse()

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda *a, **k: _refuse())
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse)


@pytest.fixture(scope="session")
def detector():
    from callvault.redact.detect import Detector

    return Detector()


@pytest.fixture(scope="session")
def labelled_calls():
    from callvault.labelled import load_dialogues

    calls = load_dialogues(LABELLED)
    assert len(calls) >= 40
    return calls
