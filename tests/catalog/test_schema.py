import sqlite3

import pytest

from callvault.catalog import Catalog
from callvault.catalog.schema import LATEST
from callvault.models.errors import CatalogError


def test_new_catalog_is_wal_and_at_latest_schema(tmp_path):
    with Catalog.open(tmp_path / "c.db") as cat:
        assert cat.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cat.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert cat.conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    # Reopening migrates nothing and keeps the data.
    with Catalog.open(tmp_path / "c.db") as cat:
        assert cat.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST


def test_catalog_from_a_newer_callvault_is_refused(tmp_path):
    path = tmp_path / "c.db"
    Catalog.open(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(CatalogError, match="newer callvault"):
        Catalog.open(path)


def test_missing_catalog_is_a_clear_error_when_not_creating(tmp_path):
    with pytest.raises(CatalogError, match="callvault process"):
        Catalog.open(tmp_path / "none.db", create=False)
    assert not (tmp_path / "none.db").exists()


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "c.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CatalogError, match="not a usable catalog"):
        Catalog.open(path)
