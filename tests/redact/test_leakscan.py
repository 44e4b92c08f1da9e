"""The leak scanner finds card numbers, SSNs and CVVs in digits or words, and ignores timestamps."""

import json

import pytest

from callvault.redact.leakscan import scan_text, scan_tree, sensitive_values

INPUT = (
    "Card number please.\nfour one one one, one one one one, one one one one, one one one one\n"
    "And the security code?\none two three\nMy SSN is 457-55-5462."
)


def test_sensitive_values_of_an_input():
    values = sensitive_values(INPUT)
    assert "4111111111111111" in values.pans
    assert values.cvvs == {"123"}
    assert values.ssns == {"457555462"}


def test_values_are_found_in_words_digits_and_mixes():
    values = ["4111111111111111", "123"]
    assert [k for k, _ in scan_text("it was 4111-1111-1111-1111", values)] == ["PAN", "VALUE"]
    assert [k for k, _ in scan_text("four one one one 1111 one 1 1 1, 1111", values)] == ["PAN", "VALUE"]
    assert scan_text("code one two three", values) == [("VALUE", 1)]
    assert scan_text("ssn 457-55-5462", []) == [("SSN", 1)]


def test_timestamps_and_placeholders_are_not_leaks():
    vtt = "WEBVTT\n\n1\n00:00:01.230 --> 00:00:04.560\n<v CUSTOMER S1>[PAN ****1111] and [CVV]\n"
    assert scan_text(vtt, ["4111111111111111", "123"]) == []
    assert scan_text("[00:01:23] AGENT: thanks", ["123"]) == []


def test_scan_tree_reads_json_strings_and_skips_audio_and_vault(tmp_path):
    (tmp_path / "calls").mkdir()
    (tmp_path / "calls" / "a.json").write_text(json.dumps({"char_start": 123, "text": "fine", "n": 4111111111111111}))
    (tmp_path / "calls" / "b.txt").write_text("line\nthe code is one two three\n")
    (tmp_path / "calls" / "c.wav").write_bytes(b"RIFF4111111111111111")
    (tmp_path / "vault").mkdir()
    (tmp_path / "vault" / "obj").write_text("4111 1111 1111 1111")
    leaks = scan_tree(tmp_path, ["123"])
    assert [(l.path, l.kind, l.line) for l in leaks] == [("calls/a.json", "PAN", 5), ("calls/b.txt", "VALUE", 2)]
    assert "123" not in repr(leaks)


def test_every_separator_and_spoken_form_of_a_card_or_ssn_is_caught():
    pan = ["4532 0151 1283 0366", "4532.0151.1283.0366", "4532/0151/1283/0366", "4532,0151,1283,0366",
           "4532-0151-1283-0366", "four five three two zero one five one one two eight three zero three six six",
           "4.5.3.2.0.1.5.1.1.2.8.3.0.3.6.6"]
    for text in pan:
        assert [k for k, _ in scan_text(text)] == ["PAN"], text
    for text in ("219-09-8765", "219.09.8765", "219 09 8765", "219/09/8765", "my social is two one nine zero nine eight seven six five"):
        assert [k for k, _ in scan_text(text)] == ["SSN"], text


def test_decimals_and_times_are_still_not_leaks():
    assert scan_text("the bill went from 84.20 to 1,240.55 at 9:14") == []
    assert scan_text("00:01:02.500 --> 00:01:04.000 and 1.5 and 2.25") == []


def test_metadata_leaks_are_named_by_field_never_by_value():
    from callvault.models.recording import CallMetadata
    from callvault.redact.leakscan import scan_metadata

    metadata = CallMetadata(call_id="ACME-0042", account_id="acct4532015112830366", agent_id="ag-7", tags=("ssn 219-09-8765",))
    leaks = scan_metadata(metadata, "/archive/2026/03/03/card_4532-0151-1283-0366.wav")
    assert {(leak.path, leak.kind) for leak in leaks} == {("metadata.account_id", "PAN"), ("metadata.tags", "SSN"), ("source path", "PAN")}
    assert not any("4532" in repr(leak) or "8765" in repr(leak) for leak in leaks)
    clean = CallMetadata(call_id="ACME-pid999999-0042", account_id="ACC-20260303-17", started_at="2026-03-03T21:14:00Z")
    assert scan_metadata(clean, "/archive/2026/03/03/1234567.wav") == []


def test_artefacts_are_scanned_before_they_are_written():
    import pytest

    from callvault.models.recording import CallMetadata
    from callvault.redact.leakscan import LeakFound, guard_outputs

    documents = {
        "transcript.txt": "AGENT: card please\nCUSTOMER: four five three two, zero one five one, one two eight three, zero three six six\n",
        "events.json": [{"quote": "fine"}],
        "redacted.wav": b"RIFF....4532015112830366",
    }
    with pytest.raises(LeakFound) as caught:
        guard_outputs(documents, CallMetadata(), "in/call.wav")
    message = str(caught.value)
    assert "transcript.txt" in message and "PAN" in message and "line 2" in message
    assert "4532" not in message and "four five" not in message
    guard_outputs({"transcript.txt": "AGENT: [PAN ****0366]\n", "redacted.wav": b"RIFF4532015112830366"}, CallMetadata(), "in/call.wav")


def test_a_long_number_in_the_turn_text_is_refused_before_anything_is_kept():
    """The ASR ran a passcode and an SSN together ("5480414393437"): no card or SSN shape, so
    only the catalog's 9+ digit rule caught it, after the call folder and the sealed objects
    were written. The guard applies the same rule to the turn text first."""
    from callvault.models.recording import CallMetadata
    from callvault.redact.leakscan import LeakFound, guard_outputs

    documents = {"transcript.txt": "[00:00:41] AGENT: Please confirm your social.\n[00:00:44] CUSTOMER: 5480414393437.\n"}
    with pytest.raises(LeakFound, match=r"transcript.txt line 2: LONG_NUMBER") as raised:
        guard_outputs(documents, CallMetadata(), "inbox/call.wav")
    assert "5480414393437" not in str(raised.value)
    guard_outputs({"transcript.txt": "[00:00:41] AGENT: It's $84.20, due 12/01, call 1 800 555.\n"}, CallMetadata(), "inbox/call.wav")
