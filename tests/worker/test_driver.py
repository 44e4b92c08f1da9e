"""Who touches the catalog: leases kept alive through a long call, re-checked before the row; on a
cluster only the driver opens catalog, vault and call folders. Real pipeline, real SQLite."""

import sqlite3
import threading
import time
from datetime import datetime, timezone

import pytest

from callvault.assemble import RunOptions
from callvault.catalog import Catalog
from callvault.config import load_config
from callvault.recorder.intake import sha256_file
from callvault.worker.runner import BatchOptions, Worker
from callvault.worker.sources import WorkItem

pytestmark = pytest.mark.slow
RUN = RunOptions(device="cpu", cpu_threads=1)


def _rows(data, sql):
    with sqlite3.connect(data / "catalog.db") as conn:
        return conn.execute(sql).fetchall()


class _Thief(threading.Thread):
    """Another worker that tries to take the lease all the time, as a second run would."""

    def __init__(self, data, recording_id, steal=False):
        super().__init__(daemon=True)
        self.data, self.recording_id, self.steal = data, recording_id, steal
        self.stop, self.took = threading.Event(), False

    def run(self):
        with Catalog.in_data_dir(self.data) as catalog:
            while catalog.lease_holder(self.recording_id) is None:  # until the worker has leased it
                if self.stop.wait(0.05):
                    return
            while not self.stop.wait(0.2):
                if self.steal:
                    # The lease has lapsed while the call ran and another run took it.
                    catalog.conn.execute("UPDATE leases SET worker = 'other-host:1:x', expires_at = '2999-01-01T00:00:00Z'")
                    catalog.conn.commit()
                    self.took = True
                    return
                if not self.steal and catalog.acquire_lease(self.recording_id, "other-host:1:x", 60, datetime.now(timezone.utc)):
                    # Got it: a theft unless the worker had finished (its row is written before it lets go).
                    self.took = catalog.done_version(self.recording_id) is None
                    catalog.release_lease(self.recording_id, "other-host:1:x")
                    return


def test_a_lease_is_renewed_while_a_long_call_is_processed(tmp_path, short_calls):
    config = load_config(tmp_path / "data")
    worker = Worker(config, RUN, BatchOptions(lease_seconds=6.0))  # far shorter than the call takes (~30 s here)
    worker.pipeline.catalog  # the catalog exists before the thief looks
    recording_id, _ = sha256_file(short_calls[0])
    thief = _Thief(config.data_dir, recording_id)
    thief.start()
    try:
        result = worker.process(WorkItem(str(short_calls[0])))
    finally:
        thief.stop.set()
        thief.join()
        worker.close()
    assert result.status == "done", result.error
    assert not thief.took, "the lease lapsed mid-call and another worker got the recording"
    assert _rows(config.data_dir, "SELECT count(*) FROM leases") == [(0,)]


def test_a_lost_lease_is_re_checked_before_the_row_is_written(tmp_path, short_calls):
    config = load_config(tmp_path / "data")
    worker = Worker(config, RUN, BatchOptions(lease_seconds=600))
    worker.pipeline.catalog
    recording_id, _ = sha256_file(short_calls[1])
    thief = _Thief(config.data_dir, recording_id, steal=True)
    thief.start()
    try:
        result = worker.process(WorkItem(str(short_calls[1])))
    finally:
        thief.stop.set()
        thief.join()
        worker.close()
    assert thief.took
    assert result.status == "failed" and "another worker" in result.error
    assert _rows(config.data_dir, "SELECT count(*) FROM recordings") == [(0,)]


class _Finished:
    """A remote call's future, run at once in this process (Ray's scheduling, not Ray's transport)."""

    def __init__(self, value):
        self.value = value


def _in_process(driver, actors, items, collect):
    from callvault.worker.ray_executor import drive

    drive(driver, actors, items, collect, call=lambda actor, method, item: _Finished(getattr(actor, method)(item)),
          wait=lambda futures, timeout: futures, get=lambda future: future.value)


def test_on_a_cluster_only_the_driver_opens_catalog_vault_and_call_folders(tmp_path, short_calls):
    """The Ray scheduling loop with actors in this process: each actor sees its own node's data folder."""
    from callvault.worker.ray_executor import AnalysisWorker, Driver

    driver_config, node_config = load_config(tmp_path / "driver"), load_config(tmp_path / "node")
    batch = BatchOptions()
    driver, actor = Driver(driver_config, RUN, batch), AnalysisWorker(node_config, RUN, batch)
    items = [WorkItem(str(p)) for p in short_calls[2:4]]
    results = []
    try:
        _in_process(driver, [actor], items, results.append)
        again = []
        _in_process(driver, [actor], items, again.append)
    finally:
        driver.close()
    assert [r.status for r in results] == ["done", "done"], [r.error for r in results]
    assert [r.status for r in again] == ["skipped", "skipped"]
    assert sorted(p.name for p in (tmp_path / "node").iterdir()) == ["tmp"], "an actor wrote to its data folder"
    assert list((tmp_path / "node" / "tmp").iterdir()) == []
    assert _rows(tmp_path / "driver", "SELECT count(*) FROM recordings") == [(2,)]
    assert _rows(tmp_path / "driver", "SELECT count(*) FROM objects") == [(10,)]
    assert _rows(tmp_path / "driver", "SELECT count(*) FROM leases") == [(0,)]
    assert len(list((tmp_path / "driver" / "calls").iterdir())) == 2
