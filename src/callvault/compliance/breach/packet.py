"""The draft notification packet of one incident: what the agencies' forms ask for.

A DRAFT for the compliance officer to check and file by hand through the
central reporting facility; callvault never sends it anywhere. Built from the
incident record alone (redacted evidence, account ids, counts), so it holds
no raw CPNI. JSON for systems, a self-contained printable HTML page for people.
"""

from __future__ import annotations

import html
from dataclasses import asdict
from datetime import datetime
from typing import Any

from callvault.clock import iso_utc
from callvault.compliance.breach.deadlines import both_texts
from callvault.compliance.breach.options import BreachOptions

DRAFT = "DRAFT - not filed. Review, complete and file through the central reporting facility; callvault sends nothing."


def build_packet(incident: Any, options: BreachOptions, now: datetime) -> dict:
    """The packet as a JSON-ready dict; ``incident`` is a ``callvault.catalog.incidents.Incident``."""
    first, last = incident.date_range
    in_force, other = both_texts(options.rule_text, incident.facts(), options.zone)
    return {
        "draft": True,
        "notice": DRAFT,
        "prepared_at": iso_utc(now),
        "incident": incident.id,
        "status": incident.status,
        "carrier_contact": {
            "carrier": options.carrier_name or "(set [breach] carrier_name)",
            "name": options.contact_name or "(set [breach] contact_name)",
            "email": options.contact_email or "(set [breach] contact_email)",
            "phone": options.contact_phone or "(set [breach] contact_phone)",
        },
        "description": incident.description,
        "method_of_compromise": incident.method,
        "date_range": {"first_call": first, "last_call": last},
        "discovered_at": incident.discovered_at,
        "reasonable_determination_at": incident.determined_at,
        "agencies_notified_at": incident.agencies_notified_at,
        "number_of_customers": incident.customers,
        "accounts": list(incident.accounts),
        "data_types": list(incident.data_types),
        "estimated_loss": incident.estimated_loss or "not estimated",
        "harm_reasonably_likely": incident.harm_likely,
        "deadlines": {"in_force": asdict(in_force), "other_text": asdict(other)},
        "calls": [
            {"call_id": c.call_id, "recording_id": c.recording_id, "started_at": c.started_at, "account_id": c.account_id,
             "finding": c.reason, "evidence": list(c.evidence)}
            for c in incident.calls
        ],
    }


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _rows(pairs: list[tuple[str, Any]]) -> str:
    return "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in pairs)


def _deadline_table(block: dict) -> str:
    head = f"<h3>{_e(block['title'])}{' (in force)' if block['in_force'] else ' (shown for comparison)'}</h3>"
    if block["provisional"]:
        head += "<p class=note>Provisional: counted from discovery until a reasonable determination is recorded.</p>"
    rows = "".join(
        f"<tr><td>{_e(d['party'])}</td><td>{_e(d['kind'].replace('_', ' '))}</td><td>{_e(d['local_date'] or '-')}</td>"
        f"<td>{_e(d['note'])}</td></tr>"
        for d in block["deadlines"]
    )
    return head + f"<table><tr><th>who</th><th>when</th><th>date</th><th>why</th></tr>{rows}</table>"


def render_html(packet: dict) -> str:
    """A printable page of the packet; every value escaped."""
    contact = packet["carrier_contact"]
    facts = _rows([
        ("Carrier", contact["carrier"]), ("Contact", contact["name"]), ("E-mail", contact["email"]), ("Phone", contact["phone"]),
        ("Status", packet["status"]), ("Description", packet["description"]), ("Method of compromise", packet["method_of_compromise"]),
        ("Date range", f"{packet['date_range']['first_call'] or '?'} to {packet['date_range']['last_call'] or '?'}"),
        ("Discovered", packet["discovered_at"]), ("Reasonable determination", packet["reasonable_determination_at"] or "not yet"),
        ("Agencies notified", packet["agencies_notified_at"] or "not yet"),
        ("Number of customers", packet["number_of_customers"]), ("Accounts", ", ".join(packet["accounts"]) or "none on record"),
        ("Data types", "; ".join(packet["data_types"]) or "none detected"), ("Estimated loss", packet["estimated_loss"]),
        ("Harm reasonably likely", "yes" if packet["harm_reasonably_likely"] else "no"),
    ])
    calls = "".join(
        f"<li>{_e(c['call_id'] or c['recording_id'][:12])} ({_e(c['started_at'] or '?')}): {_e(c['finding'])}<ul>"
        + "".join(f"<li>[{_e(e.get('start'))} s] {_e(e.get('quote'))} <em>{_e(e.get('note'))}</em></li>" for e in c["evidence"])
        + "</ul></li>"
        for c in packet["calls"]
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Incident #{_e(packet['incident'])} notification packet (draft)</title>
<style>
body {{ font: 11pt/1.4 serif; margin: 2em; }} table {{ border-collapse: collapse; margin: .5em 0 1em; }}
th, td {{ border: 1px solid #999; padding: .2em .5em; text-align: left; vertical-align: top; }}
.draft {{ border: 3px solid #b00; color: #b00; padding: .5em; font-weight: bold; }} .note {{ font-style: italic; }}
@media print {{ body {{ margin: 0; }} a {{ color: inherit; }} }}
</style></head><body>
<p class=draft>{_e(packet['notice'])}</p>
<h1>CPNI breach notification packet: incident #{_e(packet['incident'])}</h1>
<p>Prepared {_e(packet['prepared_at'])} under 47 CFR 64.2011.</p>
<h2>Facts</h2><table>{facts}</table>
<h2>Deadlines</h2>{_deadline_table(packet['deadlines']['in_force'])}{_deadline_table(packet['deadlines']['other_text'])}
<h2>Calls and evidence (redacted)</h2><ul>{calls}</ul>
</body></html>
"""
