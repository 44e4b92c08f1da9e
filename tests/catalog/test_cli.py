import csv
import io
import json

import pytest
from click.testing import CliRunner

from callvault.catalog import Catalog
from callvault.cli import cli


@pytest.fixture
def data_dir(tmp_path, build):
    with Catalog.in_data_dir(tmp_path, clock=build.clock()) as cat:
        build.record(cat, "CALL-1", [("agent", "thank you for calling how can I help"),
                                     ("customer", "I want to cancel my card [PAN] today")],
                     findings=[build.finding("PAN", 8.5, "PCI", "customer")],
                     events=[build.event("APPROVAL_DENIED", 9.0)], rules=[build.rule("R1", "fail")],
                     started_at="2025-01-10T09:00:00", agent_id="A7")
        build.record(cat, "CALL-2", [("agent", "your plan renews monday")], started_at="2025-02-01T09:00:00")
    return tmp_path


def run(data_dir, *args):
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args])
    assert "Traceback" not in result.output
    return result


def test_search_table_shows_call_time_role_and_marked_snippet(data_dir):
    result = run(data_dir, "search", "cancel")
    assert result.exit_code == 0, result.output
    assert "CALL-1" in result.output and "customer (S1)" in result.output
    assert "[PAN]" in result.output  # placeholders are printed, not eaten as markup
    assert "**cancel**" in result.output  # the hit, marked in text when not on a terminal
    assert "00:00:08" in result.output  # the turn's time in the call


def test_search_json_and_csv(data_dir):
    doc = json.loads(run(data_dir, "search", "cancel OR plan", "--format", "json").output)
    assert [h["call_id"] for h in doc["hits"]] == ["CALL-2", "CALL-1"]
    assert "**cancel**" in doc["hits"][1]["snippet"] and doc["has_more"] is False
    rows = list(csv.DictReader(io.StringIO(run(data_dir, "search", "cancel", "--format", "csv").output)))
    assert rows[0]["call_id"] == "CALL-1" and rows[0]["role"] == "customer"


def test_search_filters_and_paging(data_dir):
    doc = json.loads(run(data_dir, "search", "cancel OR plan OR thank", "--format", "json", "--violation", "R1",
                         "--speaker", "agent").output)
    assert [(h["call_id"], h["role"]) for h in doc["hits"]] == [("CALL-1", "agent")]
    doc = json.loads(run(data_dir, "search", "cancel OR plan OR thank", "--format", "json", "--limit", "1",
                         "--offset", "1").output)
    assert len(doc["hits"]) == 1 and doc["has_more"] is True


@pytest.mark.parametrize("query", ['"card number', "cancel AND", "speaker:agent"])
def test_malformed_query_is_a_clean_error(data_dir, query):
    result = run(data_dir, "search", query)
    assert result.exit_code != 0
    assert "malformed search query" in result.output and "double quotes" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_bad_date_is_a_clean_error(data_dir):
    result = run(data_dir, "search", "cancel", "--from", "yesterday")
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output


def test_show_prints_transcript_with_findings_and_events_inline(data_dir):
    result = run(data_dir, "show", "CALL-1")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    turn = next(i for i, line in enumerate(lines) if "I want to cancel my card [PAN]" in line)
    assert any("PCI PAN 00:00:08" in line for line in lines[turn:])
    assert any("APPROVAL_DENIED 00:00:09" in line for line in lines[turn:])
    assert any(line.startswith("R1 FAIL") for line in lines)
    doc = json.loads(run(data_dir, "show", "CALL-1", "--format", "json").output)
    assert doc["summary"]["call_id"] == "CALL-1" and len(doc["turns"]) == 2


def test_show_unknown_call_is_a_clean_error(data_dir):
    result = run(data_dir, "show", "NOPE")
    assert result.exit_code != 0 and "callvault calls" in result.output


def test_calls_lists_counts_with_filters(data_dir):
    doc = json.loads(run(data_dir, "calls", "--format", "json").output)
    by_id = {c["call_id"]: c for c in doc["calls"]}
    assert (by_id["CALL-1"]["findings"], by_id["CALL-1"]["events"], by_id["CALL-1"]["violations"]) == (1, 1, 1)
    assert [c["call_id"] for c in doc["calls"]] == ["CALL-2", "CALL-1"]  # latest call first
    doc = json.loads(run(data_dir, "calls", "--format", "json", "--agent", "A7").output)
    assert [c["call_id"] for c in doc["calls"]] == ["CALL-1"]
    table = run(data_dir, "calls", "--to", "2025-01-31").output
    assert "CALL-1" in table and "CALL-2" not in table


def test_audit_verify_and_export(data_dir, tmp_path):
    result = run(data_dir, "audit", "verify")
    assert result.exit_code == 0 and "intact: 2 entries" in result.output
    head = result.output.strip().split("head ")[1]
    out = tmp_path / "audit.jsonl"
    assert run(data_dir, "audit", "export", "--out", str(out)).exit_code == 0
    entries = [json.loads(line) for line in out.read_text().splitlines()]
    assert [e["seq"] for e in entries] == [1, 2] and entries[0]["action"] == "record"
    with Catalog.in_data_dir(data_dir) as cat:
        cat.conn.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 1")
    result = run(data_dir, "audit", "verify")
    assert result.exit_code != 0 and "seq 1" in result.output
    with Catalog.in_data_dir(data_dir) as cat:
        cat.conn.execute("DELETE FROM audit")
    result = run(data_dir, "audit", "verify", "--head", head)
    assert result.exit_code != 0 and "truncated" in result.output


def test_commands_without_a_catalog_say_what_to_do(tmp_path):
    result = run(tmp_path / "empty", "search", "cancel")
    assert result.exit_code != 0 and "callvault process" in result.output
    assert not (tmp_path / "empty").exists()


def test_audit_verify_catches_a_cut_tail_from_the_head_log_alone(data_dir):
    """No --head kept by hand: the head log beside the catalog remembers how long the chain was."""
    with Catalog.in_data_dir(data_dir) as cat:
        cat.conn.execute("DELETE FROM audit WHERE seq = 2")
    result = run(data_dir, "audit", "verify")
    assert result.exit_code != 0 and "tail was cut" in result.output
