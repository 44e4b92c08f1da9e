"""Running a batch: plan, lease, process, retry, record; inline, in local processes, or on Ray.

Each worker (process or Ray actor) builds its own Pipeline from the config,
so models load once per worker. The catalog is the single source of truth:
a recording is done when its row exists with this pipeline version; a
lease in the catalog keeps two workers (on any machine) off the same one.
"""

from __future__ import annotations

import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from callvault import PIPELINE_VERSION
from callvault.assemble import RunOptions, build_pipeline
from callvault.catalog.workers import worker_identity
from callvault.clock import Clock, system_clock
from callvault.config import AppConfig
from callvault.fsutil import private_dirs, private_tempdir
from callvault.layout import temp_dir
from callvault.models.errors import CallvaultError, ConfigError, ModelMissingError, StoreError
from callvault.pipeline import Pipeline, RecordingResult
from callvault.recorder.intake import take_in
from callvault.recorder.metadata import parse_metadata
from callvault.tempnames import clear_stale
from callvault.worker.leases import lease_check, renewed
from callvault.worker.sources import WorkItem, materialise, s3_source_client


class RecordingTimeout(CallvaultError):
    """One recording ran past the per-recording time limit."""


@dataclass(frozen=True)
class BatchOptions:
    workers: int = 1
    reprocess: bool = False
    timeout: float | None = None  # seconds per recording
    retries: int = 2  # extra tries for transient errors (store, KMS, memory)
    backoff: float = 1.0  # first retry delay, doubled each time
    lease_seconds: float = 3600.0
    executor: str = "local"  # local | ray
    address: str | None = None  # Ray cluster address


@dataclass(frozen=True)
class BatchSummary:
    results: tuple[RecordingResult, ...]
    wall_seconds: float

    @property
    def failed(self) -> tuple[RecordingResult, ...]:
        return tuple(r for r in self.results if r.status == "failed")

    def to_dict(self) -> dict:
        done = [r for r in self.results if r.status == "done"]
        audio = sum(r.audio_seconds for r in done)
        return {
            "processed": len(done),
            "skipped": sum(r.status == "skipped" for r in self.results),
            "failed": len(self.failed),
            "failures": [{"source": r.source, "error": r.error} for r in self.failed],
            "audio_hours": round(audio / 3600, 4),
            "audio_seconds": round(audio, 3),
            "wall_seconds": round(self.wall_seconds, 3),
            "real_time_factor": round(self.wall_seconds / audio, 4) if audio else None,
            "results": [r.to_dict() for r in self.results],
        }


TRANSIENT = (StoreError, MemoryError, ConnectionError, TimeoutError)


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise RecordingTimeout in this (main) thread after ``seconds``."""
    if not seconds:
        yield
        return

    def expire(signum, frame):
        raise RecordingTimeout(f"took longer than the {seconds:g} s per-recording limit (--timeout)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def with_retries(action: Callable[[], Any], batch: BatchOptions, sleep: Callable[[float], None]) -> Any:
    """``action()``, tried again after transient errors (store, KMS, memory) with doubling delays."""
    delay = batch.backoff
    for attempt in range(batch.retries + 1):
        try:
            return action()
        except TRANSIENT as exc:
            if attempt == batch.retries:
                if isinstance(exc, CallvaultError):
                    raise
                raise StoreError(f"gave up after {attempt + 1} tries: {type(exc).__name__}: {exc}") from None
            sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


class Worker:
    """One worker's pipeline, identity and lease handling; used inline or per local process."""

    def __init__(self, config: AppConfig, run: RunOptions, batch: BatchOptions, clock: Clock = system_clock,
                 sleep: Callable[[float], None] = time.sleep):
        self.pipeline: Pipeline = build_pipeline(config, run)
        self.pipeline.prefetch()
        self.config = config
        self.run = run
        self.batch = batch
        self.clock = clock
        self.sleep = sleep
        self.id = worker_identity()
        self._s3 = None

    def s3_client(self):
        if self._s3 is None:  # the endpoint the sources were listed from (--s3-endpoint), not just the config's
            self._s3 = s3_source_client(self.config, self.run.vault_overrides)
        return self._s3

    def close(self) -> None:
        self.pipeline.close()

    def process(self, item: WorkItem) -> RecordingResult:
        started = time.perf_counter()
        if item.refusal:
            return RecordingResult(item.uri, "failed", error=item.refusal)
        try:
            with private_tempdir(temp_dir(self.config.data_dir)) as workdir:
                path, metadata, recording = self.fetch(item, workdir)
                catalog = self.pipeline.catalog
                if not self.batch.reprocess and catalog.done_version(recording.id) == PIPELINE_VERSION:
                    return RecordingResult(item.uri, "skipped", recording.id, error="already done with this pipeline version")
                ttl = self.batch.lease_seconds
                if not catalog.acquire_lease(recording.id, self.id, ttl, self.clock()):
                    return RecordingResult(item.uri, "skipped", recording.id, error="leased by another worker")
                still_leased = lease_check(catalog, recording.id, self.id, ttl, self.clock)
                try:
                    with renewed(self.pipeline.catalog_factory, recording.id, self.id, ttl, self.clock):
                        result = self._with_retries(lambda: self._run_one(path, metadata, recording, still_leased))
                finally:
                    catalog.release_lease(recording.id, self.id)
                return replace(result, source=item.uri)
        except (ConfigError, ModelMissingError):
            raise  # every recording would fail the same way: stop the batch with the reason
        except CallvaultError as exc:
            return RecordingResult(item.uri, "failed", error=str(exc), wall_seconds=round(time.perf_counter() - started, 3))

    def fetch(self, item: WorkItem, workdir: Path) -> tuple[Path, Any, Any]:
        """The item as a local file, its manifest metadata, and its Recording (hashed once)."""
        path = self._with_retries(lambda: materialise(item, workdir, self.s3_client() if item.is_s3 else None))
        metadata = parse_metadata(item.metadata, Path(item.uri)) if item.metadata else None
        return path, metadata, take_in(path, self.pipeline.intake)

    def _run_one(self, path: Path, metadata, recording, still_leased: Callable[[], None]) -> RecordingResult:
        with time_limit(self.batch.timeout):
            return self.pipeline.process_path(path, metadata, recording=recording, still_leased=still_leased)

    def _with_retries(self, action: Callable[[], Any]) -> Any:
        return with_retries(action, self.batch, self.sleep)


