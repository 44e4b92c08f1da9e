"""`callvault records number|approval|import`: the facts rules R5 and R9 read from the catalog.

A number of record is only ever shown as its last four digits; every change
is audited with the OS user, never with the number itself. Adding and
importing create the catalog when there is none yet: the records can be
loaded before the first call is processed.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from callvault.cli.app import cli, open_catalog, os_user, parse_moment

_format_option = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)


def _now(catalog) -> str:
    from callvault.clock import iso_utc

    return iso_utc(catalog.clock())


@cli.group()
def records() -> None:
    """Numbers of record (R5) and supervisor approvals (R9) the CPNI rules check calls against."""


@records.group()
def number() -> None:
    """An account's numbers of record: a callback may carry call detail only to one of them (R5)."""


@number.command("add")
@click.argument("account")
@click.argument("phone_number", metavar="NUMBER")
@click.pass_context
def number_add(ctx: click.Context, account: str, phone_number: str) -> None:
    """Record NUMBER as a number of record of ACCOUNT (any punctuation; the last ten digits are kept)."""
    from callvault.catalog.facts import add_number_of_record, mask_number

    with open_catalog(ctx, create=True) as catalog:
        added = add_number_of_record(catalog.conn, account, phone_number, _now(catalog), audit=catalog.audit, actor=os_user())
    click.echo(f"{'added' if added else 'already on file:'} {mask_number(phone_number)} for account {account.strip()}")


@number.command("list")
@click.argument("account", required=False)
@_format_option
@click.pass_context
def number_list(ctx: click.Context, account: str | None, fmt: str) -> None:
    """List numbers of record (of ACCOUNT, or all), masked to their last four digits."""
    from callvault.catalog.facts import list_numbers_of_record

    with open_catalog(ctx) as catalog:
        entries = list_numbers_of_record(catalog.conn, account)
    if fmt == "json":
        click.echo(json.dumps([{"account_id": e.account_id, "number": e.masked, "added_at": e.added_at} for e in entries], indent=2))
        return
    if not entries:
        click.echo(f"no numbers of record for account {account}" if account else "no numbers of record")
        return
    for e in entries:
        click.echo(f"{e.account_id:<20} {e.masked}  added {e.added_at}")


@number.command("remove")
@click.argument("account")
@click.argument("phone_number", metavar="NUMBER")
@click.pass_context
def number_remove(ctx: click.Context, account: str, phone_number: str) -> None:
    """Remove NUMBER from ACCOUNT's numbers of record."""
    from callvault.catalog.facts import mask_number, remove_number_of_record

    with open_catalog(ctx) as catalog:
        remove_number_of_record(catalog.conn, account, phone_number, audit=catalog.audit, actor=os_user())
    click.echo(f"removed {mask_number(phone_number)} from account {account.strip()}")


@records.group()
def approval() -> None:
    """Supervisor approvals of outbound CPNI approval requests, by call or campaign (R9)."""


@approval.command("add")
@click.option("--call", metavar="ID", help="Approve the outbound call with this call id.")
@click.option("--campaign", metavar="ID", help="Approve every outbound call of this campaign id.")
@click.option("--supervisor", required=True, metavar="NAME", help="Who approved it.")
@click.option("--at", "at", metavar="TIME", default=None, help="When it was approved (ISO 8601; default: now).")
@click.pass_context
def approval_add(ctx: click.Context, call: str | None, campaign: str | None, supervisor: str, at: str | None) -> None:
    """Record a supervisor's approval of an outbound call or campaign."""
    from callvault.catalog.facts import add_supervisor_approval
    from callvault.clock import iso_utc

    given = [(scope, value) for scope, value in (("call", call), ("campaign", campaign)) if value]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --call, --campaign")
    moment = parse_moment(at, "--at")
    scope, value = given[0]
    with open_catalog(ctx, create=True) as catalog:
        stamp = iso_utc(moment) if moment else _now(catalog)
        added = add_supervisor_approval(catalog.conn, scope, value, supervisor, stamp, audit=catalog.audit, actor=os_user())
    click.echo(f"{'approval recorded' if added else 'approval already on file'}: {scope} {value} by {supervisor.strip()} at {stamp}")


@approval.command("list")
@_format_option
@click.pass_context
def approval_list(ctx: click.Context, fmt: str) -> None:
    """List supervisor approvals, oldest first."""
    from callvault.catalog.facts import list_supervisor_approvals

    with open_catalog(ctx) as catalog:
        entries = list_supervisor_approvals(catalog.conn)
    if fmt == "json":
        click.echo(json.dumps([dataclasses.asdict(e) for e in entries], indent=2))
        return
    if not entries:
        click.echo("no supervisor approvals")
        return
    for e in entries:
        click.echo(f"{e.id:>4}  {e.scope:<8} {e.value:<24} by {e.supervisor}  at {e.approved_at}")


@records.command("import")
@click.argument("path", metavar="FILE.csv", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def records_import(ctx: click.Context, path: str) -> None:
    """Load numbers of record and approvals from a CSV (a CRM export), all or nothing.

    Columns: kind (number or approval), account_id, number (number rows),
    scope (call or campaign), value, supervisor, approved_at (approval rows).
    """
    from callvault.catalog.facts import import_facts, parse_facts_csv

    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}: not UTF-8 text; export the CSV as UTF-8") from None
    with open_catalog(ctx, create=True) as catalog:
        batch = parse_facts_csv(text, path, _now(catalog))
        numbers, approvals = import_facts(catalog.conn, catalog.audit, batch, path, os_user())
    rows = len(batch.numbers) + len(batch.approvals)
    click.echo(f"imported {path}: {rows} rows, {numbers} new numbers of record, {approvals} new supervisor approvals")
