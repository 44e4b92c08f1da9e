"""Where a batch's recordings come from: folders, S3 prefixes, manifests.

Every source yields ``WorkItem``s; an S3 item is fetched lazily into the
private temp dir by ``materialise`` so listing a big prefix costs nothing.
"""

from __future__ import annotations

import csv
import fnmatch
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from callvault.models.errors import ConfigError, InputError, StoreError
from callvault.recorder.intake import AUDIO_SUFFIXES


@dataclass(frozen=True)
class WorkItem:
    """One recording to process: a local path, or an S3 URI to fetch first."""

    uri: str  # local path as given, or s3://bucket/key
    metadata: Mapping[str, Any] | None = None  # from a manifest; beats a sidecar
    modified: float | None = None  # file time (epoch seconds), for --since/--until
    refusal: str | None = None  # why this item must not be read (a symlink out of its source folder)
    context: Any = None  # the RuleContext the driver read from the catalog, for an actor that has none

    @property
    def is_s3(self) -> bool:
        return self.uri.startswith("s3://")

    @property
    def name(self) -> str:
        return self.uri.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Selection:
    include: tuple[str, ...] = ()  # globs on the path relative to the folder; empty = all audio
    exclude: tuple[str, ...] = ()
    since: datetime | None = None  # file time or metadata started_at
    until: datetime | None = None

    def accepts_name(self, relative: str) -> bool:
        if self.include and not any(fnmatch.fnmatch(relative, g) or fnmatch.fnmatch(Path(relative).name, g) for g in self.include):
            return False
        return not any(fnmatch.fnmatch(relative, g) or fnmatch.fnmatch(Path(relative).name, g) for g in self.exclude)

    def accepts_time(self, item: WorkItem) -> bool:
        if self.since is None and self.until is None:
            return True
        moment = _item_time(item)
        if moment is None:
            return True
        return (self.since is None or moment >= self.since) and (self.until is None or moment < self.until)


def _item_time(item: WorkItem) -> datetime | None:
    started = (item.metadata or {}).get("started_at")
    if started:
        try:
            value = datetime.fromisoformat(str(started).replace("Z", "+00:00"))
            return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        except ValueError:
            return None
    if item.modified is not None:
        return datetime.fromtimestamp(item.modified, timezone.utc)
    return None


def _escapes(path: Path, root: Path) -> bool:
    """Whether ``path`` (a symlink, or a file under one) resolves outside ``root``."""
    return not path.resolve().is_relative_to(root)


def _refusal(path: Path, root: Path) -> str | None:
    from callvault.recorder.metadata import sidecar_path

    sidecar = sidecar_path(path)
    for candidate, what in ((path, "recording"), (sidecar, "metadata sidecar")):
        if (candidate.is_symlink() or candidate.exists()) and _escapes(candidate, root):
            return f"the {what} is a symlink to a file outside the source folder {root}; copy the file in instead"
    return None


def folder_items(root: Path, selection: Selection) -> Iterator[WorkItem]:
    """Audio files under ``root``; linked folders are not walked, linked files that leave it are refused."""
    if root.is_file():
        yield WorkItem(str(root), modified=root.stat().st_mtime)
        return
    real_root = root.resolve()
    paths = []
    for folder, _, files in os.walk(root):  # does not follow linked folders
        paths.extend(Path(folder) / name for name in files)
    for path in sorted(paths):
        relative = path.relative_to(root).as_posix()
        if path.suffix.lower() in AUDIO_SUFFIXES and not path.name.startswith(".") and selection.accepts_name(relative):
            refusal = _refusal(path, real_root)
            modified = path.stat().st_mtime if refusal is None and path.exists() else None
            yield WorkItem(str(path), modified=modified, refusal=refusal)


