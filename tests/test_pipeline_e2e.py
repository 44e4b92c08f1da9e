"""The whole pipeline through `callvault process`: a synthesised call with card data in it.

Real espeak-ng speech, real faster-whisper, real presidio, real encryption,
real SQLite. Checks that the card number and CVV are gone from the redacted
text, silent in the redacted audio at the right times, silent in the stored
original too (PCI DSS 3.3.1), and nowhere in the data folder, the catalog or
the search index.
"""

import json
import sqlite3

import numpy as np
import pytest
from click.testing import CliRunner

from callvault.cli import cli
from callvault.recorder.audio_io import load_native
from helpers import need_tool

pytestmark = pytest.mark.slow

CARD = "6011000990139424"  # a Discover test number (Luhn-valid)
CVV = "317"
SSN = "219098765"

SCRIPT = [
    ("agent", 0.5, "Thank you for calling Acme Wireless. This call may be recorded for quality and training. How can I help you?"),
    ("customer", 12.0, "I want to pay my bill with a card."),
    ("agent", 16.0, "Sure. Please read me the card number."),
    ("customer", 20.0, "six zero one one, zero zero zero nine, nine zero one three, nine four two four."),
    ("agent", 31.0, "And the security code on the back?"),
    ("customer", 35.0, "three one seven."),
    ("agent", 39.0, "Thank you. Can you confirm your social security number?"),
    ("customer", 44.0, "two one nine, zero nine, eight seven six five."),
    ("agent", 51.0, "Thanks, your payment is complete."),
]


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    need_tool("espeak-ng")
    from callvault.synth import Line, synthesise_call

    root = tmp_path_factory.mktemp("e2e")
    inbox, data = root / "inbox", root / "data"
    placed = synthesise_call([Line(*line) for line in SCRIPT], inbox / "card-call.wav", speed=130, gap=3)
    (inbox / "card-call.json").write_text(json.dumps({"call_id": "PAY-1", "direction": "inbound", "customer_states": ["CA"]}))
    data.mkdir()
    (data / "callvault.toml").write_text('[redact]\naudio = "silence"\n')
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "process", "--json", "--log-format", "json", str(inbox)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    (data / "run.log").write_text(result.stderr)  # the run's logs, scanned for leaks with the rest
    folder = data / "calls" / next(p.name for p in (data / "calls").iterdir())
    return data, folder, placed, summary


def _rms(audio, rate, start, end):
    segment = np.concatenate([c[int(start * rate) : int(end * rate)] for c in audio.channels])
    return float(np.sqrt(np.mean(segment**2))) if len(segment) else 0.0


def test_card_words_replaced_in_text(processed):
    _, folder, _, summary = processed
    assert summary["processed"] == 1
    text = (folder / "transcript.txt").read_text()
    assert "[PAN" in text and "[CVV]" in text
    findings = json.loads((folder / "findings.json").read_text())
    entities = {f["entity"] for f in findings["findings"]}
    assert {"PAN", "CVV"} <= entities
    assert findings["pci_scrub"], "CVV must be on the PCI scrub list"


def test_card_and_cvv_silent_in_redacted_audio_at_the_right_times(processed):
    _, folder, placed, _ = processed
    audio = load_native(folder / "redacted.wav")
    rate = audio.sample_rate
    card, cvv = placed[3], placed[5]
    for line in (card, cvv):
        # The spoken digits, shrunk by the 0.3 s tolerance at each end, are silent.
        assert _rms(audio, rate, line.start + 0.3, line.end - 0.3) < 1e-3, line.text
    agent_line = placed[2]
    assert _rms(audio, rate, agent_line.start + 0.3, agent_line.end - 0.3) > 0.01


def test_stored_original_is_pci_scrubbed(processed, tmp_path):
    data, _, placed, summary = processed
    out = tmp_path / "restored.wav"
    result = CliRunner().invoke(
        cli, ["--data-dir", str(data), "restore", "PAY-1", "--out", str(out), "--reason", "QA test of scrub", "--actor", "tester"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    restored = load_native(out)
    cvv = placed[5]
    assert _rms(restored, restored.sample_rate, cvv.start + 0.3, cvv.end - 0.3) < 1e-3
    assert _rms(restored, restored.sample_rate, placed[0].start + 0.3, placed[0].end - 0.3) > 0.01


def test_no_raw_value_anywhere_in_the_data_folder(processed):
    from callvault.redact.leakscan import SensitiveValues, scan_tree

    data, _, _, _ = processed
    values = SensitiveValues(pans=frozenset({CARD}), ssns=frozenset({SSN}), cvvs=frozenset({CVV}))
    assert scan_tree(data, values.all) == []
    for db in data.glob("catalog.db*"):
        raw = db.read_bytes()
        for value in (CARD, SSN, CARD[-8:]):
            assert value.encode() not in raw, db.name
    conn = sqlite3.connect(data / "catalog.db")
    text = " ".join(row[0] for row in conn.execute("SELECT text FROM turns"))
    assert "[PAN" in text and "zero zero zero nine" not in text
