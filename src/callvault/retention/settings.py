"""The ``[retention]`` table of the config file, and which policy is in force.

::

    [retention]
    policy = "/etc/callvault/retention.toml"   # default: DATA_DIR/retention.toml, else the built-in policy
    lease_seconds = 900                        # a crashed sweep's lease lapses after this
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from callvault.config import AppConfig
from callvault.models.errors import ConfigError
from callvault.retention.policy import RetentionPolicy, default_policy, load_policy
from callvault.retention.sweep import DEFAULT_LEASE_SECONDS

POLICY_NAME = "retention.toml"


@dataclass(frozen=True)
class RetentionSettings:
    policy: Path | None = None  # None: DATA_DIR/retention.toml when present, else built in
    lease_seconds: float = DEFAULT_LEASE_SECONDS

    @classmethod
    def from_config(cls, config: AppConfig) -> "RetentionSettings":
        table = dict(config.table("retention"))
        unknown = sorted(set(table) - {"policy", "lease_seconds"})
        if unknown:
            raise ConfigError(f"{config.source}: unknown [retention] setting(s) {', '.join(unknown)}; known: lease_seconds, policy")
        policy = table.get("policy")
        if policy is not None and (not isinstance(policy, str) or not policy):
            raise ConfigError(f"{config.source}: [retention] policy must be the path of a retention.toml")
        lease = table.get("lease_seconds", DEFAULT_LEASE_SECONDS)
        if isinstance(lease, bool) or not isinstance(lease, (int, float)) or lease < 30:
            raise ConfigError(f"{config.source}: [retention] lease_seconds must be a number of seconds, at least 30")
        path = Path(policy).expanduser() if policy else Path(config.data_dir) / POLICY_NAME
        return cls(path if policy or path.exists() else None, float(lease))


def policy_in_force(config: AppConfig, override: str | Path | None = None) -> RetentionPolicy:
    """``override`` when given, else the configured policy, else ``DATA_DIR/retention.toml``, else the built-in one."""
    if override:
        return load_policy(override)
    settings = RetentionSettings.from_config(config)
    return load_policy(settings.policy) if settings.policy else default_policy()
