"""The stored-object leak check: process a card call, restore EVERY kind, scan what comes back.

Real espeak-ng speech, real faster-whisper, real presidio, real AES-GCM and
SQLite, through `callvault process` and `callvault restore`. Text kinds are
scanned for the values in digits and in words; audio kinds are transcribed
again with whisper and the transcript scanned the same way.

PCI DSS 3.3.1: sensitive authentication data (the CVV and the PIN) must not
be stored after authorisation even encrypted, so it is absent from every
kind. The card number and SSN may be kept encrypted (PCI DSS 3.5) in the
sealed raw evidence (``original``, ``transcript``) and must be absent from
the redacted kinds.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from callvault.cli import cli
from callvault.models.storage import OBJECT_KINDS
from helpers import need_tool

pytestmark = pytest.mark.slow

CARD = "4532015112830366"  # a Visa test number (Luhn-valid)
CVV = "825"
PIN = "9381"  # an account passcode: AUTH_SECRET, scrubbed like the CVV
SSN = "523417789"
SAD = (CVV, PIN)

SCRIPT = [
    ("agent", 0.5, "Thanks for calling. How can I help?"),
    ("customer", 4.5, "I would like to settle my balance with a credit card."),
    ("agent", 9.5, "Of course. What is the card number?"),
    ("customer", 13.5, "four five three two, zero one five one, one two eight three, zero three six six."),
    ("agent", 25.0, "And the security code on the back?"),
    ("customer", 29.0, "eight two five."),
    ("agent", 32.5, "Thank you. Now the passcode on the account, please."),
    ("customer", 37.0, "The passcode is nine three eight one."),
    ("agent", 41.0, "Please confirm your social security number."),
    ("customer", 45.5, "five two three, four one, seven seven eight nine."),
    ("agent", 53.0, "Thanks, the payment went through."),
]
RAW_EVIDENCE = ("original", "transcript")
AUDIO_KINDS = ("original", "redacted_audio")


@pytest.fixture(scope="module")
def card_call(tmp_path_factory):
    need_tool("espeak-ng")
    from callvault.synth import Line, synthesise_call

    root = tmp_path_factory.mktemp("stored-leaks")
    inbox, data = root / "inbox", root / "data"
    synthesise_call([Line(*line) for line in SCRIPT], inbox / "card-payment.wav", speed=130, gap=3)
    (inbox / "card-payment.json").write_text(json.dumps({"call_id": "CARD-7", "direction": "inbound"}))
    data.mkdir()
    (data / "callvault.toml").write_text('[redact]\naudio = "silence"\n')
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "process", "--json", str(inbox)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return data, root


def _restore(data, root, kind):
    out = root / f"restored-{kind}-{len(list(root.glob('restored-*')))}"
    result = CliRunner().invoke(
        cli, ["--data-dir", str(data), "restore", "CARD-7", "--kind", kind, "--out", str(out), "--reason", "leak check"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def heard(card_call):
    """What whisper hears in each restored audio kind, one string per kind."""
    import numpy as np

    from callvault.recorder.decode import decode
    from callvault.transcribe.asr import AsrOptions, WhisperAsr

    data, root = card_call
    asr = WhisperAsr(AsrOptions(device="cpu", cpu_threads=2))
    texts = {}
    for kind in AUDIO_KINDS:
        audio = decode(_restore(data, root, kind))
        assert all(np.abs(c).max() > 0.05 for c in audio.channels)  # speech is there: the scan means something
        texts[kind] = "\n".join(" ".join(w.text for w in asr.words(c)) for c in audio.channels)
    return texts


@pytest.mark.parametrize("kind", [k for k in OBJECT_KINDS if k not in AUDIO_KINDS])
def test_restored_text_kinds_hold_no_card_security_data(card_call, kind):
    from callvault.redact.leakscan import readable_text, scan_text

    data, root = card_call
    text = readable_text(_restore(data, root, kind))
    assert text and "[CVV]" in text or kind == "findings"
    forbidden = SAD if kind in RAW_EVIDENCE else (*SAD, CARD, SSN)
    leaks = scan_text(text, forbidden)
    if kind in RAW_EVIDENCE:
        leaks = [leak for leak in leaks if leak[0] == "VALUE"]  # PAN/SSN-shaped numbers may stay here, encrypted
    assert leaks == [], f"{kind}: {leaks}"


def test_full_transcript_still_holds_what_may_be_kept(card_call):
    """The scrub removes only SAD: the sealed full transcript keeps the card number for authorised review."""
    from callvault.redact.leakscan import readable_text
    from callvault.redact.spoken import spoken_digits

    data, root = card_call
    text = readable_text(_restore(data, root, "transcript"))
    assert CARD[-8:] in spoken_digits(text) and "[CVV]" in text and "[AUTH_SECRET]" in text


@pytest.mark.parametrize("kind", AUDIO_KINDS)
def test_restored_audio_kinds_do_not_say_card_security_data(heard, kind):
    from callvault.redact.leakscan import scan_text
    from callvault.redact.spoken import spoken_digits

    text = heard[kind]
    assert "payment" in text.lower()  # whisper heard the call: the scan means something
    if kind == "original":
        assert len(spoken_digits(text)) >= 10  # and the digits that may stay there
    forbidden = SAD if kind in RAW_EVIDENCE else (*SAD, CARD, SSN)
    assert [leak for leak in scan_text(text, forbidden) if leak[0] == "VALUE"] == [], kind
    for value in SAD:
        assert value not in spoken_digits(text), kind


# Last in this module: it shreds the call the tests above restore.
def test_a_shredded_card_call_is_never_stored_again(card_call, monkeypatch):
    import sqlite3
    from datetime import datetime, timezone

    from callvault.catalog import Catalog
    from callvault.config import load_config
    from callvault.retention import default_policy, run_sweep
    from callvault.vault import open_vault

    data, root = card_call
    config = load_config(str(data), None)
    years_later = datetime(2200, 1, 1, tzinfo=timezone.utc)
    with Catalog.in_data_dir(data) as catalog, open_vault(config) as vault:
        report = run_sweep(default_policy(), catalog, vault, clock=lambda: years_later, calls_dir=data / "calls")
        rid = catalog.resolve("CARD-7")
    assert report.shredded == 1

    def process(*flags):
        result = CliRunner().invoke(cli, ["--data-dir", str(data), "process", "--json", *flags, str(root / "inbox")])
        return json.loads(result.stdout)

    assert process()["skipped"] == 1  # already done (purged) with this version
    refusals = [process("--reprocess")]
    monkeypatch.setattr("callvault.pipeline.PIPELINE_VERSION", "999-bumped")
    monkeypatch.setattr("callvault.worker.runner.PIPELINE_VERSION", "999-bumped")
    refusals.append(process())
    for summary in refusals:
        assert (summary["processed"], summary["skipped"], summary["failed"]) == (0, 1, 0)
        assert "shredded" in summary["results"][0]["error"] and "never" in summary["results"][0]["error"]

    conn = sqlite3.connect(data / "catalog.db")
    assert conn.execute("SELECT status FROM recordings WHERE id = ?", (rid,)).fetchone()[0] == "purged"
    assert conn.execute("SELECT count(*) FROM turns WHERE recording_id = ?", (rid,)).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM audit WHERE action = 'process.refused' AND recording_id = ?", (rid,)).fetchone()[0] == 2
    keys = sqlite3.connect(data / "vault" / "keys.db")
    assert keys.execute("SELECT count(*) FROM recording_keys WHERE recording_id = ?", (rid,)).fetchone()[0] == 0
    assert not any((data / "vault" / "objects").rglob(f"*{rid}*/*.cvlt"))
    assert not (data / "calls").exists() or not any((data / "calls").iterdir())
