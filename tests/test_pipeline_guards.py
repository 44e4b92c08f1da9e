"""The pipeline keeps nothing of a leaking recording, and no plaintext ever sits in a temp folder.

Real espeak-ng speech, real faster-whisper, real presidio, real vault and
catalog, a real kill -9.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from callvault.cli import cli
from helpers import need_tool

pytestmark = pytest.mark.slow

CARD_CALL = [
    ("agent", 0.5, "Thanks for calling. Please read me the card number."),
    ("customer", 5.0, "six zero one one, zero zero zero nine, nine zero one three, nine four two four."),
    ("agent", 16.0, "And the security code on the back?"),
    ("customer", 20.0, "three one seven."),
    ("agent", 24.0, "Thank you, that payment went through."),
]


@pytest.fixture(scope="module")
def card_call(tmp_path_factory):
    need_tool("espeak-ng")
    from callvault.synth import Line, synthesise_call

    path = tmp_path_factory.mktemp("card") / "card-call.wav"
    synthesise_call([Line(*line) for line in CARD_CALL], path, speed=130, gap=3)
    return path


def _nothing_kept(data: Path) -> None:
    calls = data / "calls"
    assert not calls.exists() or list(calls.iterdir()) == [], "a refused call left its folder"
    assert list((data / "vault").rglob("*.cvlt")) == [], "a refused call left sealed objects"
    with sqlite3.connect(data / "catalog.db") as conn:
        assert conn.execute("SELECT count(*) FROM recordings").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM objects").fetchone() == (0,)


def test_a_card_number_in_the_metadata_or_file_name_fails_the_call_and_keeps_nothing(tmp_path, demo_call):
    good, _ = demo_call
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    inbox.mkdir()
    (inbox / "acct.wav").write_bytes(good.read_bytes())
    (inbox / "acct.json").write_text(json.dumps({"call_id": "LEAK-1", "account_id": "acct 4532 0151 1283 0366"}))
    named = inbox / "card_4532-0151-1283-0366.wav"
    named.write_bytes(good.read_bytes() + b"\0\0")  # another recording id
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "process", "--json", str(inbox)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    failures = {Path(f["source"]).name: f["error"] for f in json.loads(result.stdout)["failures"]}
    assert "metadata.account_id: PAN" in failures["acct.wav"]
    assert "source path: PAN" in failures[named.name]
    for error in failures.values():
        assert "0151" not in error and "0366" not in error, "the value itself never reaches a message"
    _nothing_kept(data)


# The vault is a real one; only its seal_and_put is wrapped, to kill -9 the
# process at the worst moment: part of the call sealed, the rest not yet.
_KILL_MID_SEAL = textwrap.dedent(
    """
    import os, signal, sys
    from callvault.vault.vault import Vault

    real, calls = Vault.seal_and_put, [0]

    def seal_then_die(self, *args, **kwargs):
        calls[0] += 1
        if calls[0] == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, *args, **kwargs)

    Vault.seal_and_put = seal_then_die
    from callvault.cli import main
    sys.argv = ["callvault", *sys.argv[1:]]
    main()
    """
)


AUDIO_MAGIC = (b"RIFF", b"fLaC", b"OggS", b"ID3")
SPOKEN = (b"card number", b"security code", b"payment went through")


def _plaintext_files(folder: Path) -> list[Path]:
    """Files holding the call in the clear: its audio, or its words (other programs' caches aside)."""
    found = []
    for path in (p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data.startswith(AUDIO_MAGIC) or any(words in data.lower() for words in SPOKEN):
            found.append(path)
    return found


def test_a_kill_mid_call_leaves_no_plaintext_in_any_temp_folder(tmp_path, card_call):
    inbox, data, system_tmp = tmp_path / "inbox", tmp_path / "data", tmp_path / "system-tmp"
    inbox.mkdir()
    system_tmp.mkdir()
    (inbox / card_call.name).write_bytes(card_call.read_bytes())
    env = {**os.environ, "TMPDIR": str(system_tmp)}
    run = subprocess.run(
        [sys.executable, "-c", _KILL_MID_SEAL, "--data-dir", str(data), "process", "-q", "--cpu-threads", "1", str(inbox)],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert len(list((data / "vault").rglob("*.cvlt"))) == 2, "killed after two objects were sealed"
    findings = json.loads(next((data / "calls").glob("*/findings.json")).read_text())
    assert findings["pci_scrub"], "the call has CVV spans, so a scrubbed original was made"
    for folder in (system_tmp, data / "tmp", data / "vault" / "spool"):
        if folder.exists():
            assert _plaintext_files(folder) == [], f"plaintext left in {folder}"
