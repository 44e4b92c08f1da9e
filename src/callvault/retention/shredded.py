"""A shredded recording stays shredded: processing the same bytes again is refused, and audited.

The recording id is the SHA-256 of the file's bytes, so the check holds for
a rerun with ``--reprocess``, a new PIPELINE_VERSION, or a copy of the file
under another name. The catalog's purged row and the key table's tombstone
each suffice, so a lost catalog row does not bring the recording back.
"""

from __future__ import annotations

from typing import Protocol

from callvault.catalog import Catalog
from callvault.models.recording import Recording

REFUSED_ACTION = "process.refused"


class ShredAware(Protocol):
    def is_shredded(self, recording_id: str) -> bool: ...


def refuse_if_shredded(catalog: Catalog, vault: ShredAware, recording: Recording, pipeline_version: str,
                       actor: str | None = None) -> str | None:
    """The reason to skip ``recording`` when it was shredded (after auditing the refusal); None otherwise.

    ``actor`` defaults to the OS account running the process.
    """
    from callvault.catalog.audit import os_actor

    when = catalog.shredded_at(recording.id)
    if when is None and not vault.is_shredded(recording.id):
        return None
    reason = (
        f"shredded by retention ({when or 'its recording key was destroyed'}); "
        "a shredded recording is never processed or stored again"
    )
    catalog.audit.append(REFUSED_ACTION, actor or os_actor(), recording.id, reason,
                         {"why": "shredded", "pipeline_version": pipeline_version})
    return reason
