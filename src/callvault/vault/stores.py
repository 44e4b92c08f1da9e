"""Object stores for sealed objects: a local folder and any S3-compatible endpoint.

Stores only move ciphertext. Each keeps the ciphertext's SHA-256 as object
metadata (S3: ``x-amz-meta-sha256``; local: a ``KEY.meta.json`` sidecar) and
hands it back on every read, so the vault can check it.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import random
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Callable, Iterator, Protocol

from callvault.tempnames import tag
from callvault.fsutil import atomic_write_json
from callvault.models.errors import ConfigError, StoreError

log = logging.getLogger(__name__)

LOCK_MODES = ("GOVERNANCE", "COMPLIANCE")
MIN_PART_SIZE = 5 << 20


@dataclass(frozen=True)
class StoredInfo:
    sha256: str | None  # from the object's metadata; None when missing
    size: int


class ObjectStore(Protocol):
    url: str

    def put_file(self, key: str, path: Path, *, sha256: str, size: int, retain_until: datetime | None) -> None: ...

    def open(self, key: str) -> contextlib.AbstractContextManager[tuple[BinaryIO, StoredInfo]]: ...

    def delete(self, key: str) -> None: ...


def check_key(key: str) -> PurePosixPath:
    """An object key as relative POSIX parts that cannot leave the store's root."""
    p = PurePosixPath(key)
    if not key or p.is_absolute() or any(part in ("", ".", "..") or part.startswith(".") for part in p.parts):
        raise StoreError(f"{key!r} is not a valid object key")
    return p


TMP_DIR = ".tmp"


