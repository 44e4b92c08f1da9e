"""Where speech recognition runs and how many speech chunks go through the model at once.

Pure choices over facts that are injected (CUDA present, CPU count, free GPU
memory), so the CUDA decisions are tested on a machine without a GPU.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

from callvault.models.errors import ConfigError

DEVICES = ("auto", "cpu", "cuda")
# CPU: chunks per thread. bench/batch.py on 2 cores: batch 8 with 2 threads
# beat 4 and 16 (4 leaves the matrix kernels short of rows; 16 pads more
# short chunks to 30 s and holds more memory for no gain).
CPU_CHUNKS_PER_THREAD = 4
CPU_MAX_BATCH = 64
# CPU: the threads run as this many lanes of one thread each (CTranslate2 workers sharing one
# copy of the weights), each lane decoding its share of a batch. On the 2-core box one
# two-thread model pass over 8 chunks took 5.1 s against 3.4 s for two one-thread lanes of 4
# (the 277 s reference call; a single 30 s chunk: 1.6 s against 0.9 s): the kernels of a
# small batch leave a second OpenMP thread mostly waiting. bench/transcribe.py measures it.
CPU_MAX_LANES = 16
GPU_DEFAULT_BATCH = 16  # when free memory cannot be read
GPU_MAX_BATCH = 64
GPU_RESERVE_BYTES = 1 << 30  # CUDA context, cuBLAS workspaces, fragmentation
GPU_MIN_ITEM_BYTES = 64 << 20


@dataclass(frozen=True)
class DevicePlan:
    device: str  # cpu | cuda
    compute_type: str  # int8 | float16 | ...
    batch_size: int  # 0: the sequential decoder
    batch_reason: str  # why this batch size, for provenance
    lanes: int = 1  # model passes run side by side, each over its share of a batch
    lane_threads: int = 0  # threads of each lane (0: CTranslate2 picks)


def resolve_device(device: str, compute_type: str, cuda_present: bool) -> tuple[str, str]:
    """(device, compute_type) once 'auto' is decided: int8 on CPU, float16 on CUDA."""
    if device not in DEVICES:
        raise ConfigError(f"device must be one of {', '.join(DEVICES)}, not '{device}'")
    if device == "auto":
        device = "cuda" if cuda_present else "cpu"
    elif device == "cuda" and not cuda_present:
        raise ConfigError("--device cuda was asked for but CTranslate2 sees no CUDA GPU; use --device cpu or auto")
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    return device, compute_type


def cpu_batch_size(cpu_threads: int, cpu_count: int) -> int:
    threads = cpu_threads or cpu_count
    return max(1, min(CPU_MAX_BATCH, CPU_CHUNKS_PER_THREAD * max(1, threads)))


def gpu_batch_size(free_bytes: int | None, model_bytes: int) -> int:
    """As many 30 s chunks as free GPU memory holds after the weights and a reserve.

    A chunk in flight holds its encoder output and the decoder's cross- and
    self-attention caches for every beam; those scale with the model's width
    and depth, as its weights do, hence the estimate of one eighth of the
    weights per chunk (large-v3 float16: ~390 MiB; tiny: the 64 MiB floor).
    """
    if free_bytes is None:
        return GPU_DEFAULT_BATCH
    per_item = max(GPU_MIN_ITEM_BYTES, model_bytes // 8)
    room = free_bytes - GPU_RESERVE_BYTES - model_bytes
    return max(1, min(GPU_MAX_BATCH, room // per_item))


def plan_device(
    device: str,
    compute_type: str,
    batch_size: int | None,
    *,
    cuda_present: bool,
    cpu_threads: int,
    cpu_count: int,
    free_gpu_bytes: int | None,
    model_bytes: int,
    lanes: int | None = None,
) -> DevicePlan:
    """The whole choice; ``batch_size`` None means "from the device", 0 the sequential decoder.

    ``lanes`` None: one lane per CPU thread on CPU (batched), one lane on CUDA and for the
    sequential decoder; N: the CPU threads split into N lanes.
    """
    device, compute_type = resolve_device(device, compute_type, cuda_present)
    if lanes is not None and lanes < 1:
        raise ConfigError("lanes must be a positive number, or unset (one per CPU thread)")
    if batch_size is not None and batch_size < 0:
        raise ConfigError("batch size must be 0 (sequential), a positive number, or unset (chosen from the device)")
    if device == "cuda":
        size = gpu_batch_size(free_gpu_bytes, model_bytes) if batch_size is None else batch_size
        free = "unknown" if free_gpu_bytes is None else f"{free_gpu_bytes >> 20} MiB"
        reason = f"free GPU memory {free}, model {model_bytes >> 20} MiB" if batch_size is None else _SET
        return DevicePlan(device, compute_type, size, reason)  # one stream: the GPU batches, it needs no lanes
    threads = cpu_threads or cpu_count
    size = cpu_batch_size(cpu_threads, cpu_count) if batch_size is None else batch_size
    reason = f"{threads} CPU threads x {CPU_CHUNKS_PER_THREAD}" if batch_size is None else _SET
    if not size:  # faster-whisper's sequential decoder: one model pass at a time, every thread in it
        return DevicePlan(device, compute_type, 0, reason, 1, cpu_threads)
    count = max(1, min(lanes or min(threads, CPU_MAX_LANES), threads, size))
    return DevicePlan(device, compute_type, size, reason, count, max(1, threads // count))


_SET = "set by --batch-size or [transcribe] batch_size"


# -- the facts, read from this machine (the only I/O in this module) -----------


def cuda_present() -> bool:
    try:
        import ctranslate2

        return ctranslate2.get_cuda_device_count() > 0
    except Exception:
        return False


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def omp_threads() -> int:
    """OMP_NUM_THREADS (what CTranslate2 uses when cpu_threads is 0; worker pools set it), else 0."""
    value = os.environ.get("OMP_NUM_THREADS", "")
    return int(value) if value.isdigit() else 0


def free_gpu_bytes(device_index: int = 0) -> int | None:
    """Free memory on the GPU from nvidia-smi (no torch import); None when it cannot be read."""
    exe = shutil.which("nvidia-smi")
    if not exe:
        return None
    try:
        out = subprocess.run(
            [exe, "--query-gpu=memory.free", "--format=csv,noheader,nounits", "-i", str(device_index)],
            capture_output=True, text=True, timeout=10, check=True,
        )
        return int(out.stdout.strip().splitlines()[0]) << 20
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None
