"""The vault's safe recipes: seal and store, open, verify, restore (audited), shred, delete.

Two levels of keys. Each recording has one recording key, wrapped by the
keyring and kept in the key table (DATA_DIR/vault/keys.db). Each stored object
has its own data key, wrapped under the recording key inside the object's
header (see :mod:`callvault.vault.format`). Deleting the recording key's row
(:meth:`Vault.shred`) makes every copy of every object of that recording
unreadable; rotating the keyring and re-wrapping recording keys never touches
stored objects.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator, Protocol

from callvault.clock import system_clock
from callvault.fsutil import atomic_output
from callvault.tempnames import tag
from callvault.config import AppConfig
from callvault.models.errors import ConfigError, InputError, IntegrityError, VaultError
from callvault.models.naming import safe_name
from callvault.models.storage import OBJECT_KINDS, SealedRef
from callvault.vault.audit import AuditSink
from callvault.vault.format import DEFAULT_FRAME_SIZE, Header, open_sealed, seal
from callvault.vault.keyring import Keyring, KmsKeyring, LocalKeyring, WrappedKey
from callvault.vault.keytable import KeyRow, KeyTable
from callvault.vault.settings import VaultSettings
from callvault.vault.stores import LocalStore, ObjectStore, S3Store

Clock = Callable[[], datetime]
Source = str | os.PathLike | BinaryIO
_KEY_CACHE = 256
RETIRE_GRACE = timedelta(minutes=10)  # a rotated-out key stays this long: others may still wrap with it


def _os_actor() -> str:
    from callvault.catalog.audit import os_actor  # the catalog loads only when an action is audited

    return os_actor()


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _as_utc(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise VaultError(f"expires_at {value!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise VaultError("expires_at must carry a time zone (UTC recommended)")
    return value.astimezone(timezone.utc)


class ShreddedError(IntegrityError):
    """The object's recording key was destroyed on purpose (crypto-shredded)."""

    def __init__(self, what: str = "object", *, sealing: bool = False):
        if sealing:
            message = (
                f"{what} was crypto-shredded (e.g. by the retention sweep), so it is never stored again; "
                "nothing was sealed. This is permanent by design."
            )
        else:
            message = (
                f"{what} cannot be opened: its recording's key was destroyed (crypto-shredded, "
                "e.g. by the retention sweep). This is permanent by design."
            )
        VaultError.__init__(self, message)


class _HashingWriter:
    def __init__(self, raw: BinaryIO):
        self._raw = raw
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: Any) -> int:
        self.hash.update(data)
        self.size += len(data)
        return self._raw.write(data)


class _HashingReader:
    def __init__(self, raw: BinaryIO):
        self._raw = raw
        self.hash = hashlib.sha256()
        self.size = 0

    def readinto(self, view: memoryview) -> int:
        if hasattr(self._raw, "readinto"):
            n = self._raw.readinto(view) or 0
        else:
            data = self._raw.read(len(view))
            n = len(data)
            view[:n] = data
        self.hash.update(view[:n])
        self.size += n
        return n

    def read(self, n: int) -> bytes:
        data = self._raw.read(n)
        self.hash.update(data)
        self.size += len(data)
        return data


@contextlib.contextmanager
def _open_source(source: Source) -> Iterator[BinaryIO]:
    if isinstance(source, (str, os.PathLike)):
        try:
            handle = open(source, "rb", buffering=0)
        except OSError as exc:
            raise InputError(source, f"cannot read it ({exc.strerror or exc}); check the path") from None
        with handle:
            yield handle  # type: ignore[misc]
    else:
        yield source


class RefIndex(Protocol):
    """Where the refs of stored objects are kept: the catalog (``callvault.catalog.objects.CatalogRefs``)."""

    audit: AuditSink

    def record(self, ref: SealedRef) -> None: ...

    def list(self, recording_prefix: str = "") -> list[SealedRef]: ...

    def close(self) -> None: ...


