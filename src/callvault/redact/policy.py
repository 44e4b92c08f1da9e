"""The redaction policy: what to do with each entity, read from the ``[redact]`` config table.

```toml
[redact]
audio = "tone"        # or "silence": what replaces a redacted span in the audio
margin = 0.25         # seconds of padding around each span in the audio
pci_scrub = true      # silence CVV and PIN spans also in the stored original
min_score = 0.3

[redact.entities]     # redact | mask (keep last four, PCI DSS 3.4.1) | keep
PAN = "mask"
SERVICE_PLAN = "keep"
```

Defaults follow the domain spec: everything found is redacted, PAN masked to
its last four; payment data and secrets can never be kept, and CVV and
secrets never masked (their last four would be all of them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from callvault.models import ConfigError
from callvault.models.entities import DEFAULT_ACTIONS, ENTITY_NAMES, NEVER_KEPT, NEVER_MASKED, PCI_SCRUB

ACTIONS = ("redact", "mask", "keep")
AUDIO_MODES = ("tone", "silence")
# What may be kept, masked or scrubbed comes from the one entity registry.
KNOWN_ENTITIES = frozenset(ENTITY_NAMES)


@dataclass(frozen=True)
class RedactionPolicy:
    actions: Mapping[str, str] = field(default_factory=lambda: DEFAULT_ACTIONS)
    default_action: str = "redact"
    margin: float = 0.25
    audio_mode: str = "tone"
    pci_scrub: bool = True
    scrub_entities: tuple[str, ...] = PCI_SCRUB
    min_score: float = 0.3

    def __post_init__(self):
        object.__setattr__(self, "actions", MappingProxyType(dict(self.actions)))
        for entity, action in self.actions.items():
            _check_action(entity, action)
        if self.default_action not in ("redact", "mask"):
            raise ConfigError(f"[redact] default must be 'redact' or 'mask', not {self.default_action!r}")
        if self.audio_mode not in AUDIO_MODES:
            raise ConfigError(f"[redact] audio must be one of {', '.join(AUDIO_MODES)}, not {self.audio_mode!r}")
        if not 0.0 <= self.margin <= 5.0:
            raise ConfigError(f"[redact] margin must be between 0 and 5 seconds, not {self.margin!r}")

    def action(self, entity: str) -> str:
        action = self.actions.get(entity, self.default_action)
        return "redact" if action == "mask" and entity in NEVER_MASKED else action

    @property
    def warnings(self) -> tuple[str, ...]:
        """Settings that are allowed but weaken protection; the caller shows them."""
        found = []
        if not self.pci_scrub:
            found.append(
                "[redact] pci_scrub is off: CVV and PIN audio will be stored in the original recording, "
                "which PCI DSS 3.3.1 forbids; turn it back on unless a documented compensating control applies"
            )
        kept = sorted(e for e, a in self.actions.items() if a == "keep")
        if kept:
            found.append(f"[redact] kept in plain text by policy: {', '.join(kept)}")
        return tuple(found)

    def describe(self) -> dict[str, Any]:
        return {
            "entities": dict(sorted(self.actions.items())),
            "default": self.default_action,
            "margin": self.margin,
            "audio": self.audio_mode,
            "pci_scrub": self.pci_scrub,
            "scrub_entities": list(self.scrub_entities),
            "min_score": self.min_score,
        }

    @classmethod
    def from_table(cls, table: Mapping[str, Any] | None) -> "RedactionPolicy":
        """The policy from the ``[redact]`` TOML table; ConfigError naming the bad key."""
        table = dict(table or {})
        known = {"entities", "default", "margin", "audio", "pci_scrub", "scrub_entities", "min_score"}
        unknown = sorted(set(table) - known)
        if unknown:
            raise ConfigError(f"[redact] unknown setting(s) {', '.join(unknown)}; use {', '.join(sorted(known))}")
        entities = table.get("entities", {})
        if not isinstance(entities, Mapping):
            raise ConfigError("[redact.entities] must be a table of ENTITY = \"redact\" | \"mask\" | \"keep\"")
        actions = dict(DEFAULT_ACTIONS)
        actions.update({str(k).upper(): str(v).lower() for k, v in entities.items()})
        try:
            return cls(
                actions=actions,
                default_action=str(table.get("default", "redact")).lower(),
                margin=float(table.get("margin", 0.25)),
                audio_mode=str(table.get("audio", "tone")).lower(),
                pci_scrub=_bool(table.get("pci_scrub", True), "pci_scrub"),
                scrub_entities=tuple(str(e).upper() for e in table.get("scrub_entities", PCI_SCRUB)),
                min_score=float(table.get("min_score", 0.3)),
            )
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"[redact] invalid value ({exc}); see the [redact] example in the docs") from None


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ConfigError(f"[redact] {name} must be true or false, not {value!r}")


def _check_action(entity: str, action: str) -> None:
    if entity not in KNOWN_ENTITIES:
        raise ConfigError(f"[redact.entities] unknown entity {entity!r}; known: {', '.join(sorted(KNOWN_ENTITIES))}")
    if action not in ACTIONS:
        raise ConfigError(f"[redact.entities] {entity} = {action!r}: use one of {', '.join(ACTIONS)}")
    if action == "keep" and entity in NEVER_KEPT:
        raise ConfigError(
            f"[redact.entities] {entity} = \"keep\" is not allowed: payment card data and secrets are always "
            "removed (PCI DSS 3.3.1, 3.4.1); use \"redact\"" + (" or \"mask\"" if entity not in NEVER_MASKED else "")
        )
    if action == "mask" and entity in NEVER_MASKED:
        raise ConfigError(f"[redact.entities] {entity} = \"mask\" is not allowed: its last four digits would reveal it; use \"redact\"")


DEFAULT_POLICY = RedactionPolicy()
