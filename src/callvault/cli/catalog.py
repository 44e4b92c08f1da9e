"""`callvault search | show | calls | audit`: reading the catalog.

Library results in, text out: tables via rich, or JSON / CSV for scripts.
Only redacted text is ever in the catalog, so nothing here can print a raw value.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from typing import Any, Callable

import click

from callvault.cli.app import cli, open_catalog
from callvault.csvsafe import safe_rows

FORMATS = ("table", "json", "csv")
# Private-use marks around a hit inside a snippet, swapped for styling in tables.
_HIT_OPEN, _HIT_CLOSE = "\ue000", "\ue001"


def _call_filter_options(func: Callable) -> Callable:
    options = [
        click.option("--from", "date_from", metavar="DATE", help="Calls started on or after DATE (YYYY-MM-DD or ISO time)."),
        click.option("--to", "date_to", metavar="DATE", help="Calls started on or before DATE (a bare date: that whole day)."),
        click.option("--agent", help="Calls handled by this agent id."),
        click.option("--direction", type=click.Choice(["inbound", "outbound"]), help="Call direction."),
        click.option("--entity", metavar="ENTITY", help="Calls with a finding of this entity, e.g. CALL_NUMBER."),
        click.option("--event", metavar="TYPE", help="Calls with a consent event of this type, e.g. APPROVAL_DENIED."),
        click.option("--violation", metavar="RULE", help="Calls that failed this rule, e.g. R1."),
        click.option("--status", help="Calls with this status (compliant, violations, needs_review), or incident: in an open breach incident."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _page_options(default_limit: int) -> Callable[[Callable], Callable]:
    def decorate(func: Callable) -> Callable:
        func = click.option(
            "--offset", type=click.IntRange(min=0), default=0, show_default=True, help="Skip this many results."
        )(func)
        func = click.option(
            "--limit", type=click.IntRange(min=1), default=default_limit, show_default=True, help="Results per page."
        )(func)
        func = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)(func)
        return func

    return decorate


def _clock(seconds: float | None) -> str:
    from callvault.formats import clock

    return clock(seconds or 0.0)


def _text(value: Any) -> Any:
    """A rich Text cell, so bracketed placeholders like [PAN] are never read as markup."""
    from rich.text import Text

    return Text("" if value is None else str(value))


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def _write_csv(header: list[str], rows: list[list[Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(safe_rows(rows))
    click.echo(buffer.getvalue(), nl=False)


def _write_json(doc: Any) -> None:
    click.echo(json.dumps(doc, indent=2, ensure_ascii=False))


# -- search -----------------------------------------------------------------------


@cli.command()
@click.argument("query")
@_call_filter_options
@click.option("--speaker", type=click.Choice(["agent", "customer"]), help="Only turns spoken by this role.")
@click.option("--order", type=click.Choice(["newest", "relevance"]), default="newest", show_default=True,
              help="newest: most recently catalogued first (fast for any term); relevance: BM25 rank.")
@_page_options(default_limit=20)
@click.pass_context
def search(ctx: click.Context, query: str, fmt: str, limit: int, offset: int, order: str, **filters: Any) -> None:
    """Search the redacted transcripts of every call.

    QUERY uses SQLite FTS5 syntax: words, "quoted phrases", prefix*, AND / OR /
    NOT, parentheses. Example: callvault search '"account number" AND cancel*' --speaker agent
    """
    from callvault.catalog import SearchFilters

    marks = (_HIT_OPEN, _HIT_CLOSE) if fmt == "table" else ("**", "**")
    with open_catalog(ctx) as catalog:
        results = catalog.search(query, SearchFilters(**filters), limit=limit, offset=offset, order=order, marks=marks)
    hits = [dataclasses.asdict(hit) for hit in results.hits]
    if fmt == "json":
        _write_json({"query": results.query, "limit": limit, "offset": offset, "has_more": results.has_more, "hits": hits})
    elif fmt == "csv":
        from callvault.catalog import SearchHit

        fields = [f.name for f in dataclasses.fields(SearchHit)]
        _write_csv(fields, [[hit[f] for f in fields] for hit in hits])
    else:
        _print_hits(results)


def _marked(snippet: str, styled: bool) -> Any:
    """The snippet with its hits in reverse video on a terminal, else between ** marks."""
    from rich.text import Text

    text = Text()
    for i, part in enumerate(snippet.replace(_HIT_CLOSE, _HIT_OPEN).split(_HIT_OPEN)):
        if i % 2 and not styled:
            part = f"**{part}**"
        text.append(part, style="bold reverse" if i % 2 and styled else "")
    return text


def _print_hits(results: Any) -> None:
    from rich.table import Table

    console = _console()
    if not results.hits:
        console.print(_text(f"no matches for {results.query!r}" + (f" past offset {results.offset}" if results.offset else "")))
        return
    table = Table(show_lines=False)
    for column in ("call", "date", "at", "speaker"):
        table.add_column(column, no_wrap=True)
    table.add_column("snippet", overflow="fold", ratio=1)
    for hit in results.hits:
        table.add_row(
            _text(hit.call_id or hit.recording_id[:12]),
            _text((hit.started_at or "")[:10]),
            _text(_clock(hit.start)),
            _text(f"{hit.role} ({hit.speaker})"),
            _marked(hit.snippet, console.is_terminal),
        )
    console.print(table)
    first = results.offset + 1
    footer = f"results {first}-{results.offset + len(results.hits)}"
    if results.has_more:
        footer += f"; more with --offset {results.offset + results.limit}"
    console.print(_text(footer))


# -- calls ------------------------------------------------------------------------


@cli.command()
@_call_filter_options
@_page_options(default_limit=50)
@click.pass_context
def calls(ctx: click.Context, fmt: str, limit: int, offset: int, **filters: Any) -> None:
    """List catalogued calls, latest first, with counts of findings, events and violations."""
    from callvault.catalog import CallFilters

    with open_catalog(ctx) as catalog:
        summaries = catalog.calls(CallFilters(**filters), limit=limit, offset=offset)
    rows = [dataclasses.asdict(s) for s in summaries]
    if fmt == "json":
        _write_json({"limit": limit, "offset": offset, "calls": rows})
        return
    if fmt == "csv":
        from callvault.catalog import CallSummary

        fields = [f.name for f in dataclasses.fields(CallSummary)]
        _write_csv(fields, [[row[f] for f in fields] for row in rows])
        return
    from rich.table import Table

    console = _console()
    if not summaries:
        console.print(_text("no calls match"))
        return
    table = Table()
    for column in ("call", "started", "dir", "agent", "length", "status", "find", "evt", "viol"):
        table.add_column(column, overflow="fold", justify="right" if column in ("find", "evt", "viol") else "left")
    for s in summaries:
        table.add_row(*map(_text, (
            s.call_id or s.recording_id[:12], (s.started_at or "")[:16].replace("T", " "), (s.direction or "")[:3],
            s.agent_id or "",
            _clock(s.duration), s.status, s.findings, s.events, s.violations,
        )))
    console.print(table)
    console.print(_text("find: findings, evt: consent events, viol: failed rule checks"))


# -- show -------------------------------------------------------------------------


@cli.command()
@click.argument("call")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def show(ctx: click.Context, call: str, fmt: str) -> None:
    """Print one call's redacted transcript with findings and events inline.

    CALL is a call id, a call folder name, or at least 6 characters of the recording id.
    """
    with open_catalog(ctx) as catalog:
        detail = catalog.call(call)
    if fmt == "json":
        _write_json(dataclasses.asdict(detail))
    else:
        _print_detail(detail)


def _print_detail(detail: Any) -> None:
    from rich.text import Text

    from callvault.catalog import EventRow, FindingRow, TurnRow, timeline

    console = _console()
    s = detail.summary
    console.print(Text(f"call {s.call_id or '-'}  recording {s.recording_id}", style="bold"))
    meta = [
        f"started {s.started_at or '?'}", f"{s.direction or '?'}", f"agent {s.agent_id or '?'}",
        f"length {_clock(s.duration)}", f"status {s.status}", f"processed {s.processed_at}",
    ]
    console.print(_text("  ".join(meta)))
    for stage in detail.stages:
        console.print(_text(f"  stage {stage.stage}: {stage.model or '-'} {json.dumps(dict(stage.versions), sort_keys=True)}"))
    console.print()
    for item in timeline(detail):
        if isinstance(item, TurnRow):
            line = Text(f"[{_clock(item.start)}] ", style="dim")
            line.append(f"{item.role.upper()} ({item.speaker}): ", style="bold")
            line.append(item.text)
            console.print(line)
        elif isinstance(item, FindingRow):
            why = item.explanation.get("recognizer", "")
            console.print(Text(
                f"    ⚑ {item.category} {item.entity} {_clock(item.start)}–{_clock(item.end)} "
                f"{item.role} score {item.score:.2f} ({why})", style="yellow",
            ))
        elif isinstance(item, EventRow):
            console.print(Text(
                f"    ◆ {item.type} {_clock(item.start)}–{_clock(item.end)} {item.role} "
                f"confidence {item.confidence:.2f}: {item.why}", style="cyan",
            ))
    if detail.rules:
        console.print()
        for rule in detail.rules:
            style = {"fail": "red", "warn": "yellow", "pass": "green"}.get(rule.status, "")
            console.print(Text(f"{rule.rule} {rule.status.upper()} {rule.title}: {rule.reason}".rstrip(": "), style=style))
            for ev in rule.evidence:
                console.print(_text(f"    [{_clock(ev.get('start'))}] {ev.get('quote', '')}"))


# -- audit ------------------------------------------------------------------------


@cli.group()
def audit() -> None:
    """Check or export the hash-chained audit log."""


@audit.command("verify")
@click.option("--head", metavar="SEQ:HASH", help="An earlier `audit verify` head, to detect a truncated log.")
@click.pass_context
def audit_verify(ctx: click.Context, head: str | None) -> None:
    """Check that no audit entry was edited, deleted or reordered."""
    expected = None
    if head:
        seq, _, digest = head.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise click.BadParameter("give SEQ:HASH as printed by `callvault audit verify`", param_hint="--head")
        expected = (int(seq), digest)
    with open_catalog(ctx) as catalog:
        problems = catalog.audit.verify(expected)
        seq, digest = catalog.audit.head()
    if problems:
        for problem in problems:
            click.echo(f"audit: {problem}", err=True)
        raise click.ClickException(
            f"the audit log fails verification ({len(problems)} problem(s) above); keep this catalog "
            "as evidence, and compare it with an earlier `callvault audit export`"
        )
    click.echo(f"audit log intact: {seq} entries; head {seq}:{digest}")


@audit.command("export")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write JSON lines here (default: stdout).")
@click.pass_context
def audit_export(ctx: click.Context, out: str | None) -> None:
    """Export the audit log as JSON lines, oldest first."""
    from callvault.catalog.audit import canonical_json

    with open_catalog(ctx) as catalog:
        lines = [canonical_json(entry) + "\n" for entry in catalog.audit.export()]
    if out:
        from callvault.fsutil import atomic_write_text

        atomic_write_text(out, "".join(lines))
        click.echo(f"wrote {len(lines)} audit entries to {out}", err=True)
    else:
        click.echo("".join(lines), nl=False)
