"""`callvault retention check|plan|apply` and `callvault hold add|list|release`."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone
from typing import Any

from pathlib import Path

import click

from callvault.layout import CALLS
from callvault.cli.app import app_config, cli, open_catalog, os_user, parse_moment

policy_option = click.option(
    "--policy", "policy_path", type=click.Path(dir_okay=False), default=None,
    help="retention.toml to use (default: [retention] policy, DATA_DIR/retention.toml, else the built-in policy).",
)
at_option = click.option(
    "--at", "at", metavar="TIME", default=None,
    help="Plan as if it were TIME (ISO 8601, UTC when no zone is given); default: now.",
)


def _policy(ctx: click.Context, path: str | None) -> Any:
    from callvault.retention import policy_in_force

    return policy_in_force(app_config(ctx), path)


def _print_policy(policy: Any) -> None:
    click.echo(f"policy {policy.source} (fingerprint {policy.fingerprint()[:16]})")
    for number, rule in enumerate(policy.all_rules, 1):
        click.echo(f"  {number}. {rule.name:<24} keep {str(rule.keep):<10} when {rule.when.describe()}")


def _at(at: str | None):
    """--at, or now."""
    return parse_moment(at, "--at") or datetime.now(timezone.utc)


@cli.group()
def retention() -> None:
    """Retention policy: check it, plan the sweep, run the sweep."""


@retention.command("check")
@click.argument("policy_path", required=False, type=click.Path(dir_okay=False))
@at_option
@click.pass_context
def retention_check(ctx: click.Context, policy_path: str | None, at: str | None) -> None:
    """Validate a retention policy and show what it would change for this archive.

    POLICY_PATH defaults to the policy in force. Nothing is changed.
    """
    from callvault.models.errors import CatalogError
    from callvault.retention import policy_impact, state

    policy = _policy(ctx, policy_path)
    _print_policy(policy)
    click.echo("policy is valid; CPNI approval and notice evidence is kept at least 1 year")
    try:
        with open_catalog(ctx) as catalog:
            states = state.load_states(catalog, state.all_recordings(catalog.conn))
            impact = policy_impact(policy, states, _at(at))
    except CatalogError:
        click.echo("no catalog in the data folder yet, so nothing to compare against")
        return
    click.echo(f"{impact.objects} stored object(s) in the archive:")
    for name, count in impact.by_rule:
        click.echo(f"  {count:>7} under {name}")
    click.echo(f"  {impact.unchanged:>7} keep the expiry recorded when stored")
    click.echo(f"  {impact.longer:>7} would be kept longer")
    click.echo(f"  {impact.shorter:>7} would expire sooner under this policy, but keep their recorded expiry (a floor)")
    click.echo(f"  {impact.due:>7} would be deleted by a sweep now" + (f" ({impact.held} under legal hold: refused)" if impact.held else ""))


@retention.command("plan")
@policy_option
@at_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def retention_plan(ctx: click.Context, policy_path: str | None, at: str | None, fmt: str) -> None:
    """Dry run: what a sweep would delete or shred, why, and under which rule."""
    from callvault.retention import plan_now

    policy = _policy(ctx, policy_path)
    with open_catalog(ctx) as catalog:
        plan = plan_now(policy, catalog, _at(at))
    if fmt == "json":
        actions = [{k: v for k, v in dataclasses.asdict(a).items() if k != "ref"} | {"key": a.ref.key if a.ref else None}
                   for a in plan.actions]
        click.echo(json.dumps({"at": plan.at, "policy": plan.policy, "actions": actions}, indent=2))
        return
    if not plan.actions:
        click.echo(f"nothing to do at {plan.at}")
        return
    for a in plan.actions:
        call = a.call_id or a.recording_id[:12]
        click.echo(f"{a.action:<7} {call:<24} {a.kind or '-':<20} {a.reason}")
    click.echo(f"at {plan.at}: {plan.count('delete')} to delete, {plan.count('shred')} key(s) to shred, "
               f"{plan.count('held')} held by legal holds")


@retention.command("apply")
@policy_option
@click.option("--actor", default=None, help="Who runs the sweep, for the audit log (default: the OS user).")
@click.option("--s3-endpoint", default=None, metavar="URL", help="S3-compatible endpoint (overrides [vault] s3_endpoint).")
@click.pass_context
def retention_apply(ctx: click.Context, policy_path: str | None, actor: str | None, s3_endpoint: str | None) -> None:
    """Run the sweep: delete expired objects, shred keys of fully expired recordings, audit it all.

    Safe to run again after a crash; refuses to run while another sweep does.
    """
    from callvault.catalog import system_clock
    from callvault.retention import RetentionSettings, run_sweep
    from callvault.vault import open_vault

    config = app_config(ctx)
    policy = _policy(ctx, policy_path)
    settings = RetentionSettings.from_config(config)
    with open_catalog(ctx) as catalog, open_vault(config, s3_endpoint=s3_endpoint, catalog=catalog) as vault:
        report = run_sweep(policy, catalog, vault, clock=system_clock, actor=actor or os_user(),
                           lease_seconds=settings.lease_seconds, calls_dir=Path(config.data_dir) / CALLS)
    click.echo(f"sweep {report.sweep}: {report.deleted} object(s) deleted, {report.shredded} recording key(s) shredded, "
               f"{report.refused} call(s) kept for legal holds, {report.already_done} step(s) already done")
    for failure in report.failures:
        click.echo(f"failed: {failure}", err=True)
    if report.failures:
        raise click.ClickException(f"{len(report.failures)} object(s) could not be deleted; they are retried on the next sweep")


# -- legal holds ---------------------------------------------------------------------------


@cli.group()
def hold() -> None:
    """Legal holds: what they cover is never deleted or shredded, whatever the policy says."""


@hold.command("add")
@click.option("--call", "call", metavar="CALL", help="Hold one call (call id or recording id).")
@click.option("--account", metavar="ACCOUNT", help="Hold every call of this account.")
@click.option("--query", metavar="QUERY", help="Hold every call whose redacted text matches this search query.")
@click.option("--reason", required=True, help="Why (matter, ticket); kept with the hold and in the audit log.")
@click.option("--actor", default=None, help="Who places it (default: the OS user).")
@click.pass_context
def hold_add(ctx: click.Context, call: str | None, account: str | None, query: str | None, reason: str, actor: str | None) -> None:
    """Place a legal hold on a call, an account, or the calls a search matches."""
    from callvault.models.errors import CatalogError

    given = [(scope, value) for scope, value in (("call", call), ("account", account), ("query", query)) if value]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --call, --account, --query")
    if not reason.strip():
        raise click.BadParameter("must say why", param_hint="--reason")
    scope, value = given[0]
    with open_catalog(ctx) as catalog:
        note = ""
        if scope == "call":
            try:
                value = catalog.resolve(value)
            except CatalogError as exc:
                if "ambiguous" in str(exc):  # names several calls: the user must say which
                    raise
                note = "; no such call is catalogued yet: the hold covers it once it is processed under that call id"
        elif scope == "query":
            matched = catalog.search(value, limit=1)  # a malformed query fails here, not silently later
            note = "" if matched.hits else "; no call matches it yet"
        placed = catalog.place_hold(scope, value, reason, actor or os_user())
    click.echo(f"hold {placed.id} placed on {scope} {value}{note}")


@hold.command("list")
@click.option("--all", "all_", is_flag=True, help="Released holds too.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def hold_list(ctx: click.Context, all_: bool, fmt: str) -> None:
    """List legal holds (active ones unless --all)."""
    with open_catalog(ctx) as catalog:
        holds = catalog.holds(active_only=not all_)
    if fmt == "json":
        click.echo(json.dumps([dataclasses.asdict(h) for h in holds], indent=2))
        return
    if not holds:
        click.echo("no legal holds" if all_ else "no active legal holds")
        return
    for h in holds:
        state = "active" if h.active else f"released {h.released_at} by {h.released_by}: {h.release_reason}"
        click.echo(f"{h.id:>4}  {h.scope:<8} {h.value:<24} {h.created_at} by {h.actor}  {state}  reason: {h.reason}")


@hold.command("release")
@click.argument("hold_id", type=int)
@click.option("--reason", required=True, help="Why it is released; kept in the audit log.")
@click.option("--actor", default=None, help="Who releases it (default: the OS user).")
@click.pass_context
def hold_release(ctx: click.Context, hold_id: int, reason: str, actor: str | None) -> None:
    """Release legal hold HOLD_ID; what it covered follows the policy again from the next sweep."""
    if not reason.strip():
        raise click.BadParameter("must say why", param_hint="--reason")
    with open_catalog(ctx) as catalog:
        released = catalog.release_hold(hold_id, reason, actor or os_user())
    click.echo(f"hold {released.id} on {released.scope} {released.value} released")
