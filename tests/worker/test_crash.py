"""kill -9 in the middle of a batch, at several points, then a rerun finishes exactly what was left."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.slow

CLI = "from callvault.cli import main; main()"


def _start(data, inbox, tmp):
    env = {**os.environ, "TMPDIR": str(tmp)}
    return subprocess.Popen(
        [sys.executable, "-c", CLI, "--data-dir", str(data), "process", "-q", "--cpu-threads", "1", str(inbox)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def test_killed_runs_leave_nothing_half_done(tmp_path, short_calls):
    inbox, data, tmp = tmp_path / "inbox", tmp_path / "data", tmp_path / "tmp"
    inbox.mkdir()
    tmp.mkdir()
    for path in short_calls[:4]:
        (inbox / path.name).write_bytes(path.read_bytes())
    kills = 0
    for delay in (2.5, 5.0, 7.5, 10.0):
        run = _start(data, inbox, tmp)
        time.sleep(delay)
        if run.poll() is None:
            run.send_signal(signal.SIGKILL)
            kills += 1
        run.wait()
    assert kills >= 2, "the batch finished before it could be killed; the test proves nothing"
    final = _start(data, inbox, tmp)
    _, err = final.communicate(timeout=600)
    assert final.returncode == 0, err.decode()

    with sqlite3.connect(data / "catalog.db") as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT id) FROM recordings").fetchone() == (4, 4)
        assert conn.execute("SELECT count(*) FROM objects").fetchone() == (20,)
        assert conn.execute("SELECT count(*) FROM (SELECT recording_id, kind FROM objects GROUP BY 1, 2)").fetchone() == (20,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM leases").fetchone() == (0,)
    stored = list((data / "vault" / "objects").rglob("*.cvlt"))
    assert len(stored) == 20, "no duplicate or orphan stored objects"
    from callvault.tempnames import is_temp_name

    leftovers = [p for p in data.rglob("*") if is_temp_name(p.name) or p.name.endswith(".part")]
    assert leftovers == []
    # callvault keeps its temp files in DATA_DIR/tmp; other libraries' caches may sit here.
    assert [p for p in tmp.iterdir() if p.name.startswith(("callvault-", ".cvtmp."))] == []
    assert len(list((data / "calls").iterdir())) == 4
