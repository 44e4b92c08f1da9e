"""The audit log: an append-only, hash-chained record of who did what, and why.

Each entry's ``hash`` is SHA-256 over a canonical JSON of the entry including
``prev_hash``, the hash of the entry before it. Editing an entry breaks its
own hash; deleting, inserting or reordering entries breaks the chain or the
sequence.

A chain alone cannot show a cut tail (a shorter chain is still valid) or a
chain rewritten from some entry on with fresh hashes. So after every commit
the newest ``seq hash`` is appended to a head log outside catalog.db (a
plain append-only file, fsynced, ``audit-head.log`` ``catalog-audit-head.log``
beside the catalog by default); ``verify`` checks every line of it against the chain. Keep that
file where whoever can rewrite catalog.db cannot (another volume,
``chattr +a``, log shipping).

Actors are who asked: the OS account running the process (``os_actor``,
from the uid, never from LOGNAME or USER, which anyone can set), or an
identity the caller vouches for (the web app's signed-in user).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Any, Iterator, Mapping

from callvault.clock import Clock, iso_utc
from callvault.catalog.db import after_commit, write_transaction
from callvault.models.errors import CatalogError

GENESIS = "0" * 64


def head_log_path(catalog: str | Path) -> Path:
    """Where the head log of the catalog at ``catalog`` lives by default: beside it."""
    catalog = Path(catalog)
    return catalog.with_name(f"{catalog.stem}-audit-head.log")


def os_actor() -> str:
    """The OS account running this process, as ``name (uid N)``; from the uid, not the environment."""
    import pwd

    uid = os.getuid()
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid without a passwd entry (containers)
        return f"uid {uid}"
    return f"{name} (uid {uid})"


class HeadLog:
    """An append-only file of ``seq hash`` lines, each fsynced before ``append`` returns."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"HeadLog({str(self.path)!r})"

    def append(self, seq: int, digest: str) -> None:
        created = not self.path.exists()
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, f"{seq} {digest}\n".encode("ascii"))
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:  # the new file's name must survive a power cut too
                dir_fd = os.open(self.path.parent, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
        except OSError as exc:
            raise CatalogError(
                f"{self.path}: cannot append to the audit head log ({exc.strerror or exc}); "
                "check the disk and its permissions; the action was recorded in the catalog"
            ) from None

    def entries(self) -> list[tuple[int, str]]:
        """(seq, hash) of each complete line; a torn last line (a crash mid-write) is left out."""
        try:
            text = self.path.read_text(encoding="ascii", errors="replace")
        except FileNotFoundError:
            return []
        out = []
        for line in text.split("\n")[:-1]:
            seq, _, digest = line.partition(" ")
            out.append((int(seq) if seq.isdigit() else -1, digest))
        return out


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(entry: Mapping[str, Any]) -> str:
    """The hash of an entry: every field but ``hash`` itself, canonically encoded."""
    body = {k: entry[k] for k in ("seq", "at", "action", "actor", "recording_id", "reason", "details", "prev_hash")}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


class AuditLog:
    """Append to, verify and export the catalog's audit trail.

    ``details`` must never hold raw sensitive values: callers put ids, counts,
    kinds and reasons there, the same rule as for logs.
    """

    def __init__(self, conn: sqlite3.Connection, clock: Clock, head_log: HeadLog | None = None):
        self._conn = conn
        self._clock = clock
        self.head_log = head_log
        self._anchored = 0  # newest seq this process wrote to the head log

    def append(self, action: str, actor: str, recording_id: str | None, reason: str, details: dict, *,
               durable: bool = False) -> None:
        """Add one entry; joins the caller's write transaction when one is open (anchored once it commits).

        ``durable``: the entry is on disk (SQLite synchronous FULL, and the
        head log fsynced) before this returns, e.g. before plaintext is restored.
        """
        if self._conn.in_transaction:
            if durable:
                raise CatalogError("a durable audit entry needs its own transaction; append it before opening one")
            self._append(action, actor, recording_id, reason, details)
            after_commit(self._conn, self.anchor)
            return
        if durable:
            self._conn.execute("PRAGMA synchronous = FULL")
        try:
            with write_transaction(self._conn):
                self._append(action, actor, recording_id, reason, details)
        finally:
            if durable:
                self._conn.execute("PRAGMA synchronous = NORMAL")
        self.anchor()

    def anchor(self) -> None:
        """Append the committed head to the head log (after a transaction that appended entries)."""
        if self.head_log is None or self._conn.in_transaction:
            return
        seq, digest = self.head()
        if seq > self._anchored:
            self.head_log.append(seq, digest)
            self._anchored = seq

    def _append(self, action: str, actor: str, recording_id: str | None, reason: str, details: dict) -> None:
        last = self._conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        entry = {
            "seq": (last["seq"] + 1) if last else 1,
            "at": iso_utc(self._clock()),
            "action": str(action),
            "actor": str(actor),
            "recording_id": recording_id,
            "reason": str(reason),
            # Round-trip through JSON so the hashed form is exactly what is stored.
            "details": json.loads(canonical_json(dict(details))),
            "prev_hash": last["hash"] if last else GENESIS,
        }
        self._conn.execute(
            "INSERT INTO audit (seq, at, action, actor, recording_id, reason, details, prev_hash, hash) "
            "VALUES (:seq, :at, :action, :actor, :recording_id, :reason, :details_json, :prev_hash, :hash)",
            {**entry, "details_json": canonical_json(entry["details"]), "hash": entry_hash(entry)},
        )

    def head(self) -> tuple[int, str]:
        """(seq, hash) of the newest entry; (0, GENESIS) when empty. Keep it to detect truncation."""
        row = self._conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        return (row["seq"], row["hash"]) if row else (0, GENESIS)

    def export(self) -> Iterator[dict]:
        """Every entry, oldest first, as the dict its hash was computed over plus ``hash``."""
        for row in self._conn.execute("SELECT * FROM audit ORDER BY seq"):
            entry = dict(row)
            try:
                entry["details"] = json.loads(entry["details"])
            except ValueError:
                pass  # left as text; verify() reports it
            yield entry

    def verify(self, expected_head: tuple[int, str] | None = None) -> list[str]:
        """Problems found, each naming the seq concerned; an empty list means intact."""
        problems: list[str] = []
        prev_seq, prev_hash = 0, GENESIS
        for entry in self.export():
            seq = entry["seq"]
            if not isinstance(entry["details"], dict):
                problems.append(f"seq {seq}: details are not a JSON object (edited)")
            elif entry_hash(entry) != entry["hash"]:
                problems.append(f"seq {seq}: contents do not match its hash (edited)")
            if seq != prev_seq + 1:
                problems.append(f"seq {seq}: follows seq {prev_seq}; entries {prev_seq + 1}..{seq - 1} are missing (deleted)")
            if entry["prev_hash"] != prev_hash:
                problems.append(
                    f"seq {seq}: prev_hash does not match the hash of seq {prev_seq} "
                    "(an entry was deleted, inserted or reordered)"
                )
            prev_seq, prev_hash = seq, entry["hash"]
        problems.extend(self._check_head_log(prev_seq))
        if expected_head is not None and expected_head[0] > 0:
            want_seq, want_hash = expected_head
            row = self._conn.execute("SELECT hash FROM audit WHERE seq = ?", (want_seq,)).fetchone()
            if row is None:
                problems.append(f"seq {want_seq}: the expected head is missing (the log was truncated)")
            elif row["hash"] != want_hash:
                problems.append(f"seq {want_seq}: hash differs from the expected head (rewritten)")
        return problems

    def _check_head_log(self, newest: int) -> list[str]:
        if self.head_log is None:
            return []
        anchors = self.head_log.entries()
        if not anchors:
            return [f"the head log {self.head_log.path} is missing or empty, so a cut tail cannot be ruled out"] if newest else []
        problems = []
        highest = max(seq for seq, _ in anchors)
        if highest > newest:
            problems.append(
                f"seq {highest}: in the head log but the catalog ends at seq {newest} (the tail was cut)"
            )
        hashes = {row[0]: row[1] for row in self._conn.execute("SELECT seq, hash FROM audit")}
        bad = sorted({seq for seq, digest in anchors if seq in hashes and hashes[seq] != digest})
        if bad:
            problems.append(
                f"seq {bad[0]}: hash differs from the head log ({len(bad)} anchor(s) differ: the chain was rewritten)"
            )
        if any(seq < 1 or len(digest) != 64 for seq, digest in anchors):
            problems.append(f"the head log {self.head_log.path} holds malformed lines (edited)")
        return problems