class Vault:
    """Envelope-encrypted objects in one store, keys from one keyring, for one tenant."""

    def __init__(
        self,
        *,
        store: ObjectStore,
        keyring: Keyring,
        keys: KeyTable,
        spool_dir: str | Path,
        refs: RefIndex | None = None,
        tenant: str = "default",
        clock: Clock = system_clock,
        randbytes: Callable[[int], bytes] = os.urandom,
        frame_size: int = DEFAULT_FRAME_SIZE,
    ):
        self.store = store
        self.keyring = keyring
        self.keys = keys
        self.refs_index = refs
        self.tenant = tenant
        self.spool_dir = Path(spool_dir)
        self.frame_size = frame_size
        self._clock = clock
        self._randbytes = randbytes
        self._key_cache: dict[str, bytes] = {}

    def __repr__(self) -> str:
        return f"Vault(store={self.store.url!r}, keyring={self.keyring!r}, tenant={self.tenant!r})"

    def __enter__(self) -> "Vault":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._key_cache.clear()
        self.keys.close()
        if self.refs_index is not None:
            self.refs_index.close()

    # -- names and contexts ------------------------------------------------
    def context(self, recording_id: str, kind: str) -> dict[str, str]:
        """The encryption context bound into an object's header and checked on open."""
        return {"kind": kind, "recording_id": recording_id, "tenant": self.tenant}

    @staticmethod
    def _key_context(recording_id: str, tenant: str, key_id: str) -> dict[str, str]:
        return {"purpose": "callvault-recording-key", "recording_id": recording_id, "tenant": tenant, "key_id": key_id}

    def object_key(self, recording_id: str, kind: str) -> str:
        return f"{self.tenant}/{recording_id}/{kind}.cvlt"

    @staticmethod
    def _check_ids(recording_id: str, kind: str) -> None:
        if kind not in OBJECT_KINDS:
            raise VaultError(f"kind {kind!r} is not one of {', '.join(OBJECT_KINDS)}")
        if not recording_id or safe_name(recording_id) != recording_id:
            raise VaultError(f"recording id {recording_id!r} must be letters, digits, '.', '_' or '-' (the SHA-256 hex)")

    def _check_ref(self, ref: SealedRef) -> None:
        if ref.store != self.store.url:
            raise ConfigError(f"{ref.key} is in {ref.store} but this vault uses {self.store.url}; check [vault] in the config")

    # -- recording keys ------------------------------------------------------
    def _remember(self, key_id: str, key: bytes) -> bytes:
        if len(self._key_cache) >= _KEY_CACHE:
            self._key_cache.pop(next(iter(self._key_cache)))
        self._key_cache[key_id] = key
        return key

    def _unwrap_row(self, row: KeyRow) -> bytes:
        cached = self._key_cache.get(row.key_id)
        if cached is not None:
            return cached
        if row.keyring != self.keyring.kind:
            raise ConfigError(
                f"the key of recording {row.recording_id[:12]} is wrapped by the {row.keyring} keyring, "
                f"but [vault] keyring = {self.keyring.kind!r}; use the keyring it was sealed with"
            )
        context = self._key_context(row.recording_id, row.tenant, row.key_id)
        return self._remember(row.key_id, self.keyring.unwrap(WrappedKey(row.wrapping_key_id, row.wrapped_key), context))

    def _recording_key(self, recording_id: str) -> tuple[str, bytes]:
        """The recording's key id and key, created and wrapped by the keyring on first use."""
        row = self.keys.for_recording(recording_id, self.tenant)
        if row is None:
            if self.keys.recording_shredded(recording_id, self.tenant):
                # Same content hash as a shredded recording: a new key would bring it back.
                raise ShreddedError(f"recording {recording_id[:12]}", sealing=True)
            key_id = "rk-" + self._randbytes(12).hex()
            key, wrapped = self.keyring.new_recording_key(self._key_context(recording_id, self.tenant, key_id))
            row = self.keys.insert_if_absent(
                KeyRow(key_id, recording_id, self.tenant, self.keyring.kind, wrapped.wrapping_key_id, wrapped.blob, iso(self._clock()))
            )
            if row.key_id == key_id:
                return key_id, self._remember(key_id, key)
        return row.key_id, self._unwrap_row(row)

    def _key_for_header(self, header: Header, ref: SealedRef) -> bytes:
        if header.key_id != ref.key_id:
            raise IntegrityError()
        row = self.keys.get(header.key_id)
        if row is None:
            if self.keys.is_shredded(header.key_id):
                raise ShreddedError(f"{ref.kind} of recording {ref.recording_id[:12]}")
            raise IntegrityError()
        if row.recording_id != ref.recording_id or row.tenant != self.tenant:
            raise IntegrityError()
        return self._unwrap_row(row)

    # -- recipes ---------------------------------------------------------------
    def seal_and_put(
        self,
        recording_id: str,
        kind: str,
        source: Source,
        expires_at: datetime | str | None = None,
        *,
        verify: bool = True,
    ) -> SealedRef:
        """Seal ``source`` (a path or a binary stream) and store it; returns its ref.

        The ciphertext is spooled to a 0600 file in DATA_DIR/vault/spool (removed
        on every exit path), uploaded, then, with ``verify`` (the default), read
        back from the store and opened before the ref is returned and indexed.
        Only after this returns may a caller delete its plaintext copy. On any
        error nothing is indexed and the source is untouched.
        """
        self._check_ids(recording_id, kind)
        expires = _as_utc(expires_at)
        key_id, recording_key = self._recording_key(recording_id)
        object_key = self.object_key(recording_id, kind)
        self.spool_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, spool = tempfile.mkstemp(prefix=tag(".seal-"), suffix=".cvlt", dir=self.spool_dir)
        try:
            with os.fdopen(fd, "wb") as raw, _open_source(source) as src:
                out = _HashingWriter(raw)
                seal(
                    src,
                    out,
                    recording_key=recording_key,
                    key_id=key_id,
                    context=self.context(recording_id, kind),
                    randbytes=self._randbytes,
                    frame_size=self.frame_size,
                )
                raw.flush()
                os.fsync(raw.fileno())
            sha256 = out.hash.hexdigest()
            self.store.put_file(object_key, Path(spool), sha256=sha256, size=out.size, retain_until=expires)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(spool)
        ref = SealedRef(
            recording_id=recording_id,
            kind=kind,
            store=self.store.url,
            key=object_key,
            key_id=key_id,
            sha256=sha256,
            size=out.size,
            created_at=iso(self._clock()),
            expires_at=iso(expires) if expires else None,
        )
        if verify:
            self.verify(ref)
        if self.refs_index is not None:
            self.refs_index.record(ref)  # in the catalog before anyone may rely on it
        return ref

    def _open(self, ref: SealedRef, dst: BinaryIO | None) -> int:
        self._check_ref(ref)
        try:
            with self.store.open(ref.key) as (stream, info):
                if info.sha256 != ref.sha256:
                    raise IntegrityError()
                reader = _HashingReader(stream)
                size = open_sealed(
                    reader,  # type: ignore[arg-type]
                    dst,
                    expected_context=self.context(ref.recording_id, ref.kind),
                    recording_key_for=lambda header: self._key_for_header(header, ref),
                )
                if reader.size != ref.size or reader.hash.hexdigest() != ref.sha256:
                    raise IntegrityError()
                return size
        except ShreddedError:
            raise
        except IntegrityError:
            raise IntegrityError(f"{ref.kind} of recording {ref.recording_id[:12]} ({ref.key})") from None

    def open_to(self, ref: SealedRef, dest: str | os.PathLike | BinaryIO) -> int:
        """Decrypt ``ref`` into ``dest``; returns plaintext bytes.

        A path is written as a 0600 temp file beside it and renamed only when
        every frame and the stored checksum check out; a stream receives only
        authenticated frames, but a late failure (the checksum, read at the end)
        leaves it holding a prefix, so pass a path when all-or-nothing matters.
        """
        if not isinstance(dest, (str, os.PathLike)):
            return self._open(ref, dest)
        with atomic_output(dest, mode=0o600) as handle:
            return self._open(ref, handle)

    def verify(self, ref: SealedRef) -> None:
        """Check the stored checksum and that every frame opens, writing no plaintext anywhere."""
        self._open(ref, None)

    def restore(self, ref: SealedRef, out: str | os.PathLike, *, actor: str, reason: str, audit: AuditSink) -> int:
        """Decrypt ``ref`` to a new file ``out`` for an authorised person, audited first.

        The audit entry (who, why, what, where to) is written before any
        plaintext; if it cannot be written nothing is restored. A failure after
        that is audited too.
        """
        if not reason or not reason.strip():
            raise VaultError("a restore needs a reason (--reason); it is kept in the audit log")
        if not actor or not actor.strip():
            raise VaultError("a restore needs an actor (--actor or the OS user)")
        path = Path(out)
        if path.exists():
            raise VaultError(f"{path} already exists; restore to a new path so nothing is overwritten")
        self._check_ref(ref)
        details = {"kind": ref.kind, "store": ref.store, "key": ref.key, "sha256": ref.sha256, "out": str(path.resolve())}
        audit.append("vault.restore", actor, ref.recording_id, reason, details, durable=True)  # on disk before any plaintext
        try:
            return self.open_to(ref, path)
        except BaseException as exc:
            with contextlib.suppress(Exception):
                audit.append("vault.restore_failed", actor, ref.recording_id, reason, {**details, "error": type(exc).__name__})
            raise

    def shred(self, recording_id: str, *, actor: str | None = None, reason: str = "crypto-shred requested",
              audit: AuditSink | None = None) -> int:
        """Destroy the recording's key: every object of the recording becomes unreadable. Returns keys destroyed.

        The intent is audited before the key goes; nothing is destroyed when it cannot be.
        """
        row = self.keys.for_recording(recording_id, self.tenant)
        if row is None:
            return 0
        audit, actor = self._audit(audit), actor or _os_actor()
        details = {"key_id": row.key_id, "tenant": self.tenant, "keyring": row.keyring}
        audit.append("vault.shred", actor, recording_id, reason, details, durable=True)
        self._key_cache.pop(row.key_id, None)
        try:
            return self.keys.shred(recording_id, self.tenant, iso(self._clock()))
        except BaseException as exc:
            with contextlib.suppress(Exception):
                audit.append("vault.shred_failed", actor, recording_id, reason, {**details, "error": type(exc).__name__})
            raise

    def is_shredded(self, recording_id: str) -> bool:
        """Whether the recording's key was crypto-shredded; such a recording is never sealed again."""
        return self.keys.recording_shredded(recording_id, self.tenant)

    def delete(self, ref: SealedRef) -> None:
        """Delete the stored object (every version); Object Lock may refuse with a StoreError."""
        self._check_ref(ref)
        self.store.delete(ref.key)  # its catalog row stays; the caller marks it purged, with its audit entry

    def refs(self, recording_prefix: str = "") -> list[SealedRef]:
        """Live refs in the catalog whose recording id starts with the prefix."""
        return self.refs_index.list(recording_prefix) if self.refs_index is not None else []

    def _audit(self, audit: AuditSink | None) -> AuditSink:
        sink = audit or (self.refs_index.audit if self.refs_index is not None else None)
        if sink is None:
            raise VaultError("this vault has no audit log; pass audit= (the catalog's) so the action is recorded")
        return sink

    # -- keyring maintenance ---------------------------------------------------
    def rotate_keys(self, *, actor: str | None = None, audit: AuditSink | None = None) -> str:
        """Add a new keyring key for new recording keys; returns its id (never the key). Audited."""
        audit, actor = self._audit(audit), actor or _os_actor()
        key_id = self.keyring.rotate()
        audit.append("vault.rotate", actor, None, "keyring key rotated", {"keyring": self.keyring.kind, "current": key_id})
        return key_id

    def rewrap(self, *, actor: str | None = None, audit: AuditSink | None = None) -> int:
        """Re-wrap every recording key under the keyring's newest key; stored objects are untouched.

        Returns how many were re-wrapped. Keys wrapped by another kind of
        keyring are left as they are. Audited, also when it stops part way.
        """
        audit, actor = self._audit(audit), actor or _os_actor()
        try:
            count = self._rewrap()
        except VaultError as exc:
            audit.append("vault.rewrap_failed", actor, None, "re-wrap stopped", {"error": type(exc).__name__})
            raise
        audit.append("vault.rewrap", actor, None, "recording keys re-wrapped",
                     {"keyring": self.keyring.kind, "current": self.keyring.current_key_id(), "rewrapped": count})
        return count

    def retire_keys(self, *, actor: str | None = None, audit: AuditSink | None = None,
                    grace: timedelta = RETIRE_GRACE) -> list[str]:
        """Remove keyring keys no recording key is wrapped by any more (after ``rewrap``, or shreds).

        Returns the retired ids; audited. Keys replaced less than ``grace`` ago stay.
        """
        audit, actor = self._audit(audit), actor or _os_actor()
        needed = {row.wrapping_key_id for row in self.keys.rows() if row.keyring == self.keyring.kind}
        retired = self.keyring.retire(needed, grace)
        if retired:
            audit.append("vault.retire", actor, None, "keyring keys nothing needs were removed",
                         {"keyring": self.keyring.kind, "retired": retired})
        return retired

    def _rewrap(self) -> int:
        current = self.keyring.current_key_id()
        count = 0
        for row in self.keys.rows():
            if row.keyring != self.keyring.kind or row.wrapping_key_id == current:
                continue
            context = self._key_context(row.recording_id, row.tenant, row.key_id)
            try:
                key = self.keyring.unwrap(WrappedKey(row.wrapping_key_id, row.wrapped_key), context)
            except IntegrityError:
                raise VaultError(
                    f"the key of recording {row.recording_id[:12]} could not be unwrapped with this keyring; "
                    f"{count} key(s) were re-wrapped, nothing else changed. Check the keyring, then run it again"
                ) from None
            wrapped = self.keyring.wrap(key, context)
            self.keys.update_wrap(row.key_id, wrapped.wrapping_key_id, wrapped.blob, iso(self._clock()))
            count += 1
        return count


