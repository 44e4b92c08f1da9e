"""Time: an injected clock, one fixed-width UTC text form, and reading ISO 8601 back.

Every timestamp callvault writes itself (audit entries, holds, leases,
expiries) goes through ``iso_utc`` so that text order is time order and SQL
can compare them. Stages never call ``datetime.now``; they take a ``Clock``.
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


def parse_iso(value: str | None) -> datetime | None:
    """An ISO 8601 text as an aware UTC datetime (naive means UTC); None for None or unreadable text."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
