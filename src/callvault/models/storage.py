"""References to sealed objects in a store."""

from __future__ import annotations

from dataclasses import dataclass

OBJECT_KINDS = ("original", "transcript", "findings", "redacted_audio", "redacted_transcript")


@dataclass(frozen=True)
class SealedRef:
    recording_id: str
    kind: str  # one of OBJECT_KINDS
    store: str  # "local:/path" or "s3://bucket/prefix"
    key: str  # object key inside the store
    key_id: str  # recording key id (rk-...) whose key wraps this object's data key
    sha256: str  # of the ciphertext
    size: int  # ciphertext bytes
    created_at: str  # ISO 8601 UTC
    expires_at: str | None = None  # None = keep forever
