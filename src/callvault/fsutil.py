"""Durable atomic writes and private folders: a crash or power cut leaves the old file or the new, never half, never none.

A rename is only durable once the folder that holds the name is fsynced, so
every rename here is followed by an fsync of the parent folder(s). Outputs
are 0600 files in 0700 folders: call content is for callvault's user only.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from callvault.tempnames import tag

FILE_MODE = 0o600
DIR_MODE = 0o700


def fsync_dir(path: str | Path) -> None:
    """Force the folder's entries (names made or renamed in it) to disk."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):  # a file system without folder fsync
            raise
    finally:
        os.close(fd)


def replace_durably(src: str | Path, dst: str | Path) -> None:
    """``os.replace`` then fsync of the folder(s) involved, so the new name survives a power cut."""
    src, dst = Path(src), Path(dst)
    os.replace(src, dst)
    fsync_dir(dst.parent)
    if src.parent.resolve() != dst.parent.resolve():
        fsync_dir(src.parent)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange_paths(a: str | Path, b: str | Path) -> None:
    """Swap two existing paths in one atomic step (Linux renameat2 RENAME_EXCHANGE), then fsync.

    Raises OSError (ENOSYS/EINVAL) where the kernel or file system cannot.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(a))
    fsync_dir(Path(b).parent)
    if Path(a).parent.resolve() != Path(b).parent.resolve():
        fsync_dir(Path(a).parent)


def private_dirs(path: str | Path) -> Path:
    """``path`` and any missing parents, each made 0700 (an existing one is left as it is, except ``path``)."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=DIR_MODE)
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(path))
    os.chmod(path, DIR_MODE)
    return path


@contextlib.contextmanager
def atomic_output(path: str | Path, mode: int = FILE_MODE, tmp_dir: Path | None = None) -> Iterator[BinaryIO]:
    """A file handle whose content appears at ``path`` whole, or not at all.

    Written to a temp name beside ``path`` (or in ``tmp_dir``, on the same
    file system), tagged with this host and process so a later run can clear
    it after a kill -9, fsynced, renamed, and the folder fsynced.
    """
    path = Path(path)
    if not path.parent.exists():
        private_dirs(path.parent)
    folder = tmp_dir or path.parent
    if not folder.exists():
        private_dirs(folder)
    fd, tmp = tempfile.mkstemp(prefix=tag(f"{path.name}."), suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        replace_durably(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: str | Path, data: bytes, mode: int = FILE_MODE, tmp_dir: Path | None = None) -> Path:
    with atomic_output(path, mode, tmp_dir) as handle:
        handle.write(data)
    return Path(path)


def atomic_write_text(path: str | Path, text: str, mode: int = FILE_MODE, tmp_dir: Path | None = None) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"), mode, tmp_dir)


def json_bytes(doc: Any) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def atomic_write_json(path: str | Path, doc: Any, mode: int = FILE_MODE, tmp_dir: Path | None = None) -> Path:
    return atomic_write_bytes(path, json_bytes(doc), mode, tmp_dir)


@contextlib.contextmanager
def private_tempdir(root: str | Path, prefix: str = "work-") -> Iterator[Path]:
    """A 0700 temp dir inside callvault's own temp folder ``root``, removed on every exit path.

    Never the system temp folder: that one is shared with other programs
    (and other users), and only callvault's own folder is ever cleared.
    """
    path = Path(tempfile.mkdtemp(prefix=tag(prefix), dir=private_dirs(root)))
    os.chmod(path, DIR_MODE)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
