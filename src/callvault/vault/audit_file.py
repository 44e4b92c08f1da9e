"""An append-only JSON-lines audit log (DATA_DIR/audit.log) until the catalog's log is wired in."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from callvault.models.errors import VaultError


class JsonlAuditLog:
    """One JSON object per line, appended with O_APPEND and fsynced; the file is 0600."""

    def __init__(self, path: str | Path, clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self.path = Path(path)
        self._clock = clock

    def __repr__(self) -> str:
        return f"JsonlAuditLog({str(self.path)!r})"

    def append(self, action: str, actor: str, recording_id: str | None, reason: str, details: dict[str, Any]) -> None:
        record = {
            "at": self._clock().isoformat(timespec="seconds"),
            "action": action,
            "actor": actor,
            "recording_id": recording_id,
            "reason": reason,
            "details": details,
        }
        line = (json.dumps(record, sort_keys=True, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise VaultError(f"{self.path}: cannot write the audit log ({exc.strerror or exc}); nothing was restored") from None

    def entries(self) -> list[dict[str, Any]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.splitlines() if line.strip()]
