"""`callvault serve` (the web app) and `callvault users add|list|disable|passwd` (its accounts)."""

from __future__ import annotations

import functools
import logging
import sys

import click

from callvault.cli.app import app_config, cli, open_catalog, os_user

ROLE_CHOICE = click.Choice(["auditor", "officer", "admin"])


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; keep it loopback behind a reverse proxy.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@click.option("--root-path", default="", help="Path prefix the reverse proxy serves the app under, e.g. /callvault.")
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True,
              help="Proxies whose X-Forwarded-For/-Proto headers are trusted (client address in the access log).")
@click.option("--idle-timeout", type=click.IntRange(min=60), default=15 * 60, show_default=True, help="Seconds idle before a session ends.")
@click.option("--session-lifetime", type=click.IntRange(min=300), default=8 * 3600, show_default=True,
              help="Seconds after sign-in when a session ends regardless.")
@click.option("--lock-after", type=click.IntRange(min=1), default=5, show_default=True, help="Failed sign-ins in a row that lock an account.")
@click.option("--lock-minutes", type=click.IntRange(min=1), default=15, show_default=True)
@click.option("--insecure-cookies", is_flag=True,
              help="Drop the Secure flag from cookies (only for plain HTTP on a non-loopback address in a lab).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, root_path: str, forwarded_allow_ips: str, idle_timeout: int,
          session_lifetime: int, lock_after: int, lock_minutes: int, insecure_cookies: bool) -> None:
    """Serve the web app for auditors, officers and admins over the catalog.

    Create the first account with `callvault users add NAME --role admin`.
    Run it behind a TLS reverse proxy in production (docs/web.md).
    """
    try:
        import uvicorn
    except ImportError:
        raise click.ClickException("the web app needs the 'web' extra: pip install 'callvault[web]'") from None

    from callvault.compliance.breach import BreachOptions
    from callvault.vault import open_vault
    from callvault.web import WebSettings, create_app

    config = app_config(ctx)
    with open_catalog(ctx) as catalog:  # fails early, with the usual message, when there is no catalog
        has_users = bool(catalog.conn.execute("SELECT 1 FROM users LIMIT 1").fetchone())
    if not has_users:
        click.echo("no accounts yet: create one with `callvault users add NAME --role admin`", err=True)
    settings = WebSettings(
        data_dir=config.data_dir, open_vault=functools.partial(open_vault, config), idle_timeout=idle_timeout,
        absolute_timeout=session_lifetime, lock_after=lock_after, lock_seconds=lock_minutes * 60,
        secure_cookies=not insecure_cookies, breach=BreachOptions.from_table(config.table("breach")),
    )
    click.echo(f"callvault web app on http://{host}:{port}{root_path}/ (Ctrl-C stops it)", err=True)
    # uvicorn's access log would print query strings (typed searches); the app audits what matters instead.
    logging.getLogger("uvicorn.access").disabled = True
    uvicorn.run(create_app(settings), host=host, port=port, root_path=root_path, proxy_headers=True,
                forwarded_allow_ips=forwarded_allow_ips, access_log=False, log_level="warning", server_header=False)


@cli.group("users")
def users() -> None:
    """Web app accounts: auditor (search, listen), officer (also evidence, sign-off, restore), admin (accounts)."""


def _password(prompt: str, from_stdin: bool) -> str:
    from callvault.web.passwords import hash_password

    if from_stdin:
        return hash_password(sys.stdin.readline().rstrip("\r\n"))
    return hash_password(click.prompt(prompt, hide_input=True, confirmation_prompt=True))


password_stdin_option = click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin (scripts).")


@users.command("add")
@click.argument("name")
@click.option("--role", type=ROLE_CHOICE, required=True)
@password_stdin_option
@click.pass_context
def users_add(ctx: click.Context, name: str, role: str, password_stdin: bool) -> None:
    """Add an account; asks for its password (12+ characters) twice."""
    from callvault.catalog import accounts

    accounts.check_name(name)
    hashed = _password(f"password for {name}", password_stdin)
    with open_catalog(ctx, create=True) as catalog:
        accounts.add_user(catalog.conn, catalog.audit, name, role, hashed, os_user(), catalog.clock())
    click.echo(f"added {name} ({role})")


@users.command("list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    """Accounts with their role and state."""
    from callvault.catalog import accounts

    with open_catalog(ctx) as catalog:
        rows = accounts.list_users(catalog.conn)
    for user in rows:
        state = f"disabled {user.disabled_at}" if user.disabled_at else (f"locked until {user.locked_until}" if user.locked_until else "active")
        click.echo(f"{user.name:<24} {user.role:<8} {state}")
    if not rows:
        click.echo("no accounts; `callvault users add NAME --role admin` creates the first")


@users.command("disable")
@click.argument("name")
@click.option("--reason", default="disabled", show_default=True, help="Kept in the audit log.")
@click.pass_context
def users_disable(ctx: click.Context, name: str, reason: str) -> None:
    """Disable an account and end its sessions."""
    from callvault.catalog import accounts

    with open_catalog(ctx) as catalog:
        accounts.disable_user(catalog.conn, catalog.audit, name, os_user(), reason, catalog.clock())
    click.echo(f"disabled {name}; its sessions ended")


@users.command("passwd")
@click.argument("name")
@password_stdin_option
@click.pass_context
def users_passwd(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Set a new password (also clears a lockout and ends the account's sessions)."""
    from callvault.catalog import accounts

    with open_catalog(ctx) as catalog:
        accounts.get_user(catalog.conn, name)
        hashed = _password(f"new password for {name}", password_stdin)
        accounts.set_password(catalog.conn, catalog.audit, name, hashed, os_user(), catalog.clock())
    click.echo(f"password of {name} set; lockout cleared")
