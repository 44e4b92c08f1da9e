"""Frozen records shared by every stage. No I/O, no heavy imports."""

from callvault.models.compliance import ConsentEvent, Evidence, RuleResult
from callvault.models.errors import (
    CallvaultError,
    CatalogError,
    ConfigError,
    InputError,
    IntegrityError,
    ModelMissingError,
    RetentionError,
    StoreError,
    VaultError,
)
from callvault.models.findings import Explanation, Finding
from callvault.models.recording import AudioInfo, CallMetadata, Recording
from callvault.models.storage import SealedRef
from callvault.models.timespan import TimeSpan, merge_spans
from callvault.models.transcript import SCHEMA_VERSION, Speaker, Transcript, Turn, Word, WordOffset

__all__ = [
    "AudioInfo", "CallMetadata", "CallvaultError", "CatalogError", "ConfigError", "ConsentEvent", "Evidence",
    "Explanation", "Finding", "InputError", "IntegrityError", "ModelMissingError", "Recording", "RetentionError",
    "RuleResult", "SCHEMA_VERSION", "SealedRef", "Speaker", "StoreError", "TimeSpan", "Transcript", "Turn",
    "VaultError", "Word", "WordOffset", "merge_spans",
]
