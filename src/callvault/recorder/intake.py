"""Taking a recording in: its identity (SHA-256 of its bytes), size and sidecar metadata."""

from __future__ import annotations

import hashlib
from pathlib import Path

from callvault.models.errors import InputError
from callvault.models.recording import Recording
from callvault.recorder.metadata import read_metadata

AUDIO_SUFFIXES = frozenset(
    ".wav .wave .mp3 .flac .ogg .oga .opus .m4a .mp4 .aac .wma .webm .au .aiff .aif .amr .gsm .sph".split()
)


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
