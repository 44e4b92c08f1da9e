"""`callvault records`: numbers of record and supervisor approvals written on a real SQLite catalog, read by R5/R9."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from click.testing import CliRunner

from callvault.catalog import Catalog
from callvault.cli import cli
from callvault.compliance import detect_events, run_rules
from callvault.compliance.facts import rule_context
from callvault.compliance.labelled import load_dialogue
from callvault.models.recording import CallMetadata

DIALOGUES = Path(__file__).resolve().parents[1] / "data" / "dialogues"
RID = "e" * 64
NUMBER = "+1 (404) 555-0172"
DIGITS = "4045550172"


def _shows_the_number(text: str) -> bool:
    """Any form of NUMBER past its last four digits (timestamps and hashes hold digits of their own)."""
    return any(form in text for form in (DIGITS[3:], "555-0172", "555 0172", "555.0172"))


def run(data_dir, *args):
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args])
    assert "Traceback" not in result.output
    return result


def _audit(data_dir) -> list[dict]:
    with Catalog.in_data_dir(data_dir, create=False) as catalog:
        return [entry for entry in catalog.audit.export() if entry["action"].startswith("records.")]


def _rows(data_dir, table: str) -> list[tuple]:
    with Catalog.in_data_dir(data_dir, create=False) as catalog:
        return [tuple(row) for row in catalog.conn.execute(f"SELECT * FROM {table}")]


def test_numbers_are_added_listed_masked_and_removed_with_audit_entries(tmp_path):
    added = run(tmp_path, "records", "number", "add", "ACC-9", NUMBER)  # no catalog yet: the first add creates it
    assert added.exit_code == 0, added.output
    assert run(tmp_path, "records", "number", "add", "ACC-9", "404.555.0172").output.startswith("already on file")
    run(tmp_path, "records", "number", "add", "ACC-2", "212-555-0199")
    assert [(a, n) for a, n, _ in _rows(tmp_path, "numbers_of_record")] == [("ACC-9", DIGITS), ("ACC-2", "2125550199")]

    listed = run(tmp_path, "records", "number", "list")
    assert listed.exit_code == 0, listed.output
    assert "ACC-9" in listed.output and "***-***-0172" in listed.output and "***-***-0199" in listed.output
    one = json.loads(run(tmp_path, "records", "number", "list", "ACC-9", "--format", "json").output)
    assert [(e["account_id"], e["number"]) for e in one] == [("ACC-9", "***-***-0172")]

    removed = run(tmp_path, "records", "number", "remove", "ACC-9", NUMBER)
    assert removed.exit_code == 0 and "***-***-0172" in removed.output
    assert run(tmp_path, "records", "number", "list", "ACC-9").output.strip() == "no numbers of record for account ACC-9"
    again = run(tmp_path, "records", "number", "remove", "ACC-9", NUMBER)
    assert again.exit_code == 1 and "no number of record ending 0172" in again.output

    entries = _audit(tmp_path)
    assert [e["action"] for e in entries] == ["records.number.add"] * 3 + ["records.number.remove"]
    assert entries[0]["details"] == {"account": "ACC-9", "number": "***-***-0172", "changed": True}
    assert entries[0]["actor"]
    for text in (added.output, listed.output, removed.output, again.output, json.dumps(entries)):
        assert not _shows_the_number(text)


def test_a_short_number_is_refused_without_echoing_it(tmp_path):
    result = run(tmp_path, "records", "number", "add", "ACC-9", "55-01")
    assert result.exit_code == 1 and "at least 7 digits" in result.output and "55-01" not in result.output


def _outbound_request(meta: CallMetadata):
    """d19 (an outbound CPNI approval request) under this call's metadata."""
    d = load_dialogue(DIALOGUES / "d19_out_approval_supervisor_ok.json")
    return d, dataclasses.replace(d.metadata, **{f.name: getattr(meta, f.name) for f in dataclasses.fields(meta) if getattr(meta, f.name)})


def _r9(data_dir, meta: CallMetadata) -> str:
    d, meta = _outbound_request(meta)
    with Catalog.in_data_dir(data_dir) as catalog:
        context = rule_context(catalog, meta, RID)
    events = detect_events(d.transcript, d.findings, meta)
    return {r.rule: r for r in run_rules(d.transcript, events, d.findings, meta, context=context)}["R9"].status


