"""After detect + redact write a data folder, no card number, SSN or CVV of the input survives."""

import json

import pytest
from click.testing import CliRunner

from callvault.formats import transcript_to_dict
from callvault.redact.leakscan import scan_tree, sensitive_values
from callvault.redact.outputs import write_redacted
from callvault.redact.policy import RedactionPolicy
from callvault.redact.spoken import spoken_digits

pytestmark = pytest.mark.slow

PCI_LIKE = ("PAN", "CVV", "US_SSN", "AUTH_SECRET")


def input_values(calls):
    """Digit strings that must not survive: what the scanner finds in the inputs, plus the gold
    PAN/CVV/SSN/PIN spans (covers numbers the generic scan cannot know, like a 3-digit CVV)."""
    values = set()
    for call in calls:
        values |= sensitive_values(call.transcript.text).all
        text = call.transcript.text
        values |= {spoken_digits(text[g.char_start : g.char_end]) for g in call.gold if g.entity in PCI_LIKE}
    return {v for v in values if len(v) >= 3}


def test_redacted_data_folder_has_no_sensitive_numbers(tmp_path, detector, labelled_calls):
    data = tmp_path / "data"
    for call in labelled_calls:
        write_redacted(data / "calls" / call.id, call.transcript, detector.detect(call.transcript), RedactionPolicy())
    values = input_values(labelled_calls)
    assert len(values) > 30
    assert scan_tree(data, values) == []
    # the same scan over the unredacted transcripts does find them: the test can fail
    raw = tmp_path / "raw"
    raw.mkdir()
    for call in labelled_calls:
        (raw / f"{call.id}.json").write_text(json.dumps(transcript_to_dict(call.transcript)))
    assert {leak.kind for leak in scan_tree(raw, values)} == {"PAN", "SSN", "VALUE"}


def test_cli_redact_writes_redacted_outputs_atomically(tmp_path, labelled_calls):
    from callvault.cli import cli

    call = next(c for c in labelled_calls if c.id == "pci-01-digits")
    private = tmp_path / "private"
    private.mkdir()
    source = private / "transcript.json"
    source.write_text(json.dumps(transcript_to_dict(call.transcript)))
    (tmp_path / "callvault.toml").write_text('[redact]\naudio = "silence"\n[redact.entities]\nPAN = "redact"\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "redact", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["findings.json", "transcript.json", "transcript.txt", "transcript.vtt"]
    findings = json.loads((out / "findings.json").read_text())
    assert findings["policy"]["audio"] == "silence" and findings["findings"]
    assert "[PAN]" in (out / "transcript.txt").read_text()
    assert scan_tree(out, input_values([call])) == []


def test_cli_refuses_a_policy_that_keeps_card_data(tmp_path, labelled_calls):
    from callvault.cli import cli

    source = tmp_path / "t.json"
    source.write_text(json.dumps(transcript_to_dict(labelled_calls[0].transcript)))
    (tmp_path / "callvault.toml").write_text('[redact.entities]\nCVV = "keep"\n')
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "redact", str(source)])
    assert result.exit_code == 1 and "not allowed" in result.output
