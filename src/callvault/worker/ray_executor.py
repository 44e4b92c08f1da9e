"""The same stages as Ray actors: one Worker (models loaded once) per actor.

``--executor ray --address ADDR`` joins a running cluster; without an
address a local one is started. GPUs are requested per actor when the ASR
device is CUDA. The catalog stays the single source of truth, so leases keep
actors on other machines off the same recording.
"""

from __future__ import annotations

from typing import Callable, Sequence

from callvault.assemble import RunOptions
from callvault.config import AppConfig
from callvault.models.errors import ConfigError
from callvault.pipeline import RecordingResult
from callvault.worker.sources import WorkItem


def run_on_ray(
    config: AppConfig,
    run: RunOptions,
    batch,
    items: Sequence[WorkItem],
    collect: Callable[[RecordingResult], None],
) -> None:
    try:
        import ray
        from ray.util import ActorPool
    except ImportError:
        raise ConfigError("--executor ray needs Ray: pip install 'callvault[ray]'") from None

    from callvault.worker.runner import Worker

    @ray.remote
    class PipelineActor:
        def __init__(self, config, run, batch):
            self.worker = Worker(config, run, batch)

        def process(self, item):
            return self.worker.process(item)

    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=batch.address, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    try:
        gpus = 1 if run.device == "cuda" else 0
        actors = [PipelineActor.options(num_cpus=1, num_gpus=gpus).remote(config, run, batch) for _ in range(max(1, batch.workers))]
        pool = ActorPool(actors)
        for result in pool.map_unordered(lambda actor, item: actor.process.remote(item), list(items)):
            collect(result)
    finally:
        if started_here:
            ray.shutdown()
