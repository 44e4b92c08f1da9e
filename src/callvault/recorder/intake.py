"""Finding recordings in paths and giving each its identity."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable, Iterator

from callvault.models.errors import InputError
from callvault.models.recording import Recording
from callvault.recorder.metadata import read_metadata

AUDIO_SUFFIXES = frozenset(
    ".wav .wave .mp3 .flac .ogg .oga .opus .m4a .mp4 .aac .wma .webm .au .aiff .aif .amr .gsm .sph".split()
)


def iter_recording_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files given by name as they are; folders searched recursively for audio files.

    A file named explicitly is always tried, so a mislabelled or broken file
    gets a clear per-file error instead of being skipped silently.
    """
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES and not p.name.startswith("."))
        else:
            found = [path]
        for item in found:
            key = item.resolve()
            if key not in seen:
                seen.add(key)
                yield item


def sha256_file(path: Path, chunk: int = 1 << 20) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def take_in(path: Path) -> Recording:
    """A Recording for one file: its id is the SHA-256 of its bytes."""
    if not path.exists():
        raise InputError(path, "file not found")
    if not path.is_file():
        raise InputError(path, "not a regular file")
    try:
        digest, size = sha256_file(path)
    except OSError as exc:
        raise InputError(path, f"cannot read file ({exc.strerror})") from None
    if size == 0:
        raise InputError(path, "empty file (0 bytes)")
    return Recording(id=digest, source=str(path), metadata=read_metadata(path), size=size)
