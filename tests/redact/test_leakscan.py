"""The leak scanner finds card numbers, SSNs and CVVs in digits or words, and ignores timestamps."""

import json

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
