"""Keyrings wrap recording keys: a local key file (versioned keys) or AWS KMS.

A keyring never sees object data; it only generates, wraps and unwraps the
32-byte recording keys that the key table stores. Key material stays out of
every repr, log line and error message.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import stat
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from callvault.fsutil import atomic_write_json
from callvault.models.errors import ConfigError, IntegrityError, VaultError
from callvault.vault.format import KEY_BYTES, NONCE_BYTES, canonical_context

KEYRING_FORMAT = "callvault-keyring"
KEYRING_VERSION = 1
_WRAP_LABEL = b"callvault keyring v1\0"


@dataclass(frozen=True)
class WrappedKey:
    """A recording key as the key table keeps it: which keyring key wrapped it, and the blob."""

    wrapping_key_id: str
    blob: bytes = field(repr=False)


class Keyring(Protocol):
    kind: str  # "local" | "kms"

    def current_key_id(self) -> str: ...

    def new_recording_key(self, context: Mapping[str, str]) -> tuple[bytes, WrappedKey]: ...

    def wrap(self, key: bytes, context: Mapping[str, str]) -> WrappedKey: ...

    def unwrap(self, wrapped: WrappedKey, context: Mapping[str, str]) -> bytes: ...

    def rotate(self) -> str: ...

    def retire(self, needed: set[str], grace: timedelta) -> list[str]: ...


class LocalKeyring:
    """Versioned AES-256 keys in a 0600 JSON file, created on first use.

    File: ``{"format": "callvault-keyring", "version": 1, "current": ID,
    "keys": [{"id", "created_at", "key": base64}]}``. ``rotate`` appends a key
    and makes it current; older keys stay so that what they wrapped still opens,
    until ``retire`` removes those nothing needs any more. A change to the file
    by another process (a rotation) is picked up before the next wrap.
    """

    kind = "local"

    def __init__(self, path: str | Path, *, clock: Callable[[], datetime], randbytes: Callable[[int], bytes] = os.urandom):
        self.path = Path(path)
        self._clock = clock
        self._randbytes = randbytes
        self._keys: dict[str, bytes] | None = None
        self._current: str | None = None
        self._stamp: tuple[int, int, int] | None = None  # the file as loaded: inode, mtime, size

    def __repr__(self) -> str:
        return f"LocalKeyring({str(self.path)!r})"

    # -- file handling -------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _read(self) -> dict[str, Any] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(
                f"{self.path}: keyring file is accessible by other users (mode {stat.S_IMODE(st.st_mode):04o}); "
                f"run `chmod 600 {self.path}` and check who may have read it"
            )
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            if doc.get("format") != KEYRING_FORMAT or doc.get("version") != KEYRING_VERSION:
                raise ValueError("unknown format")
            keys = {k["id"]: base64.b64decode(k["key"], validate=True) for k in doc["keys"]}
            if doc["current"] not in keys or any(len(v) != KEY_BYTES for v in keys.values()):
                raise ValueError("inconsistent")
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            raise ConfigError(f"{self.path}: not a valid callvault keyring file; restore it from backup") from None
        return doc

    def _load(self, doc: dict[str, Any]) -> None:
        self._keys = {k["id"]: base64.b64decode(k["key"]) for k in doc["keys"]}
        self._current = doc["current"]
        self._stamp = self._file_stamp()

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _new_entry(self, number: int) -> dict[str, str]:
        return {
            "id": f"local-{number}-{self._randbytes(4).hex()}",
            "created_at": self._clock().isoformat(timespec="seconds"),
            "key": base64.b64encode(self._randbytes(KEY_BYTES)).decode("ascii"),
        }

    def _ensure(self, create: bool) -> bool:
        """Load the file; create it (one key) when missing and ``create``. False when absent."""
        if self._keys is not None and self._stamp == self._file_stamp():
            return True
        doc = self._read()
        if doc is None:
            if not create:
                return False
            with self._locked():
                doc = self._read()
                if doc is None:
                    entry = self._new_entry(1)
                    doc = {"format": KEYRING_FORMAT, "version": KEYRING_VERSION, "current": entry["id"], "keys": [entry]}
                    atomic_write_json(self.path, doc, mode=0o600)
        self._load(doc)
        return True

    # -- keyring API ---------------------------------------------------
    def key_ids(self) -> list[str]:
        return list(self._keys) if self._ensure(create=False) else []

    def current_key_id(self) -> str:
        self._ensure(create=True)
        assert self._current is not None
        return self._current

    def rotate(self) -> str:
        """Add a new key and make it current; returns its id (never the key)."""
        with self._locked():
            doc = self._read()
            if doc is None:
                doc = {"format": KEYRING_FORMAT, "version": KEYRING_VERSION, "current": "", "keys": []}
            entry = self._new_entry(len(doc["keys"]) + 1)
            doc["keys"].append(entry)
            doc["current"] = entry["id"]
            atomic_write_json(self.path, doc, mode=0o600)
        self._load(doc)
        return entry["id"]

    def retire(self, needed: set[str], grace: timedelta) -> list[str]:
        """Remove the keys that wrap nothing any more (ids not in ``needed``); returns their ids.

        The current key always stays, and so does a key replaced less than
        ``grace`` ago: a process that read the file before the rotation may
        be wrapping a new recording key with it right now.
        """
        with self._locked():
            doc = self._read()
            if doc is None:
                return []
            now = self._clock()
            keep, retired = [], []
            for key, successor in zip(doc["keys"], [*doc["keys"][1:], None]):
                replaced_at = _parse_time(successor["created_at"]) if successor else None
                old_enough = replaced_at is not None and replaced_at + grace <= now
                if key["id"] != doc["current"] and key["id"] not in needed and old_enough:
                    retired.append(key["id"])
                else:
                    keep.append(key)
            if retired:
                doc["keys"] = keep
                atomic_write_json(self.path, doc, mode=0o600)
        self._load(doc)
        return retired

    @staticmethod
    def _aad(wrapping_key_id: str, context: Mapping[str, str]) -> bytes:
        return _WRAP_LABEL + wrapping_key_id.encode("ascii") + b"\0" + canonical_context(context)

    def wrap(self, key: bytes, context: Mapping[str, str]) -> WrappedKey:
        kid = self.current_key_id()
        nonce = self._randbytes(NONCE_BYTES)
        assert self._keys is not None
        blob = nonce + AESGCM(self._keys[kid]).encrypt(nonce, key, self._aad(kid, context))
        return WrappedKey(kid, blob)

    def new_recording_key(self, context: Mapping[str, str]) -> tuple[bytes, WrappedKey]:
        key = self._randbytes(KEY_BYTES)
        return key, self.wrap(key, context)

    def unwrap(self, wrapped: WrappedKey, context: Mapping[str, str]) -> bytes:
        if not self._ensure(create=False):
            raise IntegrityError("recording key")
        assert self._keys is not None
        material = self._keys.get(wrapped.wrapping_key_id)
        if material is None:
            # Perhaps a key another process rotated in since this one read the file.
            self._keys = None
            if self._ensure(create=False):
                material = self._keys.get(wrapped.wrapping_key_id)
        if material is None:
            raise IntegrityError("recording key")
        nonce, body = wrapped.blob[:NONCE_BYTES], wrapped.blob[NONCE_BYTES:]
        try:
            return AESGCM(material).decrypt(nonce, body, self._aad(wrapped.wrapping_key_id, context))
        except (InvalidTag, ValueError):
            raise IntegrityError("recording key") from None


def _parse_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None


class KmsKeyring:
    """AWS KMS: GenerateDataKey / Encrypt / Decrypt, always with the encryption context.

    ``key_id`` is a key id, ARN or alias from ``[vault] kms_key_id``. Recording
    keys remember the ARN KMS reports, so ``rewrap`` can tell which ones a
    newly configured key has not wrapped yet.
    """

    kind = "kms"

    def __init__(self, client: Any, key_id: str):
        if not key_id:
            raise ConfigError("[vault] keyring = \"kms\" needs kms_key_id (a key id, ARN or alias/NAME)")
        self._client = client
        self.key_id = key_id
        self._arn: str | None = None

    def __repr__(self) -> str:
        return f"KmsKeyring({self.key_id!r})"

    def _call(self, what: str, **kwargs: Any) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self._client, what)(**kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if what == "decrypt" and code in ("InvalidCiphertextException", "IncorrectKeyException"):
                raise IntegrityError("recording key") from None
            raise VaultError(f"KMS {what} failed ({code or type(exc).__name__}); check kms_key_id, its key policy and the credentials") from None
        except BotoCoreError as exc:
            raise VaultError(f"KMS {what} failed ({type(exc).__name__}); check the endpoint, network and credentials") from None

    def current_key_id(self) -> str:
        if self._arn is None:
            self._arn = self._call("describe_key", KeyId=self.key_id)["KeyMetadata"]["Arn"]
        return self._arn

    def new_recording_key(self, context: Mapping[str, str]) -> tuple[bytes, WrappedKey]:
        resp = self._call("generate_data_key", KeyId=self.key_id, KeySpec="AES_256", EncryptionContext=dict(context))
        return resp["Plaintext"], WrappedKey(resp["KeyId"], resp["CiphertextBlob"])

    def wrap(self, key: bytes, context: Mapping[str, str]) -> WrappedKey:
        resp = self._call("encrypt", KeyId=self.key_id, Plaintext=key, EncryptionContext=dict(context))
        return WrappedKey(resp["KeyId"], resp["CiphertextBlob"])

    def unwrap(self, wrapped: WrappedKey, context: Mapping[str, str]) -> bytes:
        resp = self._call(
            "decrypt", CiphertextBlob=wrapped.blob, KeyId=wrapped.wrapping_key_id, EncryptionContext=dict(context)
        )
        return resp["Plaintext"]

    def retire(self, needed: set[str], grace: timedelta) -> list[str]:
        """Nothing to do here: KMS keeps its key versions; disable an old key in KMS once rewrap moved off it."""
        return []

    def rotate(self) -> str:
        raise ConfigError(
            "KMS rotates key material itself: enable automatic rotation on the key "
            "(`aws kms enable-key-rotation`), or point [vault] kms_key_id at a new key "
            "and run `callvault keys rewrap`"
        )