def _boto_client(service: str, endpoint: str | None, region: str | None) -> Any:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    options: dict[str, Any] = {"connect_timeout": 10, "read_timeout": 120}
    if service == "s3":
        options["retries"] = {"total_max_attempts": 1}  # S3Store retries with its own backoff
        if endpoint:
            options["s3"] = {"addressing_style": "path"}
    else:
        options["retries"] = {"mode": "standard", "max_attempts": 4}
    try:
        return boto3.session.Session().client(service, endpoint_url=endpoint or None, region_name=region, config=Config(**options))
    except BotoCoreError as exc:
        raise ConfigError(
            f"cannot set up the {service.upper()} client ({type(exc).__name__}); set [vault] {service}_region "
            "or AWS_REGION, and check the endpoint"
        ) from None


def open_vault(
    config: AppConfig,
    *,
    clock: Clock | None = None,
    s3_client: Any = None,
    kms_client: Any = None,
    randbytes: Callable[[int], bytes] = os.urandom,
    sleep: Callable[[float], None] = time.sleep,
    catalog: Any = None,
    **overrides: Any,
) -> Vault:
    """The vault ``[vault]`` describes; ``overrides`` (e.g. ``s3_endpoint=``) win over the file.

    boto3 clients are made from the settings and the normal credential chain
    unless given (tests pass clients aimed at their moto server). Refs and
    audit entries go to ``catalog`` (default: the archive's, DATA_DIR/catalog.db,
    opened for the vault and closed with it).
    """

    s = VaultSettings.from_config(config, **overrides)
    clock = clock or system_clock
    s.vault_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    store: ObjectStore
    if s.store == "local":
        store = LocalStore(s.local_root)
    else:
        store = S3Store(
            s3_client or _boto_client("s3", s.s3_endpoint, s.s3_region),
            s.s3_bucket,
            s.s3_prefix,
            lock_mode=s.object_lock_mode,
            lock_days=s.object_lock_days,
            part_size=s.part_size,
            max_attempts=s.max_attempts,
            clock=clock,
            sleep=sleep,
        )
    keyring: Keyring
    if s.keyring == "local":
        keyring = LocalKeyring(s.keyring_path, clock=clock, randbytes=randbytes)
    else:
        keyring = KmsKeyring(kms_client or _boto_client("kms", s.kms_endpoint, s.kms_region or s.s3_region), s.kms_key_id)
    return Vault(
        store=store,
        keyring=keyring,
        keys=KeyTable(s.vault_dir / "keys.db"),
        refs=_catalog_refs(s, catalog, clock),
        spool_dir=s.vault_dir / "spool",
        tenant=s.tenant,
        clock=clock,
        randbytes=randbytes,
        frame_size=s.frame_size,
    )


def _catalog_refs(settings: VaultSettings, catalog: Any, clock: Clock) -> Any:
    """The catalog as the vault's ref index; an older vault/refs.db is moved into it once."""
    from callvault.catalog import Catalog
    from callvault.catalog.objects import CatalogRefs, import_refs_db

    refs = CatalogRefs(catalog) if catalog is not None else CatalogRefs(
        Catalog.in_data_dir(settings.data_dir, clock=clock), owned=True)
    old_index = settings.vault_dir / "refs.db"
    if old_index.exists():
        import_refs_db(refs.catalog.conn, old_index)
    return refs
