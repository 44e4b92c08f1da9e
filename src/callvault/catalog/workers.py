"""Who holds a lease: ``host:pid:random``, so a holder that died on this host can be spotted."""

from __future__ import annotations

import os
import socket
import uuid


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def dead_here(worker: str) -> bool:
    """Whether ``worker`` was a process on this host that has exited (killed, crashed)."""
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # exists but is not ours to signal
    return False