class LocalStore:
    """Objects as files under ``root``; metadata in a ``.meta.json`` sidecar."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        self.url = f"local:{self.root}"
        # Temp files live here, not beside the objects, so clearing a killed
        # run's leftovers never walks the whole store (object keys never start with ".").
        self.tmp_dir = self.root / TMP_DIR

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).parts)

    @staticmethod
    def _meta(path: Path) -> Path:
        return path.with_name(path.name + ".meta.json")

    def put_file(self, key: str, path: Path, *, sha256: str, size: int, retain_until: datetime | None) -> None:
        dest = self._path(key)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.tmp_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(prefix=tag(f".{dest.name}."), suffix=".part", dir=self.tmp_dir)
            os.close(fd)
            try:
                try:
                    os.replace(path, tmp)
                except OSError as exc:
                    if exc.errno != errno.EXDEV:
                        raise
                    shutil.copyfile(path, tmp)
                os.chmod(tmp, 0o600)
                meta = {"sha256": sha256, "size": size}
                if retain_until is not None:
                    meta["retain_until"] = retain_until.isoformat()
                atomic_write_json(self._meta(dest), meta, mode=0o600, tmp_dir=self.tmp_dir)
                os.replace(tmp, dest)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
        except OSError as exc:
            raise StoreError(f"{dest}: could not store the object ({exc.strerror or exc}); check disk space and permissions") from None

    @contextlib.contextmanager
    def open(self, key: str) -> Iterator[tuple[BinaryIO, StoredInfo]]:
        path = self._path(key)
        try:
            handle = open(path, "rb")
        except FileNotFoundError:
            raise StoreError(f"{path}: object not found in the store; was it deleted, or is [vault] pointing at another store?") from None
        except OSError as exc:
            raise StoreError(f"{path}: cannot read the object ({exc.strerror or exc})") from None
        with handle:
            try:
                sha = json.loads(self._meta(path).read_text(encoding="utf-8")).get("sha256")
            except (OSError, ValueError, AttributeError):
                sha = None
            yield handle, StoredInfo(sha, os.fstat(handle.fileno()).st_size)

    def delete(self, key: str) -> None:
        path = self._path(key)
        for p in (path, self._meta(path)):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()


# -- S3 -----------------------------------------------------------------

_TRANSIENT_CODES = {
    "InternalError",
    "ServiceUnavailable",
    "SlowDown",
    "RequestTimeout",
    "RequestTimeTooSkewed",
    "Throttling",
    "ThrottlingException",
}


def _error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", "")) or type(exc).__name__


def _is_transient(exc: BaseException) -> bool:
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    if isinstance(exc, (ConnectionError, HTTPClientError)):
        return True
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0
        return status >= 500 or _error_code(exc) in _TRANSIENT_CODES
    return False


class S3Store:
    """Sealed objects in ``s3://bucket/prefix`` through boto3.

    Every call is retried on connection errors, timeouts, throttling and 5xx
    with exponential backoff and jitter (``max_attempts`` tries in all, botocore's
    own retries being off); then it fails with a StoreError naming the endpoint.
    Objects larger than ``part_size`` go up as multipart uploads, one part in
    memory at a time. When the bucket has Object Lock, every put sets the lock
    mode and retain-until date (the object's expiry, else ``lock_days`` from now,
    else the bucket's default rule).
    """

    def __init__(
        self,
        client: Any,
        bucket: str,
        prefix: str = "",
        *,
        lock_mode: str = "GOVERNANCE",
        lock_days: int | None = None,
        part_size: int = 16 << 20,
        max_attempts: int = 5,
        backoff: float = 0.5,
        backoff_cap: float = 20.0,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        sleep: Callable[[float], None] = time.sleep,
    ):
        if not bucket:
            raise ConfigError('[vault] store = "s3" needs s3_bucket')
        if lock_mode not in LOCK_MODES:
            raise ConfigError(f"[vault] object_lock_mode must be one of {', '.join(LOCK_MODES)}, got {lock_mode!r}")
        if part_size < MIN_PART_SIZE:
            raise ConfigError(f"[vault] part_size must be at least {MIN_PART_SIZE} bytes (S3's minimum part)")
        if max_attempts < 1:
            raise ConfigError("[vault] max_attempts must be at least 1")
        self._client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.url = f"s3://{bucket}/{self.prefix}"
        self.lock_mode = lock_mode
        self.lock_days = lock_days
        self.part_size = part_size
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.backoff_cap = backoff_cap
        self._clock = clock
        self._sleep = sleep
        self._lock_rule: tuple[bool, int | None] | None = None

    def __repr__(self) -> str:
        return f"S3Store({self.url!r})"

    @property
    def endpoint(self) -> str:
        return str(getattr(getattr(self._client, "meta", None), "endpoint_url", "") or "AWS S3")

    def _full(self, key: str) -> str:
        return self.prefix + str(check_key(key))

    def _retry(self, what: str, fn: Callable[[], Any]) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        for attempt in range(1, self.max_attempts + 1):
            try:
                return fn()
            except (BotoCoreError, ClientError) as exc:
                if not _is_transient(exc):
                    raise self._fatal(what, exc) from None
                if attempt == self.max_attempts:
                    raise StoreError(
                        f"{what}: S3 endpoint {self.endpoint} failed {attempt} times "
                        f"(last error: {_error_code(exc)}); check the endpoint, network and "
                        "credentials, then run again. Nothing local was removed."
                    ) from None
                delay = min(self.backoff_cap, self.backoff * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)
                log.warning("%s: %s (try %d of %d), retrying in %.2fs", what, _error_code(exc), attempt, self.max_attempts, delay)
                self._sleep(delay)
        raise AssertionError("unreachable")

    def _fatal(self, what: str, exc: BaseException) -> StoreError:
        code = _error_code(exc)
        if code in ("NoSuchKey", "404", "NotFound"):
            return StoreError(f"{what}: object not found in {self.url}; was it deleted, or is [vault] pointing at another store?")
        if code == "NoSuchBucket":
            return StoreError(f"{what}: bucket {self.bucket!r} does not exist at {self.endpoint}; create it or fix s3_bucket")
        if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
            return StoreError(f"{what}: access denied by {self.endpoint} ({code}); check the credentials and bucket policy; a delete is also refused while Object Lock retains the object")
        return StoreError(f"{what}: S3 request failed ({code}); check the bucket settings")

    # -- Object Lock ----------------------------------------------------
    def _bucket_lock(self) -> tuple[bool, int | None]:
        """(Object Lock enabled, default retention days) for the bucket, read once."""
        if self._lock_rule is None:
            from botocore.exceptions import ClientError

            def get() -> dict[str, Any]:
                try:
                    return self._client.get_object_lock_configuration(Bucket=self.bucket)
                except ClientError as exc:
                    if _error_code(exc) == "ObjectLockConfigurationNotFoundError":
                        return {}
                    raise

            conf = self._retry(f"s3://{self.bucket}", get).get("ObjectLockConfiguration", {})
            enabled = conf.get("ObjectLockEnabled") == "Enabled"
            rule = conf.get("Rule", {}).get("DefaultRetention", {})
            days = rule.get("Days") or (rule.get("Years", 0) * 365) or None
            self._lock_rule = (enabled, days)
        return self._lock_rule

    def _lock_args(self, retain_until: datetime | None) -> dict[str, Any]:
        enabled, bucket_days = self._bucket_lock()
        if not enabled:
            return {}
        if retain_until is None:
            days = self.lock_days or bucket_days
            if not days:
                raise ConfigError(
                    f"bucket {self.bucket!r} has Object Lock but no retention was given: set "
                    "[vault] object_lock_days, a default retention rule on the bucket, or pass expires_at"
                )
            retain_until = self._clock() + timedelta(days=days)
        return {"ObjectLockMode": self.lock_mode, "ObjectLockRetainUntilDate": retain_until}

    # -- store API --------------------------------------------------------
    def put_file(self, key: str, path: Path, *, sha256: str, size: int, retain_until: datetime | None) -> None:
        full = self._full(key)
        what = f"{self.url}{key}"
        extra = {"Metadata": {"sha256": sha256}, "ContentType": "application/octet-stream", **self._lock_args(retain_until)}
        with open(path, "rb") as handle:
            if size <= self.part_size:

                def put() -> Any:
                    handle.seek(0)
                    return self._client.put_object(Bucket=self.bucket, Key=full, Body=handle.read(), **extra)

                self._retry(what, put)
                return
            self._multipart(what, full, handle, extra)

    def _multipart(self, what: str, full: str, handle: BinaryIO, extra: dict[str, Any]) -> None:
        upload_id = self._retry(
            what, lambda: self._client.create_multipart_upload(Bucket=self.bucket, Key=full, **extra)
        )["UploadId"]
        try:
            parts = []
            number = 1
            while chunk := handle.read(self.part_size):
                resp = self._retry(
                    f"{what} (part {number})",
                    partial(
                        self._client.upload_part,
                        Bucket=self.bucket,
                        Key=full,
                        UploadId=upload_id,
                        PartNumber=number,
                        Body=chunk,
                    ),
                )
                parts.append({"ETag": resp["ETag"], "PartNumber": number})
                number += 1
                del chunk
            self._retry(
                what,
                lambda: self._client.complete_multipart_upload(
                    Bucket=self.bucket, Key=full, UploadId=upload_id, MultipartUpload={"Parts": parts}
                ),
            )
        except BaseException:
            with contextlib.suppress(Exception):
                self._client.abort_multipart_upload(Bucket=self.bucket, Key=full, UploadId=upload_id)
            raise

    @contextlib.contextmanager
    def open(self, key: str) -> Iterator[tuple[BinaryIO, StoredInfo]]:
        what = f"{self.url}{key}"
        resp = self._retry(what, lambda: self._client.get_object(Bucket=self.bucket, Key=self._full(key)))
        body = resp["Body"]
        try:
            yield _S3Body(body, what), StoredInfo(resp.get("Metadata", {}).get("sha256"), int(resp.get("ContentLength", 0)))
        finally:
            body.close()

    def delete(self, key: str) -> None:
        """Delete every version of the object; Object Lock refuses while a version is retained."""
        full = self._full(key)
        what = f"{self.url}{key}"
        listing = self._retry(what, lambda: self._client.list_object_versions(Bucket=self.bucket, Prefix=full))
        versions = [
            v["VersionId"]
            for group in ("Versions", "DeleteMarkers")
            for v in listing.get(group, [])
            if v["Key"] == full
        ]
        if not versions:
            self._retry(what, lambda: self._client.delete_object(Bucket=self.bucket, Key=full))
            return
        for version in versions:
            self._retry(what, partial(self._client.delete_object, Bucket=self.bucket, Key=full, VersionId=version))


class _S3Body:
    """A read-only stream over a GetObject body; network failures become StoreError."""

    def __init__(self, body: Any, what: str):
        self._body = body
        self._what = what

    def read(self, n: int = -1) -> bytes:
        from botocore.exceptions import BotoCoreError

        try:
            return self._body.read(n if n >= 0 else None)
        except (BotoCoreError, OSError) as exc:
            raise StoreError(f"{self._what}: the download broke off ({type(exc).__name__}); run again") from None
