"""`callvault restore`, `callvault verify`, `callvault keys rotate|rewrap`."""

from __future__ import annotations

from pathlib import Path

import click

from callvault.cli.app import app_config, cli
from callvault.models.errors import CatalogError, InputError, VaultError
from callvault.models.storage import OBJECT_KINDS, SealedRef

s3_endpoint_option = click.option(
    "--s3-endpoint",
    default=None,
    metavar="URL",
    help="S3-compatible endpoint (overrides [vault] s3_endpoint), e.g. http://127.0.0.1:9000.",
)


def _vault(ctx: click.Context, s3_endpoint: str | None, catalog):
    from callvault.vault import open_vault

    return open_vault(app_config(ctx), s3_endpoint=s3_endpoint, catalog=catalog)


def _catalog(ctx: click.Context):
    from callvault.catalog import Catalog

    return Catalog.in_data_dir(app_config(ctx).data_dir)


def _refs_for_call(catalog, call: str) -> list[SealedRef]:
    """CALL's live objects, from the catalog: a catalogued call, or a recording-id prefix of stored objects
    (an object whose call never finished is listed too)."""
    from callvault.catalog.objects import stored_objects

    try:
        refs = catalog.sealed_refs(call)
        not_found = InputError(call, "nothing of this call is in the vault; was it processed with the vault enabled?")
    except CatalogError:
        prefix = call.strip().lower()
        not_found = InputError(call, "no processed call with that id in the catalog; `callvault calls` lists them")
        if len(prefix) < 6:
            raise not_found from None
        refs = [entry.ref for entry in stored_objects(catalog.conn, prefix)]
    recordings = sorted({r.recording_id for r in refs})
    if not recordings:
        raise not_found
    if len(recordings) > 1:
        raise InputError(call, f"ambiguous: recordings {', '.join(r[:16] for r in recordings)}; give more of the id")
    return refs


@cli.command("restore")
@click.argument("call")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="New file to write the plaintext to.")
@click.option("--reason", required=True, help="Why it is restored (ticket, request); kept in the audit log.")
@click.option("--actor", default=None, help="Who restores it (default: the OS user).")
@click.option("--kind", type=click.Choice(OBJECT_KINDS), default="original", show_default=True)
@s3_endpoint_option
@click.pass_context
def restore(ctx: click.Context, call: str, out: str, reason: str, actor: str | None, kind: str, s3_endpoint: str | None) -> None:
    """Decrypt a call's stored original for an authorised person, audited.

    Records who (OS user or --actor), when and why in the catalog's
    hash-chained audit log before any plaintext is written; OUT must not
    exist yet and is created 0600.
    """
    from callvault.catalog.audit import os_actor

    if not reason.strip():
        raise click.BadParameter("must say why", param_hint="--reason")
    with _catalog(ctx) as catalog, _vault(ctx, s3_endpoint, catalog) as vault:
        refs = [r for r in _refs_for_call(catalog, call) if r.kind == kind]
        if not refs:
            raise VaultError(f"{call}: no stored {kind} for this call; `callvault verify {call}` lists what is stored")
        user = os_actor()
        audit = _AuditWithUser(catalog.audit, user)
        size = vault.restore(refs[0], out, actor=actor or user, reason=reason, audit=audit)
    click.echo(f"restored {kind} of {refs[0].recording_id[:12]} to {out} ({size} bytes); audited in the catalog (callvault audit export)")


class _AuditWithUser:
    """Adds the OS account to every entry, so an --actor never hides who ran the command."""

    def __init__(self, sink, os_user: str):
        self._sink = sink
        self._os_user = os_user

    def append(self, action, actor, recording_id, reason, details, *, durable: bool = False) -> None:
        self._sink.append(action, actor, recording_id, reason, {**details, "os_user": self._os_user}, durable=durable)


@cli.command("verify")
@click.argument("call", required=False)
@click.option("--all", "all_", is_flag=True, help="Verify every object in the vault.")
@s3_endpoint_option
@click.pass_context
def verify(ctx: click.Context, call: str | None, all_: bool, s3_endpoint: str | None) -> None:
    """Check stored objects' checksums and that they open, writing no plaintext."""
    from callvault.vault import IntegrityError, ShreddedError, StoreError

    if bool(call) == all_:
        raise click.UsageError("give a CALL or --all (not both)")
    failed = shredded = 0
    with _catalog(ctx) as catalog, _vault(ctx, s3_endpoint, catalog) as vault:
        refs = vault.refs() if all_ else _refs_for_call(catalog, call or "")
        for ref in refs:
            label = f"{ref.recording_id[:12]} {ref.kind:<20}"
            try:
                vault.verify(ref)
            except ShreddedError:
                shredded += 1
                click.echo(f"shredded  {label} key destroyed; unreadable by design")
            except (IntegrityError, StoreError) as exc:
                failed += 1
                click.echo(f"FAILED    {label} {exc}")
            else:
                click.echo(f"ok        {label} {ref.size} bytes")
    click.echo(f"{len(refs)} object(s): {len(refs) - failed - shredded} ok, {failed} failed, {shredded} shredded")
    if failed:
        raise click.ClickException(f"{failed} object(s) failed verification; restore them from a good copy")


@cli.group("keys")
def keys() -> None:
    """Keyring maintenance: rotate the keyring key, re-wrap recording keys."""


actor_option = click.option("--actor", default=None, help="Who does it, for the audit log (default: the OS account).")


@keys.command("rotate")
@actor_option
@click.pass_context
def keys_rotate(ctx: click.Context, actor: str | None) -> None:
    """Add a new local keyring key for new recordings; older objects still open. Audited."""
    from callvault.catalog import Catalog
    from callvault.catalog.audit import os_actor

    with Catalog.in_data_dir(app_config(ctx).data_dir) as catalog, _vault(ctx, None, catalog) as vault:
        key_id = vault.rotate_keys(actor=actor, audit=_AuditWithUser(catalog.audit, os_actor()))
    click.echo(f"new keyring key {key_id} is current; run `callvault keys rewrap` to re-wrap existing recording keys")


@keys.command("rewrap")
@actor_option
@click.pass_context
def keys_rewrap(ctx: click.Context, actor: str | None) -> None:
    """Re-wrap every recording key under the newest keyring key (stored objects untouched), then
    remove the keyring keys nothing needs any more (those rotated out 10+ minutes ago). Audited."""
    from callvault.catalog import Catalog
    from callvault.catalog.audit import os_actor

    with Catalog.in_data_dir(app_config(ctx).data_dir) as catalog, _vault(ctx, None, catalog) as vault:
        audit = _AuditWithUser(catalog.audit, os_actor())
        count = vault.rewrap(actor=actor, audit=audit)
        retired = vault.retire_keys(actor=actor, audit=audit)
        current = vault.keyring.current_key_id()
    click.echo(f"re-wrapped {count} recording key(s) under {current}; retired {len(retired)} keyring key(s)"
               + (f" ({', '.join(retired)})" if retired else ""))
