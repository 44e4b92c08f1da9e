"""`callvault incidents list | show | confirm | dismiss | report | close | agency | export`.

The CPNI breach incident register (47 CFR 64.2011). Deadlines are shown under
the rule text the ``[breach]`` setting puts in force, with the other beside it.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import click

from callvault.cli.app import app_config, cli, open_catalog, os_user, parse_moment

FORMATS = ("table", "json")


def _options(ctx: click.Context):
    from callvault.compliance.breach import BreachOptions

    return BreachOptions.from_table(app_config(ctx).table("breach"))


def _document(incident: Any, options: Any) -> dict:
    from callvault.compliance.breach import both_texts

    in_force, other = both_texts(options.rule_text, incident.facts(), options.zone)
    doc = dataclasses.asdict(incident)
    doc.update(
        open=incident.is_open, customers=incident.customers, accounts=list(incident.accounts),
        data_types=list(incident.data_types), deadlines=[dataclasses.asdict(in_force), dataclasses.asdict(other)],
    )
    return doc


def _echo_json(doc: Any) -> None:
    click.echo(json.dumps(doc, indent=2, ensure_ascii=False))


def _text(value: Any) -> Any:
    from rich.text import Text

    return Text("" if value is None else str(value))


def _next_due(doc: dict) -> str:
    due = [d for d in doc["deadlines"][0]["deadlines"] if d["kind"] == "due_by"]
    return f"{due[0]['local_date']} {due[0]['party'].split(' (')[0]}" if due else "-"


@cli.group()
def incidents() -> None:
    """The CPNI breach incident register: candidates from R16, deadlines, draft notices."""


@incidents.command("list")
@click.option("--status", type=click.Choice(["open", "candidate", "confirmed", "dismissed", "reported", "closed"]),
              help="Only incidents with this status (open: candidate, confirmed or reported).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_context
def list_command(ctx: click.Context, status: str | None, fmt: str) -> None:
    """List incidents, oldest first, with their first deadline under the rule text in force."""
    from callvault.catalog.incidents import list_incidents

    options = _options(ctx)
    with open_catalog(ctx) as catalog:
        docs = [_document(i, options) for i in list_incidents(catalog.conn, status)]
    if fmt == "json":
        _echo_json({"rule_text": options.rule_text, "incidents": docs})
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=False)
    if not docs:
        console.print(_text("no incidents" + (f" with status {status}" if status else "")))
        return
    table = Table()
    for column in ("id", "status", "discovered", "determined", "calls", "customers", f"next due ({options.rule_text})"):
        table.add_column(column, overflow="fold")
    for d in docs:
        table.add_row(*map(_text, (d["id"], d["status"], d["discovered_at"][:16].replace("T", " "), (d["determined_at"] or "-")[:16].replace("T", " "),
                                   len(d["calls"]), d["customers"], _next_due(d))))
    console.print(table)


@incidents.command("show")
@click.argument("incident_id", type=int)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_context
def show_command(ctx: click.Context, incident_id: int, fmt: str) -> None:
    """One incident: calls, customers, data types, deadlines under both rule texts, history."""
    from callvault.catalog.incidents import get_incident

    options = _options(ctx)
    with open_catalog(ctx) as catalog:
        doc = _document(get_incident(catalog.conn, incident_id), options)
    if fmt == "json":
        _echo_json(doc)
        return
    lines = [
        f"incident #{doc['id']}  {doc['status']}  discovered {doc['discovered_at']}  determined {doc['determined_at'] or '-'}",
        f"method: {doc['method']}",
        f"customers: {doc['customers']}  accounts: {', '.join(doc['accounts']) or '-'}",
        f"data types: {'; '.join(doc['data_types']) or '-'}",
        f"harm reasonably likely: {'yes' if doc['harm_likely'] else 'no'}  estimated loss: {doc['estimated_loss'] or '-'}",
    ]
    for block in doc["deadlines"]:
        lines.append("")
        lines.append(block["title"] + ("  [IN FORCE]" if block["in_force"] else "  [for comparison]")
                     + ("  (provisional, from discovery)" if block["provisional"] else ""))
        for d in block["deadlines"]:
            lines.append(f"  {d['party']}: {d['kind'].replace('_', ' ')} {d['local_date'] or ''}  {d['note']}".rstrip())
    lines.append("")
    lines.append("calls:")
    for c in doc["calls"]:
        lines.append(f"  {c['call_id'] or c['recording_id'][:12]}  {c['started_at'] or '?'}  account {c['account_id'] or '-'}  hold #{c['hold_id']}")
        for e in c["evidence"]:
            lines.append(f"    [{e['start']:.1f} s] {e['quote']}  ({e['note']})")
    lines.append("")
    lines.append("history:")
    for h in doc["history"]:
        lines.append(f"  {h['at']}  {h['action']}  by {h['actor']}: {h['reason']}")
    click.echo("\n".join(lines))


def _change(ctx: click.Context, incident_id: int, to: str, reason: str, **fields: Any) -> None:
    from callvault.catalog.incidents import change_status

    with open_catalog(ctx) as catalog:
        incident = change_status(catalog.conn, catalog.audit, incident_id, to, os_user(), reason, catalog.clock(), **fields)
    click.echo(f"incident #{incident.id} is now {incident.status}")


_reason = click.option("--reason", required=True, help="Why (kept in the audit log).")


@incidents.command("confirm")
@click.argument("incident_id", type=int)
@_reason
@click.option("--determined-at", metavar="TIME", help="When the reasonable determination was made (default: now).")
@click.option("--harm-likely/--no-harm-likely", default=None, help="Whether harm to customers is reasonably likely (default: yes).")
@click.option("--estimated-loss", metavar="TEXT", help="Estimated loss, for the notice.")
@click.pass_context
def confirm_command(ctx: click.Context, incident_id: int, reason: str, determined_at: str | None,
                    harm_likely: bool | None, estimated_loss: str | None) -> None:
    """Confirm a candidate: a breach reasonably determined; the clocks run from then."""
    _change(ctx, incident_id, "confirmed", reason, determined_at=parse_moment(determined_at, "--determined-at"),
            harm_likely=harm_likely, estimated_loss=estimated_loss)


def _final_command(name: str, to: str, doc: str) -> None:
    """``dismiss`` and ``close``: a status change that ends the incident."""

    @click.argument("incident_id", type=int)
    @_reason
    @click.pass_context
    def command(ctx: click.Context, incident_id: int, reason: str) -> None:
        _change(ctx, incident_id, to, reason)

    command.__doc__ = doc
    incidents.command(name)(command)


_final_command("dismiss", "dismissed", "Dismiss an incident (no breach); its calls' holds are released, its record kept 2 years.")
_final_command("close", "closed", "Close a reported incident; holds released, its calls kept 2 more years.")


@incidents.command("report")
@click.argument("incident_id", type=int)
@_reason
@click.option("--notified-at", metavar="TIME", help="When the agencies were notified (default: now).")
@click.pass_context
def report_command(ctx: click.Context, incident_id: int, reason: str, notified_at: str | None) -> None:
    """Record that the agencies were notified (the officer filed the notice)."""
    _change(ctx, incident_id, "reported", reason, agencies_notified_at=parse_moment(notified_at, "--notified-at"))


@incidents.command("agency")
@click.argument("incident_id", type=int)
@_reason
@click.option("--delay-until", metavar="DATE", help="An agency directed customer notice to wait until DATE (YYYY-MM-DD).")
@click.option("--allow-early", is_flag=True, help="An agency agreed customers may be told before the 7 business days (2007 text).")
@click.option("--estimated-loss", metavar="TEXT", help="Estimated loss, for the notice.")
@click.pass_context
def agency_command(ctx: click.Context, incident_id: int, reason: str, delay_until: str | None, allow_early: bool,
                   estimated_loss: str | None) -> None:
    """Record an agency's instruction on customer notice (or the estimated loss) for an open incident."""
    from datetime import date

    from callvault.catalog.incidents import amend

    delay = None
    if delay_until:
        try:
            delay = date.fromisoformat(delay_until)
        except ValueError:
            raise click.BadParameter(f"{delay_until!r} is not a date (YYYY-MM-DD)", param_hint="--delay-until") from None
    if delay is None and not allow_early and estimated_loss is None:
        raise click.UsageError("give --delay-until, --allow-early or --estimated-loss")
    with open_catalog(ctx) as catalog:
        amend(catalog.conn, catalog.audit, incident_id, os_user(), reason, catalog.clock(), agency_delay_until=delay,
              agency_allows_early=allow_early or None, estimated_loss=estimated_loss)
    click.echo(f"incident #{incident_id} updated")


