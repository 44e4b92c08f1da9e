"""What the vault needs from an audit log; the catalog's hash-chained ``AuditLog`` provides it."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class AuditSink(Protocol):
    def append(self, action: str, actor: str, recording_id: str | None, reason: str, details: dict[str, Any], *,
               durable: bool = False) -> None:
        """Record one event; raise when it cannot, so the action does not go ahead unrecorded.

        ``durable``: on disk (fsynced) before this returns; restore asks for
        it before any plaintext is written.
        """
        ...