# -- local process pool ---------------------------------------------------------

_PROCESS_WORKER: Worker | None = None


def inflight_dir(config: AppConfig) -> Path:
    """Where each pool process notes the recording it is on, so a dead process's one can be told."""
    return Path(config.data_dir) / "work" / "inflight"


def _init_process(config: AppConfig, run: RunOptions, batch: BatchOptions) -> None:
    global _PROCESS_WORKER  # one Worker per pool process: models load once per process
    _PROCESS_WORKER = Worker(config, run, batch)


def _process_in_pool(item: WorkItem) -> RecordingResult:
    import os

    assert _PROCESS_WORKER is not None
    marker = inflight_dir(_PROCESS_WORKER.config) / str(os.getpid())
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(item.uri)
    try:
        return _PROCESS_WORKER.process(item)
    finally:
        marker.unlink(missing_ok=True)


@contextmanager
def _thread_limits(threads: int) -> Iterator[None]:
    """Worker processes inherit BLAS/OpenMP thread caps, so N workers don't each grab every core.

    Spawned children read these when they import numpy and friends; a value
    the user already set is left alone.
    """
    import os

    names = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    added = [name for name in names if name not in os.environ]
    for name in added:
        os.environ[name] = str(threads)
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


def clear_leftovers(config: AppConfig) -> list[Path]:
    """Temp files and folders of killed earlier runs of this host, in callvault's own temp folders only.

    Never the calls folder (a call folder is no temp file, whatever its
    name) and never the system temp folder (other programs' files).
    """
    from callvault.vault.settings import VaultSettings
    from callvault.vault.stores import TMP_DIR

    vault = VaultSettings.from_config(config)
    return clear_stale([temp_dir(config.data_dir), vault.vault_dir / "spool", vault.local_root / TMP_DIR])


def run_batch(
    config: AppConfig,
    run: RunOptions,
    items: Iterable[WorkItem],
    batch: BatchOptions = BatchOptions(),
    on_result: Callable[[RecordingResult], None] = lambda r: None,
) -> BatchSummary:
    """Process every item; results come back through ``on_result`` as they finish."""
    started = time.perf_counter()
    private_dirs(config.data_dir)  # 0700: call content, keys and the catalog are for callvault's user only
    clear_leftovers(config)
    items = list(items)
    results: list[RecordingResult] = []

    def collect(result: RecordingResult) -> None:
        results.append(result)
        on_result(result)

    if batch.executor == "ray":
        from callvault.worker.ray_executor import run_on_ray

        run_on_ray(config, run, batch, items, collect)
    elif batch.workers <= 1 or len(items) <= 1:
        worker = Worker(config, run, batch)
        try:
            for item in items:
                collect(worker.process(item))
        finally:
            worker.close()
    else:
        _run_in_processes(config, run, batch, items, collect)
    return BatchSummary(tuple(results), time.perf_counter() - started)


def _run_in_processes(config: AppConfig, run: RunOptions, batch: BatchOptions, items: list[WorkItem],
                      collect: Callable[[RecordingResult], None]) -> None:
    """A pool of worker processes; one that dies (out of memory, killed) costs only its recording a try.

    When a process dies the pool breaks and every unfinished recording comes
    back; the pool is rebuilt for those. Only recordings a process was working
    on when it broke count a try (each process notes its current one in
    ``inflight_dir``); one that breaks pools more than ``batch.retries``
    times is given up, so a recording that always runs out of memory cannot
    sink the rest of the batch.
    """
    import shutil
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("spawn")
    broken_tries: dict[str, int] = {}
    pending = list(items)
    markers = inflight_dir(config)
    while pending:
        shutil.rmtree(markers, ignore_errors=True)
        unfinished: list[WorkItem] = []
        with _thread_limits(run.cpu_threads or 1), ProcessPoolExecutor(
            batch.workers, mp_context=context, initializer=_init_process, initargs=(config, run, batch)
        ) as pool:
            futures = {pool.submit(_process_in_pool, item): item for item in pending}
            for future in as_completed(futures):
                try:
                    collect(future.result())
                except BrokenProcessPool:
                    unfinished.append(futures[future])
        in_flight = {m.read_text() for m in markers.glob("*")} if markers.is_dir() else set()
        pending = []
        for item in unfinished:
            if item.uri in in_flight:
                broken_tries[item.uri] = broken_tries.get(item.uri, 0) + 1
            if broken_tries.get(item.uri, 0) > batch.retries:
                collect(RecordingResult(item.uri, "failed", error=(
                    f"a worker process died {broken_tries[item.uri]} times while processing this recording "
                    "(out of memory?); try fewer --workers or a smaller model")))
            else:
                pending.append(item)
        if pending:
            clear_leftovers(config)  # the dead processes' temp files
            time.sleep(batch.backoff)
