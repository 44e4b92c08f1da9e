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


def test_objects_of_a_v1_catalog_survive_the_move_out_of_refs_db(tmp_path):
    """v1 tied objects to their recording's row; after the migration they outlive it, data intact."""
    from callvault.catalog.schema import MIGRATIONS

    path = tmp_path / "c.db"
    with sqlite3.connect(path) as raw:
        MIGRATIONS[0](raw)
        raw.execute("PRAGMA user_version = 1")
        raw.execute("INSERT INTO recordings (id, source, status, processed_at) VALUES ('r1', 's', 'done', 'now')")
        raw.execute("INSERT INTO objects (recording_id, kind, store, key, key_id, sha256, size, created_at) "
                    "VALUES ('r1', 'original', 'local:/v', 'default/r1/original.cvlt', 'rk-1', 'ab', 9, 'then')")
    with Catalog.open(path) as cat:
        cat.conn.execute("DELETE FROM recordings WHERE id = 'r1'")
        rows = cat.conn.execute("SELECT recording_id, kind, key, size FROM objects").fetchall()
        assert [tuple(r) for r in rows] == [("r1", "original", "default/r1/original.cvlt", 9)]
