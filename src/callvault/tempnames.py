"""Temp names that say which process made them, so a later run can clear a killed one's leftovers.

Every temp file or folder callvault makes carries ``.pid<N>.`` in its name.
After a crash (kill -9) the next run removes those whose process is gone;
a live process's temp files are never touched.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Iterable

_OWNER = re.compile(r"[.-]pid(\d+)[.-]")


def tag(prefix: str) -> str:
    """``prefix`` with this process's tag appended, for mkstemp/mkdtemp."""
    return f"{prefix}pid{os.getpid()}."


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
    """Remove temp files and folders left in ``folders`` by processes that no longer run."""
    removed: list[Path] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for entry in list(folder.iterdir()):
            match = _OWNER.search(entry.name)
            if match and not _alive(int(match.group(1))):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
                removed.append(entry)
    return removed
