"""The incident register over a real catalog and a real local vault: opening from the record
step, grouping, audited status changes, automatic holds against the sweep, records kept 2 years."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from callvault.catalog import CallFilters
from callvault.catalog.incidents import change_status, get_incident, list_incidents
from callvault.clock import parse_iso
from callvault.compliance.breach import BreachOptions
from callvault.compliance.breach.packet import build_packet, render_html
from callvault.models import RuleResult
from callvault.models.errors import CatalogError
from callvault.retention import CallFacts, retention_facts, run_sweep

PRETEXT, REFUSED, OWN = "p02_brother_override_reads_detail", "p01_daughter_refused_offers_mail", "p04_holder_own_call_before_auth"


def actions(archive, prefix):
    return [e for e in archive.catalog.audit.export() if e["action"].startswith(prefix)]


def test_reading_records_to_a_third_party_opens_a_held_candidate(archive):
    rec = archive.store(PRETEXT, "C-1", account="ACC-7")
    archive.store(REFUSED, "C-2", account="ACC-8")
    archive.store(OWN, "C-3", account="ACC-9")
    [incident] = list_incidents(archive.catalog.conn)
    assert incident.status == "candidate" and incident.is_open
    assert [c.call_id for c in incident.calls] == ["C-1"] and incident.accounts == ("ACC-7",) and incident.customers == 1
    assert any(t.startswith("call detail") for t in incident.data_types)
    assert incident.discovered_at == "2026-11-20T15:00:00.000000Z"
    [hold] = archive.catalog.holds_covering(rec.id)
    assert hold.scope == "call" and f"incident #{incident.id}" in hold.reason
    assert [e["action"] for e in actions(archive, "incident.")] == ["incident.open", "incident.add_call"]
    assert [c.call_id for c in archive.catalog.calls(CallFilters(status="incident"))] == ["C-1"]
    for call in incident.calls:  # evidence is the redacted rule evidence
        assert call.evidence and not any(re.search(r"\d{3}-\d{4}", e["quote"]) for e in call.evidence)


def test_reprocessing_keeps_one_incident_and_one_hold(archive):
    archive.store(PRETEXT, "C-1", account="ACC-7")
    archive.store(PRETEXT, "C-1", account="ACC-7")
    [incident] = list_incidents(archive.catalog.conn)
    assert len(incident.calls) == 1 and len(archive.catalog.holds()) == 1


def test_calls_of_one_account_share_an_incident_others_get_their_own(archive, clock):
    archive.store(PRETEXT, "C-1", account="ACC-7")
    clock.advance(hours=3)
    archive.store("p03_spoken_office_manager_no_auth", "C-2", account="ACC-7")
    archive.store("p05_repeated_failures_then_detail", "C-3", account=None)
    first, second = list_incidents(archive.catalog.conn)
    assert [c.call_id for c in first.calls] == ["C-1", "C-2"] and first.customers == 1
    assert first.date_range[0] < first.date_range[1]
    assert [c.call_id for c in second.calls] == ["C-3"] and second.customers == 1 and second.accounts == ()


def test_every_status_change_is_audited_with_who_and_why(archive, clock):
    archive.store(PRETEXT, "C-1", account="ACC-7")
    conn, audit = archive.catalog.conn, archive.catalog.audit
    determined = clock.advance(days=1)
    change_status(conn, audit, 1, "confirmed", "officer-a", "call detail read to the holder's brother", clock(), harm_likely=True)
    with pytest.raises(CatalogError, match="can become reported, dismissed, not closed"):
        change_status(conn, audit, 1, "closed", "officer-a", "done", clock())
    with pytest.raises(CatalogError, match="say why"):
        change_status(conn, audit, 1, "reported", "officer-a", " ", clock())
    change_status(conn, audit, 1, "reported", "officer-b", "filed with the CRF", clock.advance(days=2))
    incident = change_status(conn, audit, 1, "closed", "officer-b", "customers told", clock.advance(days=20))
    assert incident.status == "closed" and not incident.is_open
    assert parse_iso(incident.determined_at) == determined
    changes = [(h.action, h.actor, h.reason, h.details.get("from"), h.details.get("to")) for h in incident.history]
    assert changes[2:] == [
        ("incident.confirmed", "officer-a", "call detail read to the holder's brother", "candidate", "confirmed"),
        ("incident.reported", "officer-b", "filed with the CRF", "confirmed", "reported"),
        ("incident.closed", "officer-b", "customers told", "reported", "closed"),
    ]
    assert archive.catalog.audit.verify() == []
    with pytest.raises(CatalogError, match="no incident #9"):
        get_incident(conn, 9)


def test_an_open_incident_holds_its_call_against_the_sweep_then_keeps_it_two_years(archive, clock):
    rec = archive.store(PRETEXT, "C-1", account="ACC-7")
    assert CallFacts.of(rec.metadata, (), [RuleResult("R16", "fail")]).incident
    assert archive.policy.rule_for(CallFacts(incident=True), "original").name == "breach-incidents"
    clock.advance(days=3 * 365)  # long past the 2-year rule
    report = run_sweep(archive.policy, archive.catalog, archive.vault, clock=clock)
    assert report.refused == 1 and report.deleted == 0
    facts = retention_facts(archive.catalog, rec.id)  # what R17 reads
    assert facts.on_legal_hold and len(facts.deletion_attempts) == 1
    [hold] = archive.catalog.holds_covering(rec.id)
    with pytest.raises(CatalogError, match="open breach incident #1"):
        archive.catalog.release_hold(hold.id, "tidying up", "someone")

    dismissed_at = clock.advance(days=1)
    change_status(archive.catalog.conn, archive.catalog.audit, 1, "dismissed", "officer", "the caller was an authorized user", clock())
    assert archive.catalog.holds_covering(rec.id) == []
    objects = archive.catalog.call("C-1").objects
    assert {parse_iso(o.expires_at) for o in objects} == {dismissed_at.replace(year=dismissed_at.year + 2)}
    assert run_sweep(archive.policy, archive.catalog, archive.vault, clock=clock).deleted == 0
    clock.advance(days=2 * 365 + 2)
    report = run_sweep(archive.policy, archive.catalog, archive.vault, clock=clock)
    assert report.deleted == 2 and report.refused == 0
    assert get_incident(archive.catalog.conn, 1).status == "dismissed"  # the record itself stays
    assert [e["action"] for e in actions(archive, "hold.")] == ["hold.place", "hold.release"]
    assert len(actions(archive, "retention.extend")) == 1


def test_the_draft_packet_has_what_the_agencies_ask_and_no_raw_values(archive, clock):
    archive.store(PRETEXT, "C-1", account="ACC-7")
    options = BreachOptions(carrier_name="Northwind <Mobile> & Co", contact_email="cpni@example.test")
    packet = build_packet(get_incident(archive.catalog.conn, 1), options, clock() + timedelta(hours=1))
    for key in ("carrier_contact", "description", "method_of_compromise", "date_range", "number_of_customers",
                "data_types", "estimated_loss", "deadlines"):
        assert packet[key] not in (None, "", [])
    assert packet["draft"] is True and packet["number_of_customers"] == 1
    assert packet["deadlines"]["in_force"]["rule_text"] == "2007" and packet["deadlines"]["other_text"]["rule_text"] == "fcc-23-111"
    page = render_html(packet)
    assert "DRAFT" in page and "Northwind &lt;Mobile&gt; &amp; Co" in page and "<Mobile>" not in page
    assert "@media print" in page
    assert not re.search(r"\d{3}-\d{3}-\d{4}", page + str(packet))
