"""Officer reports over many calls: self-contained printable HTML, CSV, JSON. Pure: strings out."""

from __future__ import annotations

import csv
import io
from collections import Counter
from html import escape
from typing import Sequence

from callvault.compliance.serialize import events_to_dicts, rules_to_dicts
from callvault.compliance.store import CallRecord
from callvault.csvsafe import safe_rows
from callvault.formats import clock
from callvault.models.compliance import RuleResult

VERDICT_ORDER = {"violations": 0, "needs_review": 1, "compliant": 2}
STATUS_ORDER = {"fail": 0, "warn": 1, "pass": 2, "not_applicable": 3}
CSV_FIELDS = ("date", "call", "recording_id", "direction", "customer_states", "verdict", "rule", "status", "title", "citation", "reason", "evidence")


def _evidence_text(result: RuleResult, limit: int = 3) -> str:
    return " | ".join(f"{clock(e.start)} {e.note}: {e.quote}".strip() for e in result.evidence[:limit])


def report_rows(calls: Sequence[CallRecord]) -> list[dict]:
    """One row per call and rule."""
    rows = []
    for call in calls:
        for result in call.rules:
            rows.append(
                {
                    "date": call.day.isoformat() if call.day else "",
                    "call": call.call_id or call.name,
                    "recording_id": call.recording_id,
                    "direction": call.direction or "",
                    "customer_states": " ".join(call.customer_states),
                    "verdict": call.verdict,
                    "rule": result.rule,
                    "status": result.status,
                    "title": result.title,
                    "citation": result.citation,
                    "reason": result.reason,
                    "evidence": _evidence_text(result),
                }
            )
    return rows


