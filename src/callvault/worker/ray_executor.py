"""The same stages on a Ray cluster, with the driver owning everything stateful.

``--executor ray --address ADDR`` joins a running cluster; without an
address a local one is started. GPUs are requested per actor when the ASR
device is CUDA.

SQLite cannot be shared over a network file system (its locks and WAL do
not work across hosts), so actors never open the catalog, the vault or the
data folder. An actor fetches a recording (from a path every node sees, or
from S3), hashes it, and when the driver has leased it, transcribes and
analyses it and hands back the leak-checked outputs in memory. The driver,
on the host that holds DATA_DIR, owns the leases (renewed while an actor
works, re-checked before the row), writes the call folder, seals into the
vault and records the catalog row.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Sequence

from callvault import PIPELINE_VERSION
from callvault.assemble import RunOptions, build_pipeline
from callvault.catalog.workers import worker_identity
from callvault.config import AppConfig
from callvault.fsutil import private_tempdir
from callvault.layout import temp_dir
from callvault.models.errors import CallvaultError, ConfigError, ModelMissingError
from callvault.pipeline import CallOutputs, RecordingResult
from callvault.worker.leases import lease_check
from callvault.worker.sources import WorkItem


class AnalysisWorker:
    """An actor's part: fetch, hash, analyse. Never the catalog, the vault or the call folders."""

    def __init__(self, config: AppConfig, run: RunOptions, batch: Any):
        from callvault.worker.runner import Worker

        self.worker = Worker(config, run, batch)  # its pipeline builds catalog and vault only on use: never here
        self._held: dict[str, tuple[Any, Path, Any, Any]] = {}  # uri -> (temp dir context, path, metadata, recording)

    def identify(self, item: WorkItem) -> Any:
        """The item's Recording (fetched into this node's temp folder and hashed), or a failed result."""
        if item.refusal:
            return RecordingResult(item.uri, "failed", error=item.refusal)
        self.drop(item)
        workdir = private_tempdir(temp_dir(self.worker.config.data_dir))
        folder = workdir.__enter__()
        try:
            path, metadata, recording = self.worker.fetch(item, folder)
        except (ConfigError, ModelMissingError):
            workdir.__exit__(None, None, None)
            raise
        except CallvaultError as exc:
            workdir.__exit__(None, None, None)
            return RecordingResult(item.uri, "failed", error=str(exc))
        self._held[item.uri] = (workdir, path, metadata, recording)
        return recording

    def analyse(self, item: WorkItem) -> Any:
        """Portable CallOutputs of an identified item, or a failed result; the fetched file is removed."""
        from callvault.worker.runner import time_limit

        _, path, metadata, recording = self._held[item.uri]
        pipeline = self.worker.pipeline

        def run() -> CallOutputs:
            with time_limit(self.worker.batch.timeout):
                return pipeline.analyse_path(path, pipeline.take_in(path, metadata, recording), item.context).portable()

        try:
            return pipeline.guarded(path, recording, lambda: self.worker._with_retries(run))
        except CallvaultError as exc:
            if isinstance(exc, (ConfigError, ModelMissingError)):
                raise
            return RecordingResult(item.uri, "failed", recording.id, error=str(exc))
        finally:
            self.drop(item)

    def drop(self, item: WorkItem) -> None:
        held = self._held.pop(item.uri, None)
        if held is not None:
            held[0].__exit__(None, None, None)


