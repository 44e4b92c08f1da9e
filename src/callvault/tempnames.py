"""Temp names that say which host and process made them, so a later run can clear a killed one's leftovers.

Every temp file or folder callvault makes starts with ``.cvtmp.<host>.<pid>.``
(``<host>`` is 8 hex digits of the host name's SHA-256). The match is
anchored at the start of the name, so a call folder (whose name never starts
with a dot) or another program's file that merely contains ``pid123`` is
never taken for one. After a crash (kill -9) the next run removes those made
on THIS host by a process that is gone; a live process's files, and any
other host's files on shared storage, are never touched.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
from pathlib import Path
from typing import Iterable

_OWNER = re.compile(r"^\.cvtmp\.(?P<host>[0-9a-f]{8})\.(?P<pid>\d+)\.")


def host_id() -> str:
    """This host, as 8 hex digits (host names may hold dots and dashes)."""
    return hashlib.sha256(socket.gethostname().encode("utf-8")).hexdigest()[:8]


def tag(prefix: str = "") -> str:
    """A temp-name prefix for mkstemp/mkdtemp: this host and process, then ``prefix``."""
    return f".cvtmp.{host_id()}.{os.getpid()}.{prefix.lstrip('.')}"


def is_temp_name(name: str) -> bool:
    return _OWNER.match(name) is not None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clear_stale(folders: Iterable[Path]) -> list[Path]:
    """Remove temp files and folders left in ``folders`` by dead processes of this host."""
    here = host_id()
    removed: list[Path] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for entry in list(folder.iterdir()):
            match = _OWNER.match(entry.name)
            if match is None or match["host"] != here or _alive(int(match["pid"])):
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed
