"""The web app's one way to its data: the catalog, and the vault for audio.

Everything the routes read or change goes through ``CatalogSource``, so the
data behind the app can be re-pointed here alone. It never reads the call
folders under DATA_DIR/calls. Each worker thread gets its own catalog
connection (a sqlite3 connection belongs to the thread that opened it).
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from typing import Iterator

from callvault.catalog import Catalog, CallFilters, SearchFilters
from callvault.catalog import accounts, incidents, reviews, views
from callvault.catalog.calls import CallDetail, call_detail
from callvault.catalog.search import SearchResults
from callvault.catalog.state import Hold
from callvault.models.errors import VaultError
from callvault.models.storage import SealedRef
from callvault.web.settings import WebSettings


class CatalogSource:
    def __init__(self, settings: WebSettings):
        self.settings = settings
        self.clock = settings.clock
        self._local = threading.local()
        self._audio = _AudioCache(settings.audio_cache_bytes)

    def catalog(self) -> Catalog:
        catalog = getattr(self._local, "catalog", None)
        if catalog is None:
            catalog = Catalog.in_data_dir(self.settings.data_dir, clock=self.clock, create=False)
            self._local.catalog = catalog
        return catalog

    @property
    def conn(self):
        return self.catalog().conn

    # -- calls ---------------------------------------------------------------------
    def calls(self, filters: CallFilters, *, held: bool | None, reviewed: bool | None, limit: int, offset: int) -> list[views.CallRow]:
        return views.list_calls(self.conn, filters, held=held, reviewed=reviewed, limit=limit, offset=offset)

    def search(self, query: str, filters: SearchFilters, *, limit: int, offset: int, marks: tuple[str, str]) -> SearchResults:
        return self.catalog().search(query, filters, limit=limit, offset=offset, marks=marks)

    def call(self, recording_id: str) -> CallDetail:
        # By recording id directly: Catalog.call resolves names first, and its
        # OR over call_id/call_dir/id scans every recording (90 ms at 50k calls).
        return call_detail(self.conn, recording_id)

    def exists(self, recording_id: str) -> bool:
        return self.catalog().is_done(recording_id)

    def resolve(self, call: str) -> str:
        return self.catalog().resolve(call)

    def holds_covering(self, recording_id: str) -> list[Hold]:
        return self.catalog().holds_covering(recording_id)

    def reviews(self, recording_id: str) -> list[reviews.Review]:
        return reviews.reviews_of(self.conn, recording_id)

    def overrides(self, recording_id: str) -> dict[str, reviews.Override]:
        return reviews.overrides_of(self.conn, recording_id)

    def day_report(self, day: str) -> views.DayReport:
        return views.day_report(self.conn, day)

    def audit_entries(self, filters: views.AuditFilters, *, limit: int | None, offset: int = 0) -> Iterator[dict]:
        return views.audit_entries(self.conn, filters, limit=limit, offset=offset)

    # -- changes, each audited with the signed-in user as the actor --------------------
    def audit(self, action: str, actor: str, recording_id: str | None, reason: str, details: dict) -> None:
        self.catalog().audit.append(action, actor, recording_id, reason, details)

    def sign_off(self, recording_id: str, reviewer: str, note: str, details: dict) -> reviews.Review:
        return reviews.sign_off(self.conn, self.catalog().audit, recording_id, reviewer, note, self.clock(), details)

    def override(self, recording_id: str, rule: str, status: str, reason: str, actor: str, details: dict) -> reviews.Override:
        return reviews.override_rule(self.conn, self.catalog().audit, recording_id, rule, status, reason, actor, self.clock(), details)

    def place_hold(self, recording_id: str, reason: str, actor: str) -> Hold:
        return self.catalog().place_hold("call", recording_id, reason, actor)

    def release_hold(self, hold_id: int, reason: str, actor: str) -> Hold:
        return self.catalog().release_hold(hold_id, reason, actor)

    # -- breach incidents (the register's own functions, as the CLI uses them) -------------
    def incidents(self, status: str | None) -> list[incidents.Incident]:
        return incidents.list_incidents(self.conn, status)

    def incident(self, incident_id: int) -> incidents.Incident:
        return incidents.get_incident(self.conn, incident_id)

    def change_incident(self, incident_id: int, to: str, actor: str, reason: str, **fields) -> incidents.Incident:
        return incidents.change_status(self.conn, self.catalog().audit, incident_id, to, actor, reason, self.clock(), **fields)

    # -- accounts and sessions -----------------------------------------------------------
    def find_user(self, name: str) -> accounts.User | None:
        return accounts.find_user(self.conn, name)

    def user_by_id(self, user_id: int) -> accounts.User | None:
        return accounts.user_by_id(self.conn, user_id)

    def users(self) -> list[accounts.User]:
        return accounts.list_users(self.conn)

    def add_user(self, name: str, role: str, password_hash: str, actor: str) -> accounts.User:
        return accounts.add_user(self.conn, self.catalog().audit, name, role, password_hash, actor, self.clock())

    def disable_user(self, name: str, actor: str, reason: str) -> accounts.User:
        return accounts.disable_user(self.conn, self.catalog().audit, name, actor, reason, self.clock())

    def set_password(self, name: str, password_hash: str, actor: str) -> accounts.User:
        return accounts.set_password(self.conn, self.catalog().audit, name, password_hash, actor, self.clock())

    def count_failed_signin(self, user_id: int, lock_after: int, locked_until) -> bool:
        return accounts.count_failed_signin(self.conn, user_id, lock_after, locked_until)

    def clear_failed_signins(self, user_id: int) -> None:
        accounts.clear_failed_signins(self.conn, user_id)

    def create_session(self, session: accounts.Session) -> None:
        accounts.create_session(self.conn, session)

    def find_session(self, token_hash: str) -> accounts.Session | None:
        return accounts.find_session(self.conn, token_hash)

    def touch_session(self, token_hash: str) -> None:
        accounts.touch_session(self.conn, token_hash, self.clock())

    def end_session(self, token_hash: str) -> None:
        accounts.end_session(self.conn, token_hash)

    def end_stale_sessions(self, seen_before, created_before) -> int:
        return accounts.end_stale_sessions(self.conn, seen_before, created_before)

    # -- sealed objects in the vault -------------------------------------------------------
    def sealed_ref(self, recording_id: str, kind: str) -> SealedRef | None:
        """The call's unpurged object of ``kind`` as the catalog records it."""
        return views.live_object(self.conn, recording_id, kind)

    def redacted_audio(self, recording_id: str) -> bytes:
        """The call's redacted audio, decrypted in memory (and kept in a bounded in-memory cache)."""
        ref = self.sealed_ref(recording_id, "redacted_audio")
        if ref is None:
            raise VaultError(f"recording {recording_id[:12]} has no redacted audio in the vault (purged or never stored)")
        cached = self._audio.get(ref.sha256)
        if cached is None:
            cached = self._audio.put(ref.sha256, self.open_in_memory(ref))
        return cached

    def open_in_memory(self, ref: SealedRef) -> bytes:
        """Decrypt an object into memory only, all or nothing: nothing is written to disk."""
        buffer = io.BytesIO()
        with self.settings.open_vault() as vault:
            vault.open_to(ref, buffer)
        return buffer.getvalue()


    # -- keyring (admins) -------------------------------------------------------------------
    def keyring_state(self) -> tuple[str, str]:
        """(keyring kind, current key id); ids only, never key material."""
        with self.settings.open_vault() as vault:
            return vault.keyring.kind, vault.keyring.current_key_id()

    def rotate_keys(self) -> str:
        with self.settings.open_vault() as vault:
            return vault.rotate_keys()

    def rewrap_keys(self) -> int:
        with self.settings.open_vault() as vault:
            return vault.rewrap()


class _AudioCache:
    """Least-recently-used decrypted redacted audio, bounded in bytes; shared by the worker threads."""

    def __init__(self, max_bytes: int):
        self._max = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: bytes) -> bytes:
        with self._lock:
            self._items[key] = value
            while sum(len(v) for v in self._items.values()) > self._max and len(self._items) > 1:
                self._items.popitem(last=False)
        return value

