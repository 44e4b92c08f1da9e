"""The ``[vault]`` table of the config file.

::

    [vault]
    store = "local"              # or "s3"
    path = "/srv/callvault/objects"   # local store root (default DATA_DIR/vault/objects)
    s3_bucket = "calls"          # store = "s3"
    s3_prefix = "prod/"
    s3_endpoint = "https://minio.internal:9000"   # omit for AWS S3
    s3_region = "eu-west-1"
    keyring = "local"            # or "kms"
    keyring_dir = "/mnt/keys/callvault"   # local keyring.json here, off the data volume (default DATA_DIR/vault)
    kms_key_id = "alias/callvault"
    kms_endpoint = "..."         # omit for AWS KMS
    kms_region = "eu-west-1"     # default: s3_region
    object_lock_mode = "GOVERNANCE"   # or "COMPLIANCE"
    object_lock_days = 2555      # retain-until default when no expiry is given
    tenant = "default"           # bound into every object's encryption context
    frame_size = 1048576         # plaintext bytes per frame
    part_size = 16777216         # multipart part size (>= 5 MiB)
    max_attempts = 5             # tries per S3 call before giving up
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from callvault.config import AppConfig
from callvault.models.errors import ConfigError
from callvault.models.naming import safe_name
from callvault.vault.format import DEFAULT_FRAME_SIZE, MAX_FRAME_SIZE

VAULT_DIR = "vault"


@dataclass(frozen=True)
class VaultSettings:
    data_dir: Path
    store: str = "local"
    path: Path | None = None
    s3_bucket: str = ""
    s3_prefix: str = ""
    s3_endpoint: str | None = None
    s3_region: str | None = None
    keyring: str = "local"
    keyring_dir: Path | None = None
    kms_key_id: str = ""
    kms_endpoint: str | None = None
    kms_region: str | None = None
    object_lock_mode: str = "GOVERNANCE"
    object_lock_days: int | None = None
    tenant: str = "default"
    frame_size: int = DEFAULT_FRAME_SIZE
    part_size: int = 16 << 20
    max_attempts: int = 5

    @property
    def vault_dir(self) -> Path:
        return self.data_dir / VAULT_DIR

    @property
    def keyring_path(self) -> Path:
        """The local keyring file: in ``keyring_dir`` when set, so a copy of the data volume cannot open the vault."""
        return (self.keyring_dir or self.vault_dir) / "keyring.json"

    @property
    def local_root(self) -> Path:
        return self.path or self.vault_dir / "objects"

    @classmethod
    def from_config(cls, config: AppConfig, **overrides: Any) -> "VaultSettings":
        """Parse ``[vault]``; ``overrides`` (e.g. ``s3_endpoint`` from a flag) win when not None."""
        table: dict[str, Any] = dict(config.table("vault"))
        table.update({k: v for k, v in overrides.items() if v is not None})
        names = {f.name for f in fields(cls)} - {"data_dir"}
        unknown = sorted(set(table) - names)
        if unknown:
            raise ConfigError(f"{config.source}: unknown [vault] setting(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}")
        s = cls(data_dir=Path(config.data_dir), **{k: _coerce(config.source, k, v) for k, v in table.items()})
        s._validate(config.source)
        return s

    def _validate(self, source: str) -> None:
        def bad(msg: str) -> ConfigError:
            return ConfigError(f"{source}: [vault] {msg}")

        if self.store not in ("local", "s3"):
            raise bad(f'store must be "local" or "s3", got {self.store!r}')
        if self.store == "s3" and not self.s3_bucket:
            raise bad('store = "s3" needs s3_bucket')
        if self.keyring not in ("local", "kms"):
            raise bad(f'keyring must be "local" or "kms", got {self.keyring!r}')
        if self.keyring == "kms" and not self.kms_key_id:
            raise bad('keyring = "kms" needs kms_key_id (a key id, ARN or alias/NAME)')
        if self.object_lock_mode not in ("GOVERNANCE", "COMPLIANCE"):
            raise bad(f'object_lock_mode must be "GOVERNANCE" or "COMPLIANCE", got {self.object_lock_mode!r}')
        if self.object_lock_days is not None and self.object_lock_days < 1:
            raise bad("object_lock_days must be at least 1")
        if not 4096 <= self.frame_size <= MAX_FRAME_SIZE:
            raise bad(f"frame_size must be 4096..{MAX_FRAME_SIZE} bytes")
        if self.part_size < 5 << 20:
            raise bad("part_size must be at least 5242880 bytes (S3's minimum part)")
        if self.max_attempts < 1:
            raise bad("max_attempts must be at least 1")
        if not self.tenant or safe_name(self.tenant) != self.tenant:
            raise bad(f"tenant must be letters, digits, '.', '_' or '-', got {self.tenant!r}")


def _coerce(source: str, name: str, value: Any) -> Any:
    if name in ("path", "keyring_dir"):
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{source}: [vault] {name} must be a folder path")
        return Path(value).expanduser()
    if name in ("object_lock_days", "frame_size", "part_size", "max_attempts"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"{source}: [vault] {name} must be an integer, got {value!r}")
        return value
    if not isinstance(value, str):
        raise ConfigError(f"{source}: [vault] {name} must be a string, got {value!r}")
    return value

