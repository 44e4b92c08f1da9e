"""Where things live in the data folder. One place, so every stage agrees.

DATA_DIR/
  calls/<name>__<id12>/     per recording: redacted outputs only
      transcript.json|txt|vtt   redacted transcript
      findings.json             findings (no raw values)
      events.json, rules.json   consent events and rule results
      redacted.wav              redacted audio
  catalog.db                SQLite catalog (catalog issue)
  vault/                    local object store, key table, key file (vault issue)
  work/inflight/<pid>       which recording each worker process is on (worker issue)
  tmp/                      callvault's own 0700 temp folder: call-folder staging, S3
                            downloads; the only temp folder callvault ever clears
  reports/                  compliance reports (`callvault report`)
"""

from __future__ import annotations

from pathlib import Path

from callvault.models.errors import InputError
from callvault.models.naming import safe_name

CALLS = "calls"
TMP = "tmp"


def temp_dir(data_dir: str | Path) -> Path:
    """callvault's own temp folder (never the system one, which other programs share)."""
    return Path(data_dir) / TMP


def call_dir_name(recording_id: str, call_id: str | None, source_stem: str = "") -> str:
    label = safe_name(call_id) or safe_name(source_stem) or "call"
    return f"{label}__{recording_id[:12]}"


def call_dir(data_dir: str | Path, recording_id: str, call_id: str | None, source_stem: str = "") -> Path:
    return Path(data_dir) / CALLS / call_dir_name(recording_id, call_id, source_stem)


def find_call_dir(data_dir: str | Path, call: str) -> Path:
    """Resolve CALL (a call id, a recording id or its prefix, or a folder name) to its folder."""
    root = Path(data_dir) / CALLS
    wanted = safe_name(call)
    matches = []
    if root.is_dir() and wanted:
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            label, _, id12 = folder.name.rpartition("__")
            if folder.name == wanted or label == wanted or (len(wanted) >= 6 and (id12.startswith(wanted[:12]))):
                matches.append(folder)
    if not matches:
        raise InputError(call, f"no processed call with that id in {root}; run `callvault process` first or check the id")
    if len(matches) > 1:
        raise InputError(call, f"ambiguous: matches {', '.join(m.name for m in matches)}; give more of the recording id")
    return matches[0]