@incidents.command("export")
@click.argument("incident_id", type=int)
@click.option("--out", type=click.Path(file_okay=False), help="Write packet.json and packet.html into this folder.")
@click.option("--format", "fmt", type=click.Choice(["json", "html"]), default="json", show_default=True,
              help="What to print when --out is not given.")
@click.pass_context
def export_command(ctx: click.Context, incident_id: int, out: str | None, fmt: str) -> None:
    """The draft notification packet (JSON and printable HTML). A draft: nothing is sent."""
    from callvault.catalog.incidents import get_incident
    from callvault.compliance.breach.packet import build_packet, render_html

    options = _options(ctx)
    with open_catalog(ctx) as catalog:
        packet = build_packet(get_incident(catalog.conn, incident_id), options, catalog.clock())
        catalog.audit.append("incident.export", os_user(), None, "draft notification packet prepared",
                             {"incident": incident_id, "to_file": bool(out)})
    page = render_html(packet)
    if not out:
        click.echo(page if fmt == "html" else json.dumps(packet, indent=2, ensure_ascii=False), nl=fmt != "html")
        return
    from callvault.fsutil import atomic_write_text

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"incident-{incident_id}-packet"
    atomic_write_text(folder / f"{stem}.json", json.dumps(packet, indent=2, ensure_ascii=False) + "\n")
    atomic_write_text(folder / f"{stem}.html", page)
    click.echo(f"wrote {folder / stem}.json and .html (draft; file it yourself)", err=True)
