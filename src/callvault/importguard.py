"""Keeping optional heavy packages out of an import that only probes for them.

presidio-analyzer imports ``transformers`` when it is installed (for an NLP
engine callvault never uses; about 2.9 s of a worker's start on the 2-core
box), and spaCy's thinc imports ``torch`` the same way (about 1.8 s). Both
probe with ``try: import ... except ImportError``, so refusing the import
makes them skip it. ``transformers`` is then never loaded; ``torch`` still
is, later, by the consent-event model and the mono diarizer when they are
used, so for it the refusal only keeps the detector's load from waiting on it.

The refusal holds only in the thread that asked for it and never touches
``sys.modules``: another thread (a mono call's diarizer importing torch
while the detector loads on the prefetch thread) imports normally, and a
package some other code has already loaded is used as it is.
"""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager
from importlib.abc import MetaPathFinder
from typing import Iterator

OPTIONAL_HEAVY = ("torch", "transformers")


class _RefuseInThread(MetaPathFinder):
    def __init__(self, names: tuple[str, ...], thread: int):
        self.names = names
        self.thread = thread

    def find_spec(self, fullname, path=None, target=None):
        if threading.get_ident() == self.thread and fullname.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"{fullname} is not imported here (callvault.importguard)", name=fullname)
        return None


@contextmanager
def without_optional(names: tuple[str, ...] = OPTIONAL_HEAVY) -> Iterator[None]:
    """Imports of ``names`` made by this thread inside the block fail as if the packages were absent."""
    finder = _RefuseInThread(tuple(n for n in names if n not in sys.modules), threading.get_ident())
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
