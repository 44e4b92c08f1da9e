"""Leak scanning: did a card number, SSN or CVV survive into any file, in digits or in words?

Spoken numbers in each file are normalised to digits ("four one one one ..."
-> 4111...) before scanning, so a value read out in words is caught too.
Clock times and decimals (timestamps in VTT, JSON times) are ignored, and in
JSON only strings and long integers are read, so metadata numbers do not
raise false alarms. A Leak names the file, the kind and the line; never the
value.

``guard_outputs`` is the last line of defence of the pipeline: it runs over
every text artefact of a call and over its metadata (ids, tags, source path)
BEFORE anything is written, sealed or catalogued, and refuses the recording
with the artefact and class of each hit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from callvault.models.errors import CallvaultError
from callvault.redact.spoken import NumberRun, SpokenText, luhn_ok

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a", ".aac", ".wma", ".amr")
_TIMES = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\b|(?<![\d.])\d+\.\d+(?![.\d])")
_CVV_CUES = re.compile(r"\b(security code|cvv2?|cvc2?|cid|on the back|on the front|verification (?:code|value)|the code)\b", re.I)
_SSN_CUES = re.compile(r"\b(social|ssn)\b", re.I)
# Nine or more digits, allowing one space or dash between them: an SSN, a card, phone or
# account number, or two of them run together by the ASR. Redacted turn text never holds
# one; the catalog refuses it (catalog.record) and the guard refuses it first, so that a
# call is refused before its folder is written or its objects sealed, not after.
LONG_NUMBER = re.compile(r"\d(?:[ -]?\d){8,}")
# The artefact that holds every redacted turn's text, one turn a line (and nothing else with digits runs).
TURN_TEXT_ARTEFACT = "transcript.txt"


@dataclass(frozen=True)
class Leak:
    path: str
    kind: str  # "PAN" (Luhn-valid 13-19 digits), "SSN", "VALUE" (a given secret)
    line: int  # line of the scanned text; in JSON, the n-th key or string value


@dataclass(frozen=True)
class SensitiveValues:
    """Digit strings from an input that must not reappear in outputs."""

    pans: frozenset[str] = frozenset()
    ssns: frozenset[str] = frozenset()
    cvvs: frozenset[str] = frozenset()

    @property
    def all(self) -> frozenset[str]:
        return self.pans | self.ssns | self.cvvs


def _runs(text: str) -> list[NumberRun]:
    masked = _TIMES.sub(lambda m: " " * len(m.group()), text)
    return list(SpokenText.parse(masked).runs)


def _group_sequences(run: NumberRun, min_len: int, max_len: int) -> Iterator[str]:
    """Digit strings of consecutive whole groups of a run, of length min_len..max_len."""
    groups = run.groups
    for i in range(len(groups)):
        digits = ""
        for j in range(i, len(groups)):
            digits += groups[j].digits
            if len(digits) > max_len:
                break
            if len(digits) >= min_len:
                yield digits


def _ssn_shaped(digits: str) -> bool:
    return len(digits) == 9 and digits[:3] not in ("000", "666") and digits[0] != "9" and digits[3:5] != "00" and digits[5:] != "0000"


def sensitive_values(text: str) -> SensitiveValues:
    """What an input holds: Luhn-valid 13-19 digit sequences, SSN-shaped numbers near "social"
    or written 3-2-4, and 3-4 digit numbers right after a CVV cue."""
    pans, ssns, cvvs = set(), set(), set()
    for run in _runs(text):
        for digits in _group_sequences(run, 13, 19):
            if luhn_ok(digits) and len(set(digits)) > 1:
                pans.add(digits)
        before = text[max(0, run.start - 80) : run.start]
        for digits in _group_sequences(run, 9, 9):
            written = [len(g.digits) for g in run.groups] == [3, 2, 4]
            if _ssn_shaped(digits) and (written or _SSN_CUES.search(before)):
                ssns.add(digits)
        if len(run.digits) in (3, 4) and _CVV_CUES.search(before[-60:]):
            cvvs.add(run.digits)
        for part in run.line_parts():
            if len(part.digits) in (3, 4) and _CVV_CUES.search(text[max(0, part.start - 60) : part.start]):
                cvvs.add(part.digits)
    return SensitiveValues(frozenset(pans), frozenset(ssns), frozenset(cvvs))


def scan_text(text: str, values: Iterable[str] = ()) -> list[tuple[str, int]]:
    """(kind, line) for each leak in ``text``: any Luhn-valid 13-19 digit sequence, any
    SSN written 3-2-4, and any of ``values`` (digit strings) said in digits or words."""
    values = {v for v in values if v}
    found: set[tuple[str, int]] = set()
    for run in _runs(text):
        line = text.count("\n", 0, run.start) + 1
        for digits in _group_sequences(run, 13, 19):
            if luhn_ok(digits) and len(set(digits)) > 1:
                found.add(("PAN", line))
        if [len(g.digits) for g in run.groups] == [3, 2, 4] and _ssn_shaped(run.digits):
            found.add(("SSN", line))
        elif _SSN_CUES.search(text[max(0, run.start - 80) : run.start]) and any(_ssn_shaped(d) for d in _group_sequences(run, 9, 9)):
            found.add(("SSN", line))
        for value in values:
            if len(value) >= 7:
                if value in run.digits:
                    found.add(("VALUE", line))
            elif any(seq == value for seq in _group_sequences(run, len(value), len(value))):
                found.add(("VALUE", line))
    return sorted(found, key=lambda k: (k[1], k[0]))


def _json_strings(node, out: list[str]) -> None:
    if isinstance(node, str):
        out.append(node)
    elif isinstance(node, bool) or node is None or isinstance(node, float):
        return
    elif isinstance(node, int):
        if abs(node) >= 10**8:  # long integers could be a card or SSN written as a number
            out.append(str(node))
    elif isinstance(node, dict):
        for key, value in node.items():
            out.append(str(key))
            _json_strings(value, out)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _json_strings(value, out)


def readable_text(path: Path) -> str | None:
    """A file's text to scan: JSON strings, plain text, or printable strings of a binary file."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # e.g. a SQLite catalog: scan its printable runs, as `strings` would
        return "\n".join(m.group().decode("ascii") for m in re.finditer(rb"[\x20-\x7e\t]{4,}", data))
    if path.suffix == ".json":
        try:
            strings: list[str] = []
            _json_strings(json.loads(text), strings)
            return "\n".join(strings)
        except ValueError:
            return text
    return text


