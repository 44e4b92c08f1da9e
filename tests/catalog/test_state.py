from datetime import datetime, timedelta, timezone

import pytest

from callvault.models.errors import CatalogError

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=timezone.utc)


def test_lease_is_exclusive_until_it_expires(catalog):
    assert catalog.acquire_lease("rec1", "w1", 60, T0)
    assert not catalog.acquire_lease("rec1", "w2", 60, T0 + timedelta(seconds=30))
    assert catalog.acquire_lease("rec1", "w1", 60, T0 + timedelta(seconds=30))  # renewal
    assert not catalog.acquire_lease("rec1", "w2", 60, T0 + timedelta(seconds=89))
    assert catalog.acquire_lease("rec1", "w2", 60, T0 + timedelta(seconds=90))  # expired: taken over
    assert not catalog.release_lease("rec1", "w1")  # no longer w1's
    assert catalog.release_lease("rec1", "w2")
    assert catalog.acquire_lease("rec1", "w3", 60, T0 + timedelta(seconds=91))


def test_lease_needs_positive_ttl(catalog):
    with pytest.raises(CatalogError):
        catalog.acquire_lease("rec1", "w1", 0, T0)


def test_holds_cover_by_call_account_and_query(catalog, build):
    a = build.record(catalog, "A", [("customer", "I will sue you over this bill")], account_id="ACC-1")
    b = build.record(catalog, "B", [("customer", "thanks bye")], account_id="ACC-2")
    c = build.record(catalog, "C", [("customer", "just a question")], account_id="ACC-3")
    by_call = catalog.place_hold("call", "C", "subpoena 12", "legal@example")
    catalog.place_hold("account", "ACC-2", "dispute", "legal@example")
    catalog.place_hold("query", '"sue you"', "litigation threat", "legal@example")
    assert [h.scope for h in catalog.holds_covering(a.id)] == ["query"]
    assert [h.scope for h in catalog.holds_covering(b.id)] == ["account"]
    assert [h.scope for h in catalog.holds_covering(c.id)] == ["call"]
    released = catalog.release_hold(by_call.id, "case closed", "legal@example")
    assert not released.active and released.release_reason == "case closed"
    assert catalog.holds_covering(c.id) == []
    assert len(catalog.holds()) == 2 and len(catalog.holds(active_only=False)) == 3
    with pytest.raises(CatalogError, match="no active legal hold"):
        catalog.release_hold(by_call.id, "again", "legal@example")
    actions = [e["action"] for e in catalog.audit.export()]
    assert actions.count("hold.place") == 3 and actions.count("hold.release") == 1
    assert catalog.audit.verify() == []


def test_hold_needs_a_known_scope_and_a_reason(catalog):
    with pytest.raises(CatalogError):
        catalog.place_hold("everything", "x", "why", "me")
    with pytest.raises(CatalogError):
        catalog.place_hold("call", "x", "", "me")


def test_marking_an_object_purged_is_audited(catalog, build):
    rec = build.record(catalog, "A", [("agent", "hello")])
    ref = build.sealed(rec.id)
    catalog.mark_object_purged(rec.id, "original", ref.key, "sweeper", "retention expired")
    assert catalog.call("A").objects[0].purged_at is not None
    assert list(catalog.audit.export())[-1]["action"] == "object.purge"
    with pytest.raises(CatalogError, match="no unpurged"):
        catalog.mark_object_purged(rec.id, "original", ref.key, "sweeper", "again")
