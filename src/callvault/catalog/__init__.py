"""The SQLite catalog: processed calls, their redacted turns (FTS5-searchable),
findings, consent events, rule results, stored objects, legal holds, worker
leases and a hash-chained audit log, all in ``DATA_DIR/catalog.db``.

Only redacted text and metadata ever reach it; raw values never do.
"""

from callvault.catalog.audit import AuditLog
from callvault.catalog.calls import CallDetail, CallSummary, EventRow, FindingRow, ObjectRow, RuleRow, TurnRow, timeline
from callvault.clock import Clock, iso_utc, system_clock
from callvault.catalog.core import Catalog
from callvault.catalog.db import CATALOG_NAME, catalog_path
from callvault.catalog.filters import CallFilters, SearchFilters
from callvault.catalog.record import StageRecord
from callvault.catalog.search import SearchHit, SearchResults
from callvault.catalog.state import Hold

__all__ = [
    "AuditLog",
    "CATALOG_NAME",
    "CallDetail",
    "CallFilters",
    "CallSummary",
    "Catalog",
    "Clock",
    "EventRow",
    "FindingRow",
    "ObjectRow",
    "RuleRow",
    "Hold",
    "SearchFilters",
    "SearchHit",
    "SearchResults",
    "StageRecord",
    "TurnRow",
    "catalog_path",
    "iso_utc",
    "system_clock",
    "timeline",
]
