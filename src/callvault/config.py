"""The TOML config file: one table per stage, read once at the CLI edge.

Each stage parses its own table into its own options object; this module only
finds and reads the file, so no stage ever reads the environment or disk for
settings by itself (``[intake]`` -> recorder.intake.IntakeLimits,
``[redact]`` -> RedactionPolicy, ``[vault]`` -> VaultSettings, ...).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from callvault.models.errors import ConfigError

DEFAULT_DATA_DIR = "callvault-data"
CONFIG_NAME = "callvault.toml"


@dataclass(frozen=True)
class AppConfig:
    """Where callvault keeps its state and the raw per-stage tables."""

    data_dir: Path
    tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    source: str = "(defaults)"

    def table(self, name: str) -> Mapping[str, Any]:
        value = self.tables.get(name, {})
        if not isinstance(value, Mapping):
            raise ConfigError(f"{self.source}: [{name}] must be a table")
        return value


def load_config(data_dir: str | Path, config_path: str | Path | None = None) -> AppConfig:
    """Read ``config_path``, else ``DATA_DIR/callvault.toml`` when present, else defaults."""
    data_dir = Path(data_dir)
    path = Path(config_path) if config_path else data_dir / CONFIG_NAME
    if not path.exists():
        if config_path:
            raise ConfigError(f"{path}: config file not found; pass an existing file to --config")
        return AppConfig(data_dir=data_dir)
    try:
        tables = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not a valid TOML config ({exc}); fix the file or remove it") from None
    return AppConfig(data_dir=data_dir, tables=tables, source=str(path))