def manifest_items(manifest: Path) -> Iterator[WorkItem]:
    """CSV (header with ``path`` or ``uri``) or JSON lines; other columns are metadata."""
    try:
        text = manifest.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(manifest, f"cannot read manifest ({exc})") from None
    if manifest.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        rows = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    raise InputError(manifest, f"line {number} is not JSON") from None
    else:
        rows = list(csv.DictReader(text.splitlines()))
    base = manifest.parent
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise InputError(manifest, f"entry {number} must be an object")
        location = row.get("path") or row.get("uri")
        if not location:
            raise InputError(manifest, f"entry {number} has no 'path' or 'uri'")
        metadata = {k: v for k, v in row.items() if k not in ("path", "uri") and v not in (None, "")}
        if isinstance(metadata.get("customer_states"), str):
            metadata["customer_states"] = [s.strip() for s in metadata["customer_states"].split(";") if s.strip()]
        if isinstance(metadata.get("tags"), str):
            metadata["tags"] = [s.strip() for s in metadata["tags"].split(";") if s.strip()]
        uri = location if str(location).startswith("s3://") else str((base / location) if not Path(location).is_absolute() else Path(location))
        yield WorkItem(uri, metadata=metadata or None)


def parse_s3_uri(uri: str) -> tuple[str, str]:
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket:
        raise ConfigError(f"{uri}: an S3 source looks like s3://bucket/prefix/")
    return bucket, key


def s3_items(uri: str, client: Any, selection: Selection) -> Iterator[WorkItem]:
    bucket, prefix = parse_s3_uri(uri)
    try:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for page in pages:
            for obj in page.get("Contents", []):
                key = obj["Key"]
                relative = key[len(prefix) :].lstrip("/")
                if Path(key).suffix.lower() in AUDIO_SUFFIXES and selection.accepts_name(relative):
                    yield WorkItem(f"s3://{bucket}/{key}", modified=obj["LastModified"].timestamp())
    except Exception as exc:  # botocore raises many types; all mean the listing failed
        raise StoreError(f"cannot list {uri} ({type(exc).__name__}); check the bucket, prefix, endpoint and credentials") from None


def iter_items(
    sources: Sequence[str],
    selection: Selection = Selection(),
    s3_client_factory: Callable[[], Any] | None = None,
) -> Iterator[WorkItem]:
    """Every work item of every source, de-duplicated, filtered by the selection."""
    seen: set[str] = set()
    client = None
    for source in sources:
        if source.startswith("s3://"):
            if s3_client_factory is None:
                raise ConfigError("an s3:// source needs S3 settings ([vault] s3_endpoint / region or the AWS defaults)")
            client = client or s3_client_factory()
            items: Iterable[WorkItem] = s3_items(source, client, selection)
        elif Path(source).suffix.lower() in (".csv", ".jsonl", ".ndjson") and Path(source).is_file():
            items = manifest_items(Path(source))
        else:
            path = Path(source)
            if not path.exists():
                items = [WorkItem(source)]  # reported per file by the pipeline as not found
            else:
                items = folder_items(path, selection)
        for item in items:
            if item.uri not in seen and selection.accepts_time(item):
                seen.add(item.uri)
                yield item


def s3_source_client(config: Any, vault_overrides: Mapping[str, Any] = {}) -> Any:
    """The boto3 client for s3:// sources: one endpoint for listing and download (``--s3-endpoint`` wins)."""
    from callvault.vault.settings import VaultSettings
    from callvault.vault.vault import _boto_client

    settings = VaultSettings.from_config(config, **dict(vault_overrides))
    return _boto_client("s3", settings.s3_endpoint, settings.s3_region)


def materialise(item: WorkItem, workdir: Path, s3_client: Any) -> Path:
    """The item as a local file: itself, or streamed from S3 into ``workdir``."""
    if not item.is_s3:
        return Path(item.uri)
    bucket, key = parse_s3_uri(item.uri)
    target = workdir / Path(key).name
    try:
        s3_client.download_file(bucket, key, str(target))
    except Exception as exc:
        raise StoreError(f"cannot download {item.uri} ({type(exc).__name__}); it will be retried") from None
    return target
