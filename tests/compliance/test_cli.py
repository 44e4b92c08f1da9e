import csv
import io
import json
import wave

import pytest
from click.testing import CliRunner

from callvault.cli import cli


def _run(data_dir, *args):
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args], catch_exceptions=False)
    return result


@pytest.fixture
def make_call_folder(make_call_folder):
    """What `process` leaves for a call, from a labelled dialogue: its call folder and its catalog row,
    which is what `consent` and `report` read."""

    def make(data_dir, d, started_at, processed_at="2025-06-02T09:00:00+00:00"):
        from dataclasses import replace

        from callvault.catalog import Catalog
        from callvault.compliance import detect_events, run_rules
        from callvault.models import Recording
        from callvault.redact import redact_transcript

        folder = make_call_folder(data_dir, d, started_at, processed_at)
        events = detect_events(d.transcript, d.findings, d.metadata)
        results = run_rules(d.transcript, events, d.findings, d.metadata, context=d.context)
        rid = d.transcript.recording_id
        meta = replace(d.metadata, call_id=d.name, started_at=started_at)
        with Catalog.in_data_dir(data_dir) as catalog:
            catalog.record_call(Recording(rid, f"/in/{d.name}.wav", meta, size=1), redact_transcript(d.transcript, d.findings),
                                processed_at=processed_at, findings=d.findings, events=events, rules=results,
                                call_dir=folder.name)
        return folder

    return make


def test_consent_and_report_read_the_catalog_not_the_call_folders(tmp_path, dialogue, make_call_folder):
    """A call folder is a copy: edited, emptied or gone, consent and report still say what the catalog says."""
    folder = make_call_folder(tmp_path, dialogue("d08_in_auth_fail_reads_detail"), "2025-06-01T10:00:00+00:00")
    for name in ("rules.json", "events.json", "transcript.json"):
        (folder / name).write_text('[{"planted": "four five three two zero one five one one two eight three zero three six six"}]')
    assert "Verdict: VIOLATIONS" in _run(tmp_path, "consent", "d08_in_auth_fail_reads_detail").output
    result = _run(tmp_path, "report", "--date", "2025-06-01", "--out", str(tmp_path / "out"))
    assert "1 call(s): 1 violations" in result.output
    html = (tmp_path / "out" / "compliance-2025-06-01.html").read_text()
    assert "planted" not in html and "four five three two" not in html


def test_consent_prints_the_timeline_and_rule_results(tmp_path, dialogue, make_call_folder):
    make_call_folder(tmp_path, dialogue("d08_in_auth_fail_reads_detail"), "2025-06-01T10:00:00+00:00")
    result = _run(tmp_path, "consent", "d08_in_auth_fail_reads_detail")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Verdict: VIOLATIONS" in out
    assert out.index("REC_DISCLOSURE") < out.index("AUTH_CHALLENGE") < out.index("AUTH_FAIL")
    assert "FAIL           R4" in out and "64.2010(b)" in out
    assert "[CALL_NUMBER]" in out and "five five five zero one zero zero" not in out  # evidence is redacted


def test_consent_json_and_clips(tmp_path, dialogue, make_call_folder):
    d = dialogue("d10_in_cpni_notice_full_granted")
    make_call_folder(tmp_path, d, "2025-06-01T10:00:00+00:00")
    clips = tmp_path / "clips"
    result = _run(tmp_path, "consent", "d10_in_cpni_notice_full_granted", "--format", "json", "--clips", str(clips))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["verdict"] == "compliant"
    assert [e["type"] for e in doc["events"]] == ["REC_DISCLOSURE", "AUTH_CHALLENGE", "AUTH_SUCCESS", "CPNI_NOTICE", "APPROVAL_GRANTED"]
    assert len(doc["clips"]) == len(doc["events"])
    granted = doc["events"][-1]
    with wave.open(doc["clips"][-1]) as clip:
        seconds = clip.getnframes() / clip.getframerate()
    # the approval's clip holds the agent's question and the customer's answer
    question = d.transcript.turns[granted["turn_indexes"][0]]
    assert abs(seconds - (granted["end"] - question.start + 0.5)) < 0.05


def test_consent_unknown_call_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "consent", "nope-123"])
    assert result.exit_code == 1 and "run `callvault process` first" in result.output


def test_report_for_a_day_writes_html_and_csv_violations_first(tmp_path, dialogue, make_call_folder):
    make_call_folder(tmp_path, dialogue("d10_in_cpni_notice_full_granted"), "2025-06-01T09:00:00+00:00")
    make_call_folder(tmp_path, dialogue("d14_in_ambiguous_treated_as_yes"), "2025-06-01T11:00:00+00:00")
    make_call_folder(tmp_path, dialogue("d16_in_partial_notice"), None, processed_at="2025-06-01T12:00:00+00:00")  # dated by processed_at
    make_call_folder(tmp_path, dialogue("d02_in_detail_before_auth"), "2025-06-03T09:00:00+00:00")  # another day
    out = tmp_path / "out"
    result = _run(tmp_path, "report", "--date", "2025-06-01", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "3 call(s): 1 violations, 1 needs review, 1 compliant" in result.output
    html = (out / "compliance-2025-06-01.html").read_text()
    assert html.startswith("<!doctype html>") and "@media print" in html and "<script" not in html and "http" not in html.split("</style>")[0]
    assert html.index("d14_in_ambiguous") < html.index("d16_in_partial") < html.index("d10_in_cpni")
    assert "d02_in_detail" not in html
    assert "maple twenty" not in html and "[AUTH_SECRET]" in html
    rows = list(csv.DictReader(io.StringIO((out / "compliance-2025-06-01.csv").read_text())))
    assert len(rows) == 3 * 17  # R1-R17
    r8 = next(r for r in rows if r["call"] == "d14_in_ambiguous_treated_as_yes" and r["rule"] == "R8")
    assert r8["status"] == "fail" and r8["verdict"] == "violations" and "64.2007(a)(1)" in r8["citation"]


def test_report_range_as_json(tmp_path, dialogue, make_call_folder):
    make_call_folder(tmp_path, dialogue("d10_in_cpni_notice_full_granted"), "2025-06-01T09:00:00+00:00")
    make_call_folder(tmp_path, dialogue("d02_in_detail_before_auth"), "2025-06-03T09:00:00+00:00")
    result = _run(tmp_path, "report", "--from", "2025-06-01", "--to", "2025-06-03", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "reports" / "compliance-2025-06-01_2025-06-03.json").read_text())
    assert doc["summary"]["calls"] == 2 and doc["summary"]["failures_by_rule"]["R1"] == 1
    assert [c["verdict"] for c in doc["calls"]] == ["violations", "compliant"]


def test_report_needs_a_date(tmp_path):
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "report"])
    assert result.exit_code == 2 and "--date" in result.output
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "report", "--from", "2025-06-03", "--to", "2025-06-01"])
    assert result.exit_code == 2 and "before" in result.output
