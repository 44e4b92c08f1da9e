"""Keeping a recording's lease while it is processed, and proving it is still ours before its row is written.

A lease lasts ``ttl`` seconds. A call that takes longer (a long recording on
a slow CPU) would otherwise lose it mid-way to another worker, and both
would write the row. So the holder renews the lease every ``ttl / 3`` while
it works, and renews it once more (which fails when another worker has
taken it) right before anything is kept and again before the catalog row.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from callvault.clock import Clock
from callvault.models.errors import CallvaultError


class LeaseLost(CallvaultError):
    """Another worker took this recording's lease; it records the call, this worker keeps nothing."""


def lease_check(catalog: Any, recording_id: str, worker: str, ttl: float, clock: Clock) -> Callable[[], None]:
    """A check that renews the lease and raises LeaseLost when it is no longer ``worker``'s."""

    def still_leased() -> None:
        if not catalog.acquire_lease(recording_id, worker, ttl, clock()):
            raise LeaseLost(
                f"recording {recording_id[:12]}: its lease ran out and another worker took it; "
                "that worker records the call (raise lease_seconds for very long calls)"
            )

    return still_leased


@contextmanager
def renewed(open_catalog: Callable[[], Any], recording_id: str, worker: str, ttl: float, clock: Clock) -> Iterator[None]:
    """Renew the lease every ``ttl / 3`` seconds on a thread of its own (with its own catalog connection)."""
    stop = threading.Event()

    def renew_until_stopped() -> None:
        catalog = open_catalog()
        try:
            while not stop.wait(ttl / 3):
                if not catalog.acquire_lease(recording_id, worker, ttl, clock()):
                    return  # lost: the check before keeping says so
        finally:
            catalog.close()

    thread = threading.Thread(target=renew_until_stopped, name=f"callvault-lease-{recording_id[:8]}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
