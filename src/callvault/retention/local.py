"""The data folder's plaintext copies of stored artefacts, which expire with them.

A call folder holds the redacted transcript, findings and redacted audio
beside their sealed copies in the vault; when the sweep deletes an object,
its local copy goes too, and when a recording is shredded, its whole folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

LOCAL_COPIES = {
    "redacted_audio": ("redacted.wav",),
    "redacted_transcript": ("transcript.json", "transcript.txt", "transcript.vtt"),
    "findings": ("findings.json",),
}


def remove_local_copy(call_folder: Path | None, kind: str) -> list[str]:
    """Delete ``kind``'s files from the call folder; the names removed."""
    if call_folder is None or not call_folder.is_dir():
        return []
    removed = []
    for name in LOCAL_COPIES.get(kind, ()):
        path = call_folder / name
        if path.exists():
            path.unlink()
            removed.append(name)
    return removed


def remove_call_folder(call_folder: Path | None) -> bool:
    if call_folder is None or not call_folder.is_dir():
        return False
    shutil.rmtree(call_folder)
    return True
