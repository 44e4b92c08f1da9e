"""Time for the catalog: an injected clock and one fixed-width UTC text form.

Every timestamp the catalog writes itself (audit entries, holds, leases) goes
through ``iso_utc`` so that text order is time order and SQL can compare them.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real clock; pass another ``Clock`` to pin time in tests."""
    return datetime.now(timezone.utc)


def iso_utc(moment: datetime) -> str:
    """``2025-03-04T05:06:07.000008Z``: fixed width, so text order is time order."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware; pass datetime(..., tzinfo=timezone.utc)")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
