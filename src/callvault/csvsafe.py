"""CSV cells a spreadsheet will not run: a text cell starting with = + - @, a tab or a CR is a formula to Excel.

A quote is put in front (OWASP's advice for CSV injection); numbers are left
as numbers. Every CSV callvault writes passes its rows through ``safe_rows``.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value``, with a leading ' when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def safe_rows(rows: Iterable[Any]) -> list[Any]:
    """Rows (mappings or sequences) with every cell made safe."""
    return [
        {key: safe_cell(value) for key, value in row.items()} if isinstance(row, Mapping) else [safe_cell(v) for v in row]
        for row in rows
    ]