class Driver:
    """The driver's side: leases, the call folders, the vault and the catalog, all on this host."""

    def __init__(self, config: AppConfig, run: RunOptions, batch: Any, sleep: Callable[[float], None] = time.sleep):
        from callvault.clock import system_clock

        self.pipeline = build_pipeline(config, run)
        self.batch = batch
        self.sleep = sleep
        self.clock = system_clock
        self.id = worker_identity()
        self.held: set[str] = set()

    def lease(self, item: WorkItem, recording: Any) -> RecordingResult | None:
        """Lease ``recording`` for this driver, or the reason it is skipped."""
        catalog = self.pipeline.catalog
        if not self.batch.reprocess and catalog.done_version(recording.id) == PIPELINE_VERSION:
            return RecordingResult(item.uri, "skipped", recording.id, error="already done with this pipeline version")
        refused = self.pipeline.admit(recording)
        if refused:
            return RecordingResult(item.uri, "skipped", recording.id, error=refused)
        if not catalog.acquire_lease(recording.id, self.id, self.batch.lease_seconds, self.clock()):
            return RecordingResult(item.uri, "skipped", recording.id, error="leased by another worker")
        self.held.add(recording.id)
        return None

    def with_facts(self, item: WorkItem, recording: Any) -> WorkItem:
        """``item`` carrying the catalog's rule facts for ``recording``: the actor never opens the catalog."""
        return replace(item, context=self.pipeline.rule_context(recording))

    def renew(self) -> None:
        for recording_id in list(self.held):
            self.pipeline.catalog.acquire_lease(recording_id, self.id, self.batch.lease_seconds, self.clock())

    def keep(self, item: WorkItem, recording: Any, outputs: Any) -> RecordingResult:
        """Write, seal and record an actor's outputs (or pass on its failure), then give the lease back."""
        from callvault.worker.runner import with_retries

        try:
            if isinstance(outputs, RecordingResult):
                return replace(outputs, source=item.uri)
            still_leased = lease_check(self.pipeline.catalog, recording.id, self.id, self.batch.lease_seconds, self.clock)
            path = Path(item.uri)
            result = with_retries(lambda: self.pipeline.guarded(path, recording, lambda: self.pipeline.keep(outputs, still_leased)), self.batch, self.sleep)
            return replace(result, source=item.uri)
        except (ConfigError, ModelMissingError):
            raise
        except CallvaultError as exc:
            return RecordingResult(item.uri, "failed", recording.id, error=str(exc))
        finally:
            self.pipeline.catalog.release_lease(recording.id, self.id)
            self.held.discard(recording.id)

    def close(self) -> None:
        self.pipeline.close()


def drive(
    driver: Driver,
    actors: Sequence[Any],
    items: Sequence[WorkItem],
    collect: Callable[[RecordingResult], None],
    call: Callable[[Any, str, WorkItem], Any],
    wait: Callable[[list, float], list],
    get: Callable[[Any], Any],
) -> None:
    """Schedule items over actors: identify, lease (driver), analyse, keep (driver); leases renewed each tick.

    ``call(actor, method, item)`` starts a remote call and returns its future;
    ``wait(futures, timeout)`` returns the finished ones; ``get`` a result.
    """
    idle, pending = list(actors), deque(items)
    running: dict[Any, tuple[str, Any, WorkItem, Any]] = {}
    tick = max(1.0, driver.batch.lease_seconds / 3)
    while pending or running:
        while idle and pending:
            actor, item = idle.pop(), pending.popleft()
            running[call(actor, "identify", item)] = ("identify", actor, item, None)
        ready = wait(list(running), tick)
        driver.renew()
        for future in ready:
            stage, actor, item, recording = running.pop(future)
            value = get(future)
            if stage == "analyse":
                idle.append(actor)
                collect(driver.keep(item, recording, value))
            elif isinstance(value, RecordingResult):
                idle.append(actor)
                collect(value)
            elif (skipped := driver.lease(item, value)) is not None:
                call(actor, "drop", item)
                idle.append(actor)
                collect(skipped)
            else:
                item = driver.with_facts(item, value)
                running[call(actor, "analyse", item)] = ("analyse", actor, item, value)


def run_on_ray(
    config: AppConfig,
    run: RunOptions,
    batch,
    items: Sequence[WorkItem],
    collect: Callable[[RecordingResult], None],
) -> None:
    try:
        import ray
    except ImportError:
        raise ConfigError("--executor ray needs Ray: pip install 'callvault[ray]'") from None

    PipelineActor = ray.remote(AnalysisWorker)
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=batch.address, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    driver = Driver(config, run, batch)
    try:
        gpus = 1 if run.device == "cuda" else 0
        actors = [PipelineActor.options(num_cpus=1, num_gpus=gpus).remote(config, run, batch) for _ in range(max(1, batch.workers))]
        drive(
            driver, actors, list(items), collect,
            call=lambda actor, method, item: getattr(actor, method).remote(item),
            wait=lambda futures, timeout: ray.wait(futures, num_returns=1, timeout=timeout)[0],
            get=ray.get,
        )
    finally:
        driver.close()
        if started_here:
            ray.shutdown()