def scan_tree(root: str | Path, values: Iterable[str] = (), skip_dirs: Iterable[str] = ("vault",), skip_suffixes: Iterable[str] = AUDIO_SUFFIXES) -> list[Leak]:
    """Every leak in every file under ``root`` (audio and the encrypted vault aside)."""
    root = Path(root)
    values = tuple(values)
    skip_dirs, skip_suffixes = set(skip_dirs), tuple(s.lower() for s in skip_suffixes)
    leaks: list[Leak] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if set(relative.parts[:-1]) & skip_dirs or path.suffix.lower() in skip_suffixes:
            continue
        text = readable_text(path)
        if text is None:
            continue
        leaks.extend(Leak(str(relative), kind, line) for kind, line in scan_text(text, values))
    return leaks


class LeakFound(CallvaultError):
    """A call's outputs or metadata hold a card number, SSN or CVV; nothing of it was kept."""


_GLUED = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])|_|\.(?=[^\W\d_])")


def artefact_text(content: Any) -> str | None:
    """The text a leak could hide in: JSON strings of a document, a text file; None for audio bytes."""
    if isinstance(content, (dict, list)):
        strings: list[str] = []
        _json_strings(content, strings)
        return "\n".join(strings)
    if isinstance(content, str):
        return content
    return None


def scan_metadata(metadata: Any, source: str) -> list[Leak]:
    """Leaks in a recording's metadata and source path, by field: "acct4532..." and "card_4532-..." count.

    Letters glued to digits are split off first, and each path component is
    read on its own, so a dated archive path (2026/03/03/1234567.wav) is no card.
    """
    fields: list[tuple[str, str]] = []
    for name in ("call_id", "agent_id", "account_id"):
        value = getattr(metadata, name, None)
        if value:
            fields.append((f"metadata.{name}", str(value)))
    fields.extend(("metadata.tags", str(t)) for t in getattr(metadata, "tags", ()) or ())
    fields.extend(("source path", part) for part in re.split(r"[/\\]", source) if part)
    leaks = {Leak(where, kind, 1) for where, text in fields for kind, _ in scan_text(_GLUED.sub(" ", text))}
    return sorted(leaks, key=lambda leak: (leak.path, leak.kind))


def guard_outputs(documents: Mapping[str, Any], metadata: Any, source: str, values: Iterable[str] = ()) -> None:
    """Raise LeakFound naming each artefact (or metadata field) and class that holds a leak; never the value."""
    values = tuple(values)
    leaks: list[Leak] = []
    for name, content in documents.items():
        text = artefact_text(content)
        if text is not None:
            leaks.extend(Leak(name, kind, line) for kind, line in scan_text(text, values))
            if name == TURN_TEXT_ARTEFACT:
                leaks.extend(Leak(name, "LONG_NUMBER", text.count("\n", 0, m.start()) + 1) for m in LONG_NUMBER.finditer(text))
    leaks.extend(scan_metadata(metadata, source))
    if leaks:
        where = "; ".join(f"{leak.path} line {leak.line}: {leak.kind}" if not leak.path.startswith(("metadata", "source")) else f"{leak.path}: {leak.kind}" for leak in leaks)
        raise LeakFound(
            f"refused by the leak check ({where}); nothing was written, sealed or catalogued. "
            "Rename the file or fix its metadata, or report the missed detection, then process it again"
        )
