"""The officers' Incidents page over HTTP (Starlette's test client, in process), on a copy of the web
archive into which a pretexting call was recorded through the real detector, rules and catalog, so
the real register opened the incident."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from callvault.catalog import Catalog
from helpers import audit_rows, csrf_of, web_sign_in

PRETEXT = Path(__file__).resolve().parents[1] / "data" / "pretexting" / "p02_brother_override_reads_detail.json"
ACCOUNT = "ACC-WEB-7"


@pytest.fixture(scope="module")
def incident_archive(web_archive, tmp_path_factory):
    """(data dir, incident id, pretexting call's recording id, the raw values spoken in it)."""
    from callvault.catalog.incidents import list_incidents
    from callvault.compliance import detect_events, run_rules
    from callvault.compliance.labelled import load_dialogue
    from callvault.models import Recording
    from callvault.redact import redact_transcript

    data = tmp_path_factory.mktemp("incidents") / "data"
    shutil.copytree(web_archive[0], data)
    d = load_dialogue(PRETEXT)
    rid = hashlib.sha256(b"WEB-PRETEXT").hexdigest()
    meta = replace(d.metadata, call_id="WEB-PRETEXT", account_id=ACCOUNT)
    events = detect_events(d.transcript, d.findings, d.metadata)
    rules = run_rules(d.transcript, events, d.findings, d.metadata, context=d.context)
    with Catalog.in_data_dir(data) as catalog:
        catalog.record_call(Recording(rid, "/in/web-pretext.wav", meta, size=100),
                            redact_transcript(replace(d.transcript, recording_id=rid), d.findings),
                            processed_at="2026-11-20T15:00:00+00:00", findings=d.findings, events=events, rules=rules)
        [incident] = list_incidents(catalog.conn)
    raw = [d.transcript.text[f.char_start:f.char_end] for f in d.findings]
    assert raw and incident.status == "candidate"
    return data, incident.id, rid, raw


@pytest.fixture
def client_for(incident_archive):
    from starlette.testclient import TestClient

    from callvault.config import load_config
    from callvault.vault import open_vault
    from callvault.web import WebSettings, create_app

    config = load_config(incident_archive[0], None)

    def make(name):
        settings = WebSettings(data_dir=config.data_dir, open_vault=functools.partial(open_vault, config))
        client = TestClient(create_app(settings), base_url="https://testserver")
        assert web_sign_in(client, name).status_code == 303
        return client

    return make


def assert_no_raw(body, raw_values):
    """No value spoken in the call, nor any of its groups of 4+ digits standing alone, in a page or packet."""
    for value in raw_values:
        assert value not in body
        for group in re.findall(r"\d{4,}", value):
            assert not re.search(rf"(?<!\d){group}(?!\d)", body)


@pytest.mark.slow
def test_officer_sees_the_register_and_one_incident_with_both_rule_texts(client_for, incident_archive):
    data, iid, rid, raw = incident_archive
    client = client_for("otto")
    listing = client.get("/incidents")
    assert listing.status_code == 200 and f'href="/incidents/{iid}"' in listing.text
    assert 'href="/incidents"' in listing.text  # in the officer navigation
    assert "candidate" in listing.text and "call detail" in listing.text
    assert "2007 text, in force" in listing.text and "FCC 23-111" in listing.text
    assert listing.headers["cache-control"] == "no-store" and "frame-ancestors 'none'" in listing.headers["content-security-policy"]
    assert f'href="/incidents/{iid}"' not in client.get("/incidents?status=closed").text
    assert client.get("/incidents?status=bogus").status_code == 400
    page = client.get(f"/incidents/{iid}")
    assert page.status_code == 200
    assert f'href="/calls/{rid}"' in page.text and ACCOUNT in page.text
    assert client.get(f"/calls/{rid}").status_code == 200  # the link leads to the call's own page
    assert "USSS and FBI" in page.text and "FCC, USSS and FBI" in page.text and "for comparison" in page.text
    assert "incident.open" in page.text  # the history, from the audit log
    for body in (listing.text, page.text):
        assert_no_raw(body, raw)
    viewed = audit_rows(data, "web.view_incident")[-1]
    assert viewed["actor"] == "otto" and json.loads(viewed["details"])["incident_id"] == iid
    assert audit_rows(data, "web.incidents")[-1]["actor"] == "otto"


@pytest.mark.slow
def test_confirm_with_reason_changes_status_and_audits_the_web_user(client_for, incident_archive):
    data, iid, _, _ = incident_archive
    client = client_for("otto")
    token = csrf_of(client.get(f"/incidents/{iid}"))
    refused = client.post(f"/incidents/{iid}/confirm", data={"csrf": token, "reason": " "})
    assert refused.status_code == 400 and "say why" in refused.text
    done = client.post(f"/incidents/{iid}/confirm", data={"csrf": token, "reason": "records read to a relative", "harm_likely": "yes"},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/incidents/{iid}#status"
    [entry] = audit_rows(data, "incident.confirmed")
    assert entry["actor"] == "otto" and entry["reason"] == "records read to a relative"
    assert json.loads(entry["details"])["to"] == "confirmed"
    page = client.get(f"/incidents/{iid}").text
    assert "provisional" not in page  # counted from the determination now
    assert 'action="/incidents/%d/report"' % iid in page and 'action="/incidents/%d/confirm"' % iid not in page
    assert client.post(f"/incidents/{iid}/close", data={"csrf": token, "reason": "too early"}).status_code == 400


@pytest.mark.slow
def test_post_without_csrf_is_rejected_and_changes_nothing(client_for, incident_archive):
    data, iid, _, _ = incident_archive
    client = client_for("otto")
    before = len(audit_rows(data, "incident.dismissed"))
    assert client.post(f"/incidents/{iid}/dismiss", data={"reason": "no token"}).status_code == 403
    assert client.post(f"/incidents/{iid}/dismiss", data={"reason": "forged", "csrf": "forged"}).status_code == 403
    assert len(audit_rows(data, "incident.dismissed")) == before
    assert audit_rows(data, "web.csrf_rejected")[-1]["actor"] == "otto"


@pytest.mark.slow
def test_auditor_gets_403_and_an_audit_entry(client_for, incident_archive):
    data, iid, _, _ = incident_archive
    client = client_for("ann")
    assert 'href="/incidents"' not in client.get("/calls").text
    before = len(audit_rows(data, "web.denied"))
    for path in ("/incidents", f"/incidents/{iid}", f"/incidents/{iid}/packet.json"):
        assert client.get(path).status_code == 403, path
    token = csrf_of(client.get("/calls"))
    assert client.post(f"/incidents/{iid}/dismiss", data={"csrf": token, "reason": "not mine"}).status_code == 403
    denied = audit_rows(data, "web.denied")[before:]
    assert [d["actor"] for d in denied] == ["ann"] * 4 and '"role":"auditor"' in denied[-1]["details"]


@pytest.mark.slow
def test_packet_downloads_as_json_and_html_without_raw_digits(client_for, incident_archive):
    data, iid, _, raw = incident_archive
    client = client_for("otto")
    before = sorted(p.relative_to(data) for p in data.rglob("*") if p.is_file() and not p.name.startswith("catalog"))
    as_json = client.get(f"/incidents/{iid}/packet.json")
    assert as_json.status_code == 200 and as_json.headers["content-type"].startswith("application/json")
    assert "attachment" in as_json.headers["content-disposition"]
    packet = as_json.json()
    assert packet["draft"] is True and packet["incident"] == iid and packet["accounts"] == [ACCOUNT]
    assert set(packet["deadlines"]) == {"in_force", "other_text"}
    as_html = client.get(f"/incidents/{iid}/packet.html")
    assert as_html.status_code == 200 and as_html.headers["content-type"].startswith("text/html")
    assert as_html.text.startswith("<!doctype html>") and "DRAFT" in as_html.text
    for body in (as_json.text, as_html.text):
        assert_no_raw(body, raw)
    assert "[CALL_NUMBER]" in as_json.text  # the evidence as stored: redacted placeholders
    assert client.get(f"/incidents/{iid}/packet.pdf").status_code == 400
    exports = audit_rows(data, "incident.export")
    assert [e["actor"] for e in exports[-2:]] == ["otto", "otto"]
    after = sorted(p.relative_to(data) for p in data.rglob("*") if p.is_file() and not p.name.startswith("catalog"))
    assert after == before  # generated in memory: nothing new on disk
