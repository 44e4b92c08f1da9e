"""Batch semantics with the real pipeline: idempotence, leases, workers, timeouts, store outages."""

import json
import sqlite3
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from callvault.assemble import RunOptions
from callvault.catalog import Catalog
from callvault.cli import cli
from callvault.config import load_config
from callvault.recorder.intake import sha256_file
from callvault.worker.runner import BatchOptions, run_batch
from callvault.worker.sources import WorkItem

pytestmark = pytest.mark.slow
RUN = RunOptions(device="cpu", cpu_threads=1)


def _items(paths):
    return [WorkItem(str(p)) for p in paths]


def _rows(data, sql):
    with sqlite3.connect(data / "catalog.db") as conn:
        return conn.execute(sql).fetchall()


def test_rerun_skips_done_and_reprocess_forces(tmp_path, short_calls):
    config = load_config(tmp_path / "data")
    first = run_batch(config, RUN, _items(short_calls[:2]))
    assert [r.status for r in first.results] == ["done", "done"]
    again = run_batch(config, RUN, _items(short_calls[:2]))
    assert [r.status for r in again.results] == ["skipped", "skipped"]
    forced = run_batch(config, RUN, _items(short_calls[:1]), BatchOptions(reprocess=True))
    assert [r.status for r in forced.results] == ["done"]
    assert _rows(tmp_path / "data", "SELECT count(*) FROM recordings") == [(2,)]
    assert _rows(tmp_path / "data", "SELECT count(*) FROM objects") == [(10,)]


def test_a_leased_recording_is_left_to_its_worker(tmp_path, short_calls):
    config = load_config(tmp_path / "data")
    recording_id, _ = sha256_file(short_calls[2])
    with Catalog.in_data_dir(config.data_dir) as catalog:
        assert catalog.acquire_lease(recording_id, "other-host:1", 600, datetime.now(timezone.utc))
    summary = run_batch(config, RUN, _items(short_calls[2:3]))
    assert summary.results[0].status == "skipped" and "leased" in summary.results[0].error


def test_two_worker_processes_do_each_recording_once(tmp_path, short_calls):
    config = load_config(tmp_path / "data")
    summary = run_batch(config, RUN, _items(short_calls[:4]), BatchOptions(workers=2))
    assert sorted(r.status for r in summary.results) == ["done"] * 4, [r.error for r in summary.results]
    assert _rows(tmp_path / "data", "SELECT count(*) FROM recordings") == [(4,)]
    assert len(list((tmp_path / "data" / "vault" / "objects").rglob("*.cvlt"))) == 4 * 5


def test_timeout_fails_that_recording_and_the_batch_goes_on(tmp_path, short_calls):
    config = load_config(tmp_path / "data")
    summary = run_batch(config, RUN, _items(short_calls[:1]), BatchOptions(timeout=0.05))
    assert summary.results[0].status == "failed" and "per-recording limit" in summary.results[0].error
    assert not (tmp_path / "data" / "catalog.db").exists() or _rows(tmp_path / "data", "SELECT count(*) FROM recordings") == [(0,)]


def test_store_outage_is_retried_then_reported_and_nothing_is_marked_done(tmp_path, short_calls):
    data = tmp_path / "data"
    data.mkdir()
    # A closed port on loopback: every S3 call is refused.
    (data / "callvault.toml").write_text(
        '[vault]\nstore = "s3"\ns3_bucket = "vault"\ns3_endpoint = "http://127.0.0.1:9"\ns3_region = "us-east-1"\nmax_attempts = 2\n'
    )
    source = short_calls[3]
    before = source.read_bytes()
    result = CliRunner(env={"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"}).invoke(
        cli, ["--data-dir", str(data), "process", "--json", "--retries", "1", str(source)], catch_exceptions=False
    )
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["failed"] == 1 and "127.0.0.1:9" in summary["failures"][0]["error"]
    assert source.read_bytes() == before
    assert _rows(data, "SELECT count(*) FROM recordings") == [(0,)]


def test_json_logs_carry_no_transcript_text(tmp_path, short_calls):
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path / "d"), "process", "--log-format", "json", "--cpu-threads", "1", str(short_calls[4])],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines and lines[0]["event"] == "recording" and lines[0]["status"] == "done"
    assert "cancel" not in result.stderr.lower() and "bill" not in result.stderr.lower()


def test_a_worker_process_killed_mid_recording_costs_only_a_retry(tmp_path, short_calls):
    """SIGKILL one pool process while it works (as the OOM killer would); the batch still finishes."""
    import os
    import signal
    import threading
    import time

    from callvault.worker.runner import inflight_dir

    config = load_config(tmp_path / "data")
    killed: list[int] = []

    def kill_one_worker():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            for marker in inflight_dir(config).glob("*"):
                os.kill(int(marker.name), signal.SIGKILL)
                killed.append(int(marker.name))
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    summary = run_batch(config, RUN, _items(short_calls[:4]), BatchOptions(workers=2, backoff=0.1))
    killer.join()
    assert killed, "no worker was caught mid-recording; the test proves nothing"
    assert sorted(r.status for r in summary.results) == ["done"] * 4, [r.error for r in summary.results]
    assert _rows(tmp_path / "data", "SELECT count(*) FROM recordings") == [(4,)]
