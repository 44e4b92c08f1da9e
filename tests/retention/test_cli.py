"""`callvault retention check|plan|apply` and `callvault hold add|list|release` on a real archive."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from callvault.cli import cli


@pytest.fixture
def stored(tmp_path, kit):
    """An archive whose calls were stored 400 days ago, so the real clock finds the plain ones expired."""
    clock = kit.Clock(datetime.now(timezone.utc) - timedelta(days=400))
    arch = kit.Archive(tmp_path / "data", {}, clock)
    arch.store_call("plain", account="ACC-1")
    arch.store_call("approved", evidence=True)
    arch.close()
    return arch


def run(arch, *args: str):
    return CliRunner().invoke(cli, ["--data-dir", str(arch.data_dir), *args], catch_exceptions=False)


def test_check_validates_and_shows_the_impact(stored, tmp_path):
    result = run(stored, "retention", "check")
    assert result.exit_code == 0, result.output
    assert "cpni-evidence" in result.output and "policy is valid" in result.output
    assert "4 stored object(s)" in result.output
    assert "2 would be deleted by a sweep now" in result.output

    longer = tmp_path / "longer.toml"
    longer.write_text('[default]\nkeep = "3 years"\n')
    result = run(stored, "retention", "check", str(longer))
    assert result.exit_code == 0 and "4 would be kept longer" in result.output and "0 would be deleted" in result.output

    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nname = "fast-purge"\nkeep = "30 days"\n[default]\nkeep = "1 year"\n')
    result = run(stored, "retention", "check", str(bad))
    assert result.exit_code == 1 and "rule 'fast-purge'" in result.output and "64.2007(a)(3)" in result.output


def test_plan_then_apply_then_nothing_left(stored):
    result = run(stored, "retention", "plan")
    assert result.exit_code == 0
    lines = [line for line in result.output.splitlines() if line.startswith(("delete", "shred"))]
    assert len(lines) == 3 and all("plain" in line for line in lines)
    assert "under rule 'default'" in result.output and "2 to delete, 1 key(s) to shred" in result.output
    doc = json.loads(run(stored, "retention", "plan", "--format", "json").output)
    assert {a["rule"] for a in doc["actions"]} == {"default", "redacted-transcripts", None}

    result = run(stored, "retention", "apply", "--actor", "nightly")
    assert result.exit_code == 0, result.output
    assert "2 object(s) deleted, 1 recording key(s) shredded" in result.output
    assert "nothing to do" in run(stored, "retention", "plan").output
    assert "0 object(s) deleted" in run(stored, "retention", "apply").output
    assert "audit log intact" in run(stored, "audit", "verify").output


def test_holds_from_the_command_line(stored):
    result = run(stored, "hold", "add", "--account", "ACC-1", "--reason", "matter 17", "--actor", "counsel")
    assert result.exit_code == 0 and "hold 1 placed on account ACC-1" in result.output
    listed = run(stored, "hold", "list")
    assert "account" in listed.output and "matter 17" in listed.output and "active" in listed.output

    result = run(stored, "retention", "apply")
    assert "0 object(s) deleted" in result.output and "1 call(s) kept for legal holds" in result.output

    result = run(stored, "hold", "release", "1", "--reason", "settled")
    assert result.exit_code == 0 and "released" in result.output
    assert "no active legal holds" in run(stored, "hold", "list").output
    assert "settled" in run(stored, "hold", "list", "--all").output
    assert "2 object(s) deleted" in run(stored, "retention", "apply").output


def test_hold_arguments_are_checked(stored):
    assert run(stored, "hold", "add", "--reason", "x").exit_code == 2
    assert run(stored, "hold", "add", "--call", "plain", "--account", "A", "--reason", "x").exit_code == 2
    result = run(stored, "hold", "add", "--query", '"unclosed', "--reason", "x")
    assert result.exit_code == 1 and "malformed search query" in result.output
    result = run(stored, "hold", "add", "--call", "not-yet-here", "--reason", "x")
    assert result.exit_code == 0 and "covers it once it is processed" in result.output
    result = run(stored, "hold", "release", "99", "--reason", "x")
    assert result.exit_code == 1 and "no active legal hold 99" in result.output
