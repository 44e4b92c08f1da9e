"""What a recording is before any stage looks at its speech."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

ROLES = ("agent", "customer", "ivr", "unknown")
DIRECTIONS = ("inbound", "outbound")


@dataclass(frozen=True)
class CallMetadata:
    """Sidecar metadata (``NAME.json`` beside ``NAME.wav``); every field optional."""

    call_id: str | None = None
    direction: str | None = None  # inbound | outbound
    started_at: str | None = None  # ISO 8601, kept as given after validation
    agent_id: str | None = None
    account_id: str | None = None
    customer_states: tuple[str, ...] = ()  # US state codes of the customer's side
    channel_roles: Mapping[int, str] = field(default_factory=dict)  # {0: "agent"}
    tags: tuple[str, ...] = ()
    # Is this a telecom carrier's call (CPNI applies)? None: detect it from the speech.
    carrier: bool | None = None
    # R5: the carrier calling the customer back, and the number it dialled.
    callback: bool | None = None
    customer_number: str | None = None
    # R9: the outbound campaign a supervisor-approval record may cover.
    campaign_id: str | None = None

    def to_dict(self) -> dict:
        return {
            "call_id": self.call_id,
            "direction": self.direction,
            "started_at": self.started_at,
            "agent_id": self.agent_id,
            "account_id": self.account_id,
            "customer_states": list(self.customer_states),
            "channel_roles": {str(k): v for k, v in sorted(self.channel_roles.items())},
            "tags": list(self.tags),
            "carrier": self.carrier,
            "callback": self.callback,
            "customer_number": self.customer_number,
            "campaign_id": self.campaign_id,
        }


@dataclass(frozen=True)
class AudioInfo:
    """What the decoder found in the file."""

    duration: float  # seconds
    channels: int
    sample_rate: int  # of the source file
    codec: str = ""
    sample_width: int = 0  # bytes per sample in the source


@dataclass(frozen=True)
class Recording:
    """One call recording taken in: identity, origin and metadata."""

    id: str  # SHA-256 of the file's bytes, hex
    source: str  # path or URI it came from
    metadata: CallMetadata
    size: int = 0  # bytes

    @property
    def name(self) -> str:
        """A filesystem-safe name for its outputs: the call id when sane, else the id."""
        from callvault.models.naming import safe_name

        return safe_name(self.metadata.call_id) or self.id[:16]
