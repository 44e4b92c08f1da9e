"""The rule context built from a real SQLite catalog makes R5, R9 and R17 live."""

from __future__ import annotations

from callvault.catalog import Catalog
from callvault.catalog.facts import add_number_of_record, add_supervisor_approval
from callvault.catalog.schema import LATEST
from callvault.compliance.facts import rule_context
from callvault.models.recording import CallMetadata

RID = "f" * 64


def _catalog(tmp_path) -> Catalog:
    catalog = Catalog.open(tmp_path / "catalog.db")
    assert catalog.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    return catalog


def test_callback_to_the_number_of_record_is_known_only_with_the_account_numbers(tmp_path):
    with _catalog(tmp_path) as catalog:
        meta = CallMetadata(call_id="c1", direction="outbound", account_id="ACC-9", callback=True, customer_number="+1 (404) 555-0172")
        assert rule_context(catalog, meta, RID).callback is None  # no number of record on file: not known
        add_number_of_record(catalog.conn, "ACC-9", "404-555-0172", "2026-01-01T00:00:00Z")
        facts = rule_context(catalog, meta, RID).callback
        assert facts.is_callback and facts.to_number_of_record
        other = rule_context(catalog, CallMetadata(account_id="ACC-9", callback=True, customer_number="404 555 0199"), RID).callback
        assert other.is_callback and not other.to_number_of_record


def test_supervisor_approval_by_call_or_campaign_only_on_outbound_calls(tmp_path):
    with _catalog(tmp_path) as catalog:
        outbound = CallMetadata(call_id="c2", direction="outbound", campaign_id="spring-retention")
        assert rule_context(catalog, outbound, RID).supervisor_approval is False
        add_supervisor_approval(catalog.conn, "campaign", "spring-retention", "sup-7", "2026-01-01T00:00:00Z")
        assert rule_context(catalog, outbound, RID).supervisor_approval is True
        assert rule_context(catalog, CallMetadata(call_id="c2", direction="inbound"), RID).supervisor_approval is None


def test_a_hold_on_the_account_covers_a_call_whose_row_is_not_written_yet(tmp_path):
    with _catalog(tmp_path) as catalog:
        meta = CallMetadata(call_id="c3", account_id="ACC-1")
        assert rule_context(catalog, meta, RID).retention.on_legal_hold is False
        catalog.place_hold("account", "ACC-1", "litigation 42", "counsel")
        assert rule_context(catalog, meta, RID).retention.on_legal_hold is True
