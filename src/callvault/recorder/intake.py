"""Taking a recording in: its identity (SHA-256 of its bytes), size and sidecar metadata.

``[intake]`` in the config caps what one file may be (``max_bytes``,
``max_seconds``), so a huge file is one clear per-file error instead of an
out-of-memory kill that stops the nightly batch at the same file every night.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from callvault.models.errors import ConfigError, InputError
from callvault.models.recording import Recording
from callvault.recorder.metadata import read_metadata

AUDIO_SUFFIXES = frozenset(
    ".wav .wave .mp3 .flac .ogg .oga .opus .m4a .mp4 .aac .wma .webm .au .aiff .aif .amr .gsm .sph".split()
)


@dataclass(frozen=True)
class IntakeLimits:
    """Per-file caps from ``[intake]``; None means no cap."""

    max_bytes: int | None = None
    max_seconds: float | None = None

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> "IntakeLimits":
        unknown = sorted(set(table) - {"max_bytes", "max_seconds"})
        if unknown:
            raise ConfigError(f"[intake] has unknown key(s) {', '.join(unknown)}; allowed: max_bytes, max_seconds")
        values = {}
        for name, kind in (("max_bytes", int), ("max_seconds", float)):
            value = table.get(name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0 or (kind is int and value != int(value)):
                raise ConfigError(f"[intake] {name} must be a positive {'whole ' if kind is int else ''}number, e.g. {name} = {2_000_000_000 if kind is int else 14400}")
            values[name] = kind(value)
        return cls(**values)


def sha256_file(path: Path, chunk: int = 1 << 20) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def take_in(path: Path, limits: IntakeLimits = IntakeLimits()) -> Recording:
    """A Recording for one file: its id is the SHA-256 of its bytes."""
    if not path.exists():
        raise InputError(path, "file not found")
    if not path.is_file():
        raise InputError(path, "not a regular file")
    if limits.max_bytes and path.stat().st_size > limits.max_bytes:
        raise InputError(path, f"is {path.stat().st_size} bytes, over the [intake] max_bytes limit of {limits.max_bytes}; raise the limit or split the recording")
    try:
        digest, size = sha256_file(path)
    except OSError as exc:
        raise InputError(path, f"cannot read file ({exc.strerror})") from None
    if size == 0:
        raise InputError(path, "empty file (0 bytes)")
    return Recording(id=digest, source=str(path), metadata=read_metadata(path), size=size)
