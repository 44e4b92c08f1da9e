"""`callvault consent CALL` and `callvault report`: what compliance officers run, read from the catalog."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from callvault.cli.app import app_config, cli, open_catalog
from callvault.formats import clock


def _timeline_lines(record) -> list[str]:
    lines = []
    for e in record.events:
        lines.append(f"  {clock(e.start)}  {e.role:<8} {e.type:<28} {e.quote}")
    return lines or ["  (no consent or disclosure events)"]


def _rule_lines(record) -> list[str]:
    lines = []
    for r in record.rules:
        lines.append(f"  {r.status.upper():<14} {r.rule:<4} {r.title}  [{r.citation}]")
        if r.status in ("fail", "warn", "not_applicable") and r.reason:
            lines.append(f"  {'':<14} {'':<4} {r.reason}")
        if r.status in ("fail", "warn"):
            for e in r.evidence:
                lines.append(f"  {'':<14} {'':<4} {clock(e.start)} {e.note}: {e.quote}")
    return lines


@cli.command()
@click.argument("call")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
@click.option(
    "--clips",
    "clips_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Also export the redacted audio of each event's time span into this folder.",
)
@click.pass_context
def consent(ctx: click.Context, call: str, fmt: str, clips_dir: str | None) -> None:
    """Show CALL's consent timeline (time, role, event, redacted quote) and rule results.

    CALL is a call id, a recording id (or its first 6+ characters) or a call folder name.
    """
    from callvault.compliance.clips import export_clips
    from callvault.compliance.serialize import events_to_dicts, rules_to_dicts
    from callvault.compliance.store import read_call

    config = app_config(ctx)
    with open_catalog(ctx) as catalog:
        record = read_call(catalog, call, config.data_dir)
    clips = export_clips(record.audio, record.events, Path(clips_dir), record.turn_spans) if clips_dir else []
    if fmt == "json":
        doc = {
            "call": record.call_id or record.name,
            "folder": str(record.folder),
            "recording_id": record.recording_id,
            "date": record.day.isoformat() if record.day else None,
            "direction": record.direction,
            "customer_states": list(record.customer_states),
            "verdict": record.verdict,
            "events": events_to_dicts(record.events),
            "rules": rules_to_dicts(record.rules),
            "clips": [str(p) for p in clips],
        }
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    click.echo(
        f"Call {record.call_id or record.name}  recording {record.recording_id[:12]}  "
        f"{record.direction or 'direction unknown'}  states: {' '.join(record.customer_states) or 'unknown'}"
    )
    click.echo(f"Verdict: {record.verdict.replace('_', ' ').upper()}")
    click.echo("\nConsent timeline")
    click.echo("\n".join(_timeline_lines(record)))
    click.echo("\nRule checks")
    click.echo("\n".join(_rule_lines(record)))
    if clips:
        click.echo(f"\n{len(clips)} clip(s) written to {clips_dir}")


@cli.command()
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Report on calls of this day (YYYY-MM-DD).")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First day of the range.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last day of the range (default: the --from day).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "json"]),
    default="html",
    show_default=True,
    help="html writes a printable HTML page and a CSV (one row per call and rule); json writes one JSON document.",
)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None, help="Folder for the report files (default: DATA_DIR/reports).")
@click.pass_context
def report(ctx: click.Context, day, start, end, fmt: str, out_dir: str | None) -> None:
    """Write a compliance report for every call processed in a date range."""
    from callvault.compliance.report import render_csv, render_html, report_dict
    from callvault.compliance.store import scan_calls
    from callvault.fsutil import atomic_write_json, atomic_write_text

    if day and (start or end):
        raise click.UsageError("give either --date or --from/--to, not both")
    if not day and not start:
        raise click.UsageError("give --date D or --from D1 [--to D2]")
    first: date = (day or start).date()
    last: date = (day or end or start).date()
    if last < first:
        raise click.UsageError(f"--to {last} is before --from {first}")
    config = app_config(ctx)
    with open_catalog(ctx) as catalog:
        calls = scan_calls(catalog, first, last, config.data_dir)
    folder = Path(out_dir) if out_dir else Path(config.data_dir) / "reports"
    stem = f"compliance-{first.isoformat()}" if first == last else f"compliance-{first.isoformat()}_{last.isoformat()}"
    title = f"Compliance report {first.isoformat()}" + ("" if first == last else f" to {last.isoformat()}")
    if fmt == "json":
        written = [atomic_write_json(folder / f"{stem}.json", report_dict(calls, title))]
    else:
        written = [atomic_write_text(folder / f"{stem}.html", render_html(calls, title)), atomic_write_text(folder / f"{stem}.csv", render_csv(calls))]
    verdicts = report_dict(calls, title)["summary"]["verdicts"]
    click.echo(f"{len(calls)} call(s): " + ", ".join(f"{n} {v.replace('_', ' ')}" for v, n in verdicts.items()))
    for path in written:
        click.echo(f"wrote {path}")
