"""Atomic writes and private temp dirs: a crash leaves the old file or the new, never half."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from callvault.tempnames import tag


@contextlib.contextmanager
def atomic_output(path: str | Path, mode: int = 0o644, tmp_dir: Path | None = None) -> Iterator[BinaryIO]:
    """A file handle whose content appears at ``path`` whole, or not at all.

    Written to a temp name beside ``path`` (or in ``tmp_dir``, on the same
    file system), tagged with this process so a later run can clear it after
    a kill -9, fsynced, then renamed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = tmp_dir or path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=tag(f".{path.name}."), suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: str | Path, data: bytes, mode: int = 0o644, tmp_dir: Path | None = None) -> Path:
    with atomic_output(path, mode, tmp_dir) as handle:
        handle.write(data)
    return Path(path)


def atomic_write_text(path: str | Path, text: str, mode: int = 0o644, tmp_dir: Path | None = None) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"), mode, tmp_dir)


def atomic_write_json(path: str | Path, doc: Any, mode: int = 0o644, tmp_dir: Path | None = None) -> Path:
    return atomic_write_text(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n", mode, tmp_dir)


@contextlib.contextmanager
def private_tempdir(prefix: str = "callvault-") -> Iterator[Path]:
    """A 0700 temp dir removed on every exit path, errors and Ctrl-C included."""
    path = Path(tempfile.mkdtemp(prefix=tag(prefix)))
    os.chmod(path, 0o700)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
