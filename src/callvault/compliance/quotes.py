"""Redacted quotes: evidence text with every finding replaced by its [ENTITY] placeholder.

Kept here as one small pure function so compliance never depends on the
redact package's internals: events and rule evidence are built from the raw
transcript's offsets, and only the redacted form ever leaves this module.
"""

from __future__ import annotations

from typing import Sequence

from callvault.models.findings import Finding

MAX_QUOTE = 280


def redact_span(text: str, start: int, end: int, findings: Sequence[Finding], limit: int = MAX_QUOTE) -> str:
    """``text[start:end]`` with each overlapping finding replaced by ``[ENTITY]``.

    A finding that only partly overlaps the span is still replaced whole, so a
    quote never carries half a card number. Long quotes are cut *after*
    redaction, so the cut cannot expose a value either.
    """
    start, end = max(0, start), min(len(text), end)
    spans = sorted((f.char_start, f.char_end, f.entity) for f in findings if f.char_end > start and f.char_start < end)
    pieces, pos = [], start
    for f_start, f_end, entity in spans:
        if f_end <= pos:
            continue
        if f_start > pos:
            pieces.append(text[pos:f_start])
        if not pieces or pieces[-1] != f"[{entity}]":
            pieces.append(f"[{entity}]")
        pos = max(pos, f_end)
    if pos < end:
        pieces.append(text[pos:end])
    quote = " ".join("".join(pieces).split())
    return quote if len(quote) <= limit else quote[: limit - 1].rstrip() + "…"