def render_csv(calls: Sequence[CallRecord]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(safe_rows(report_rows(calls)))
    return buffer.getvalue()


def report_dict(calls: Sequence[CallRecord], title: str) -> dict:
    return {
        "title": title,
        "summary": summary(calls),
        "calls": [
            {
                "date": c.day.isoformat() if c.day else None,
                "call": c.call_id or c.name,
                "folder": c.name,
                "recording_id": c.recording_id,
                "direction": c.direction,
                "customer_states": list(c.customer_states),
                "verdict": c.verdict,
                "events": events_to_dicts(c.events),
                "rules": rules_to_dicts(c.rules),
            }
            for c in _ordered(calls)
        ],
    }


def summary(calls: Sequence[CallRecord]) -> dict:
    verdicts = Counter(c.verdict for c in calls)
    failed = Counter(r.rule for c in calls for r in c.rules if r.status == "fail")
    warned = Counter(r.rule for c in calls for r in c.rules if r.status == "warn")
    return {
        "calls": len(calls),
        "verdicts": {v: verdicts.get(v, 0) for v in VERDICT_ORDER},
        "failures_by_rule": dict(sorted(failed.items(), key=lambda kv: int(kv[0][1:]))),
        "warnings_by_rule": dict(sorted(warned.items(), key=lambda kv: int(kv[0][1:]))),
        "events": sum(len(c.events) for c in calls),
    }


def _ordered(calls: Sequence[CallRecord]) -> list[CallRecord]:
    return sorted(calls, key=lambda c: (VERDICT_ORDER.get(c.verdict, 9), c.day.isoformat() if c.day else "", c.name))


_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#111}
h1{font-size:1.5em}h2{font-size:1.15em;margin:1.6em 0 .3em;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;margin:.4em 0}td,th{border:1px solid #ccc;padding:.25em .45em;text-align:left;vertical-align:top}
th{background:#f0f0f0}.fail{color:#a00;font-weight:bold}.warn{color:#a60;font-weight:bold}.pass{color:#060}.not_applicable{color:#777}
.verdict-violations{background:#fdd}.verdict-needs_review{background:#ffe9c7}.verdict-compliant{background:#dfd}
.badge{padding:.1em .5em;border-radius:.3em}.quote{font-family:ui-monospace,monospace;font-size:.92em}
section.call{page-break-inside:avoid;break-inside:avoid}details{margin:.3em 0}
@media print{body{margin:0}details{display:block}details>summary{display:none}details>*{display:block}a{color:#000}}
"""


def _rule_rows(results: Sequence[RuleResult]) -> str:
    rows = []
    for r in results:
        evidence = "<br>".join(
            f"{clock(e.start)}–{clock(e.end)} <i>{escape(e.note)}</i> <span class=quote>{escape(e.quote)}</span>" for e in r.evidence
        )
        rows.append(
            f"<tr><td class={r.status}>{escape(r.status.upper())}</td><td>{escape(r.rule)}</td><td>{escape(r.title)}<br><small>{escape(r.citation)}</small></td>"
            f"<td>{escape(r.reason)}</td><td>{evidence}</td></tr>"
        )
    return "<table><tr><th>status</th><th>rule</th><th>check</th><th>reason</th><th>evidence</th></tr>" + "".join(rows) + "</table>"


def _call_html(call: CallRecord) -> str:
    results = sorted(call.rules, key=lambda r: (STATUS_ORDER.get(r.status, 9), int(r.rule[1:]) if r.rule[1:].isdigit() else 99))
    flagged = [r for r in results if r.status in ("fail", "warn")]
    others = [r for r in results if r.status not in ("fail", "warn")]
    timeline = "".join(
        f"<tr><td>{clock(e.start)}</td><td>{escape(e.role)}</td><td>{escape(e.type)}</td><td class=quote>{escape(e.quote)}</td>"
        f"<td><small>{escape(e.why)}{' · ' + escape(', '.join(e.details)) if e.details else ''} · {e.confidence:.2f}</small></td></tr>"
        for e in call.events
    )
    header = (
        f"<h2 id='{escape(call.name)}'>{escape(call.call_id or call.name)} "
        f"<span class='badge verdict-{escape(call.verdict)}'>{escape(call.verdict.replace('_', ' '))}</span></h2>"
        f"<p>{escape(call.day.isoformat() if call.day else 'date unknown')} · {escape(call.direction or 'direction unknown')} · "
        f"states: {escape(' '.join(call.customer_states) or 'unknown')} · recording {escape(call.recording_id[:12])}</p>"
    )
    parts = [header]
    if flagged:
        parts.append("<h3>Violations and warnings</h3>" + _rule_rows(flagged))
    parts.append("<h3>Consent timeline</h3>")
    parts.append(
        "<table><tr><th>time</th><th>role</th><th>event</th><th>quote (redacted)</th><th>why</th></tr>" + timeline + "</table>"
        if timeline
        else "<p>No consent or disclosure events.</p>"
    )
    parts.append(f"<details><summary>Other checks ({len(others)})</summary>{_rule_rows(others)}</details>")
    return f"<section class=call>{''.join(parts)}</section>"


def render_html(calls: Sequence[CallRecord], title: str) -> str:
    """One self-contained page: summary counts, then each call, violations first."""
    s = summary(calls)
    counts = "".join(f"<tr><td>{escape(v.replace('_', ' '))}</td><td>{n}</td></tr>" for v, n in s["verdicts"].items())
    by_rule = ", ".join(f"{escape(k)}: {v}" for k, v in s["failures_by_rule"].items()) or "none"
    by_warn = ", ".join(f"{escape(k)}: {v}" for k, v in s["warnings_by_rule"].items()) or "none"
    body = "".join(_call_html(c) for c in _ordered(calls)) or "<p>No processed calls in this range.</p>"
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f"<table style='width:auto'><tr><th>calls</th><td>{s['calls']}</td></tr>{counts}</table>"
        f"<p>Failures by rule: {by_rule}<br>Warnings by rule (unverified rules): {by_warn}</p>"
        "<p><small>Quotes are redacted. Not legal advice; rules marked unverified warn instead of failing.</small></p>"
        f"{body}</body></html>\n"
    )