def test_r9_passes_for_an_outbound_approval_request_once_its_campaign_is_approved(tmp_path):
    meta = CallMetadata(call_id="OB-77", direction="outbound", campaign_id="winter-loyalty")
    assert _r9(tmp_path, meta) == "fail"  # a default install: no approval record, so R9 fails
    result = run(tmp_path, "records", "approval", "add", "--campaign", "winter-loyalty", "--supervisor", "dana k",
                 "--at", "2026-11-30T09:00:00-05:00")
    assert result.exit_code == 0, result.output
    assert _r9(tmp_path, meta) == "pass"
    assert _r9(tmp_path, dataclasses.replace(meta, call_id="OB-78", campaign_id="other")) == "fail"
    run(tmp_path, "records", "approval", "add", "--call", "OB-78", "--supervisor", "dana k")
    assert _r9(tmp_path, dataclasses.replace(meta, call_id="OB-78", campaign_id="other")) == "pass"

    listed = run(tmp_path, "records", "approval", "list").output
    assert "campaign winter-loyalty" in listed and "2026-11-30T14:00:00" in listed and "call     OB-78" in listed
    assert [e["details"]["scope"] for e in _audit(tmp_path)] == ["campaign", "call"]


def test_approval_add_needs_one_scope_and_a_readable_time(tmp_path):
    both = run(tmp_path, "records", "approval", "add", "--call", "c", "--campaign", "k", "--supervisor", "s")
    assert both.exit_code == 2 and "exactly one of --call, --campaign" in both.output
    bad_time = run(tmp_path, "records", "approval", "add", "--call", "c", "--supervisor", "s", "--at", "yesterday")
    assert bad_time.exit_code == 2 and "--at" in bad_time.output


def test_r5_reads_a_number_added_by_the_cli(tmp_path):
    run(tmp_path, "records", "number", "add", "ACC-9", NUMBER)
    meta = CallMetadata(account_id="ACC-9", callback=True, customer_number="404 555 0172")
    with Catalog.in_data_dir(tmp_path) as catalog:
        assert rule_context(catalog, meta, RID).callback.to_number_of_record


GOOD = """kind,account_id,number,scope,value,supervisor,approved_at
number,ACC-1,(404) 555-0111,,,,
number,ACC-1,404 555 0122,,,,
approval,,,campaign,spring-26,lee,2026-03-01
approval,,,call,OB-5,lee,2026-03-02T10:00:00Z
"""


def test_import_loads_a_crm_export_in_one_audited_step_and_again_adds_nothing(tmp_path):
    export = tmp_path / "crm.csv"
    export.write_text(GOOD, encoding="utf-8-sig")  # Excel's BOM
    result = run(tmp_path, "records", "import", str(export))
    assert result.exit_code == 0, result.output
    assert "4 rows, 2 new numbers of record, 2 new supervisor approvals" in result.output
    assert sorted(n for _, n, _ in _rows(tmp_path, "numbers_of_record")) == ["4045550111", "4045550122"]
    assert [(s, v) for _, s, v, _, _ in _rows(tmp_path, "supervisor_approvals")] == [("campaign", "spring-26"), ("call", "OB-5")]

    assert "0 new numbers of record, 0 new supervisor approvals" in run(tmp_path, "records", "import", str(export)).output
    entries = _audit(tmp_path)
    assert [e["action"] for e in entries] == ["records.import"] * 2
    assert entries[0]["details"] == {"file": "crm.csv", "rows": 4, "numbers_added": 2, "approvals_added": 2}
    assert "555" not in json.dumps([e["details"] for e in entries])


def test_import_rejects_a_bad_row_by_file_and_line_and_keeps_nothing(tmp_path):
    run(tmp_path, "records", "number", "add", "ACC-0", "212-555-0100")
    export = tmp_path / "crm.csv"
    export.write_text(GOOD + "number,ACC-1,555-01,,,,\napproval,,,team,x,lee,2026-03-01\napproval,,,call,OB-6,lee,someday\n")
    result = run(tmp_path, "records", "import", str(export))
    assert result.exit_code == 1
    assert f"{export} line 6: a number of record needs at least 7 digits" in result.output
    assert f"{export} line 7: approval scope 'team'" in result.output
    assert f"{export} line 8: approved_at must be an ISO 8601" in result.output
    assert "nothing was imported" in result.output and "555-01" not in result.output
    assert [n for _, n, _ in _rows(tmp_path, "numbers_of_record")] == ["2125550100"]
    assert _rows(tmp_path, "supervisor_approvals") == []
    assert [e["action"] for e in _audit(tmp_path)] == ["records.number.add"]


def test_import_names_an_unknown_column(tmp_path):
    export = tmp_path / "crm.csv"
    export.write_text("kind,acount_id,number\nnumber,ACC-1,4045550111\n")
    result = run(tmp_path, "records", "import", str(export))
    assert result.exit_code == 1 and "unknown column(s) acount_id" in result.output and str(export) in result.output
