"""What restore needs from an audit log. The catalog's hash-chained log will provide it."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class AuditSink(Protocol):
    def append(self, action: str, actor: str, recording_id: str | None, reason: str, details: dict[str, Any]) -> None:
        """Record one event durably; raise when it cannot, so the action does not go ahead unrecorded."""
        ...
