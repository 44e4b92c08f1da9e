"""`callvault incidents ...` and `callvault calls --status incident` on a real archive."""

from __future__ import annotations

import json

from click.testing import CliRunner

from callvault.cli import cli

PRETEXT = "p02_brother_override_reads_detail"


def run(archive, *args, ok=True):
    result = CliRunner().invoke(cli, ["--data-dir", str(archive.data_dir), *args], catch_exceptions=False)
    assert (result.exit_code == 0) is ok, result.output
    return result


def test_list_show_confirm_report_close_and_export(archive, tmp_path):
    archive.store(PRETEXT, "C-1", account="ACC-7")
    archive.store("p01_daughter_refused_offers_mail", "C-2", account="ACC-8")
    listed = json.loads(run(archive, "incidents", "list", "--format", "json").output)
    assert listed["rule_text"] == "2007" and [i["status"] for i in listed["incidents"]] == ["candidate"]
    assert "candidate" in run(archive, "incidents", "list").output

    calls = json.loads(run(archive, "calls", "--status", "incident", "--format", "json").output)["calls"]
    assert [c["call_id"] for c in calls] == ["C-1"]

    run(archive, "incidents", "confirm", "1", "--reason", "records read to a relative",
        "--determined-at", "2026-11-25T15:00:00Z", "--no-harm-likely")
    shown = json.loads(run(archive, "incidents", "show", "1", "--format", "json").output)
    in_force, other = shown["deadlines"]
    assert (in_force["rule_text"], in_force["in_force"], other["rule_text"]) == ("2007", True, "fcc-23-111")
    assert in_force["deadlines"][0]["local_date"] == "2026-12-07"  # Thanksgiving and the weekend skipped
    assert other["deadlines"][0]["party"] == "FCC (annual summary)"  # 1 customer, no harm likely
    assert shown["history"][-1]["actor"] and shown["history"][-1]["reason"] == "records read to a relative"
    text = run(archive, "incidents", "show", "1").output
    assert "[IN FORCE]" in text and "[for comparison]" in text and "ACC-7" in text

    bad = CliRunner().invoke(cli, ["--data-dir", str(archive.data_dir), "incidents", "close", "1", "--reason", "x"])
    assert bad.exit_code == 1 and "can become reported, dismissed" in bad.output

    run(archive, "incidents", "agency", "1", "--reason", "FBI asked for a delay", "--delay-until", "2027-01-15")
    run(archive, "incidents", "report", "1", "--reason", "filed", "--notified-at", "2026-11-30T15:00:00Z")
    out = tmp_path / "packet"
    run(archive, "incidents", "export", "1", "--out", str(out))
    packet = json.loads((out / "incident-1-packet.json").read_text())
    assert packet["draft"] and packet["status"] == "reported" and packet["accounts"] == ["ACC-7"]
    customers = [d for d in packet["deadlines"]["in_force"]["deadlines"] if d["party"] == "customers"][0]
    assert customers["local_date"] == "2027-01-15"
    assert (out / "incident-1-packet.html").read_text().startswith("<!doctype html>")
    assert "DRAFT" in run(archive, "incidents", "export", "1", "--format", "html").output

    run(archive, "incidents", "close", "1", "--reason", "customers notified")
    assert json.loads(run(archive, "calls", "--status", "incident", "--format", "json").output)["calls"] == []
    assert json.loads(run(archive, "incidents", "list", "--status", "open", "--format", "json").output)["incidents"] == []


def test_the_breach_setting_puts_the_amendments_in_force(archive):
    archive.store(PRETEXT, "C-1", account="ACC-7")
    (archive.data_dir / "callvault.toml").write_text('[breach]\nrule_text = "fcc-23-111"\n')
    shown = json.loads(run(archive, "incidents", "show", "1", "--format", "json").output)
    assert [b["rule_text"] for b in shown["deadlines"]] == ["fcc-23-111", "2007"]
    (archive.data_dir / "callvault.toml").write_text('[breach]\nrule_text = "2025"\n')
    bad = CliRunner().invoke(cli, ["--data-dir", str(archive.data_dir), "incidents", "list"])
    assert bad.exit_code == 1 and "rule_text" in bad.output


def test_dismiss_releases_the_hold(archive):
    rec = archive.store(PRETEXT, "C-1", account="ACC-7")
    assert archive.catalog.holds_covering(rec.id)
    run(archive, "incidents", "dismiss", "1", "--reason", "caller is an authorized user")
    assert archive.catalog.holds_covering(rec.id) == []
    missing = CliRunner().invoke(cli, ["--data-dir", str(archive.data_dir), "incidents", "show", "7"])
    assert missing.exit_code == 1 and "no incident #7" in missing.output


def test_the_cli_clock_is_the_system_clock_under_faketime(archive):
    """`confirm` without --determined-at takes the process's now; libfaketime moves it (Debian faketime)."""
    import os
    import subprocess
    import sys

    from helpers import need_tool

    need_tool("faketime")
    archive.store(PRETEXT, "C-1", account="ACC-7")
    base = ["faketime", "2026-11-25 15:00:00", sys.executable, "-c", "from callvault.cli import main; main()",
            "--data-dir", str(archive.data_dir), "incidents"]
    env = {**os.environ, "TZ": "UTC"}
    subprocess.run([*base, "confirm", "1", "--reason", "officer review"], check=True, env=env, capture_output=True, timeout=300)
    shown = subprocess.run([*base, "show", "1", "--format", "json"], check=True, env=env, capture_output=True, text=True, timeout=300)
    doc = json.loads(shown.stdout)
    assert doc["determined_at"].startswith("2026-11-25T15:00:")
    assert doc["deadlines"][0]["deadlines"][0]["local_date"] == "2026-12-07"  # Wed before Thanksgiving + 7 business days
    assert not doc["deadlines"][0]["provisional"]
