"""Turning user-supplied identifiers into safe single path components."""

import re
import unicodedata

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(value: str | None, limit: int = 100) -> str:
    """A call id as one harmless path component, or "" when nothing usable is left.

    Strips path separators, ``..``, control characters and leading dots, so a
    call id can never escape the data folder or hide as a dotfile.
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = _UNSAFE.sub("_", text).strip("._-")
    text = re.sub(r"\.{2,}", "_", text)
    return text[:limit]
