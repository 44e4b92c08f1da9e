"""A batch through a real Ray head (`--executor ray --address`), inside a loopback-only network namespace.

Ray binds to the machine's interface addresses and probes for a route out;
inside `unshare -n` only 127.0.0.1 exists, so everything stays on loopback.
"""

import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
pytest.importorskip("ray", reason="Ray is the optional extra callvault[ray]")

PORT = 6391


def _namespace_ok() -> bool:
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


def test_batch_on_a_ray_head(tmp_path, short_calls):
    if not _namespace_ok():
        pytest.skip("needs `unshare -n` (root) to keep Ray on a loopback-only network")
    data, inbox = tmp_path / "data", tmp_path / "inbox"
    inbox.mkdir()
    for path in short_calls[:3]:
        (inbox / path.name).write_bytes(path.read_bytes())
    ray_dir = Path(tempfile.mkdtemp(prefix="cvray", dir="/tmp"))  # short: Ray's socket paths must fit 107 bytes
    bindir = Path(sys.executable).parent
    cli = f"{shlex.quote(sys.executable)} -c 'from callvault.cli import main; main()'"
    process = f"{cli} --data-dir {shlex.quote(str(data))} process --executor ray --address 127.0.0.1:{PORT} --workers 2 --cpu-threads 1 --json {shlex.quote(str(inbox))}"
    script = f"""
        set -e
        ip link set lo up
        export RAY_USAGE_STATS_ENABLED=0
        {bindir}/ray start --head --node-ip-address=127.0.0.1 --port={PORT} --num-cpus=2 --include-dashboard=false \
            --disable-usage-stats --temp-dir={ray_dir} > {ray_dir}/start.log 2>&1
        trap '{bindir}/ray stop --force > /dev/null 2>&1' EXIT
        {process} > {ray_dir}/first.json
        {process} > {ray_dir}/second.json
    """
    try:
        run = subprocess.run(["unshare", "-n", "bash", "-c", script], capture_output=True, text=True, timeout=600,
                             env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"})
        assert run.returncode == 0, run.stderr[-3000:]
        first = json.loads((ray_dir / "first.json").read_text())
        second = json.loads((ray_dir / "second.json").read_text())
    finally:
        shutil.rmtree(ray_dir, ignore_errors=True)
    assert first["processed"] == 3 and first["failed"] == 0
    assert second["skipped"] == 3 and second["processed"] == 0
    with sqlite3.connect(data / "catalog.db") as conn:
        assert conn.execute("SELECT count(DISTINCT id) FROM recordings").fetchone() == (3,)
