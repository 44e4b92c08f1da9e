"""The root command group, shared options, and the one place errors become exits."""

from __future__ import annotations

import click

from callvault.config import DEFAULT_DATA_DIR, AppConfig, load_config
from callvault.models.errors import CallvaultError


class CallvaultGroup(click.Group):
    """Turns every CallvaultError raised below into a clean ClickException (exit 1)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CallvaultError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=CallvaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=DEFAULT_DATA_DIR,
    show_default=True,
    envvar="CALLVAULT_DATA_DIR",
    show_envvar=True,
    help="Where outputs, the catalog and the local vault live.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="TOML config file (default: DATA_DIR/callvault.toml when present).",
)
@click.version_option(package_name="callvault")
@click.pass_context
def cli(ctx: click.Context, data_dir: str, config_path: str | None) -> None:
    """callvault: transcribe, redact, check and vault call recordings."""
    ctx.obj = _LazyConfig(data_dir, config_path)


class _LazyConfig:
    """Reads the config only when a command needs it, so --help never touches disk."""

    def __init__(self, data_dir: str, config_path: str | None):
        self.data_dir = data_dir
        self.config_path = config_path
        self._config: AppConfig | None = None

    def get(self) -> AppConfig:
        if self._config is None:
            self._config = load_config(self.data_dir, self.config_path)
        return self._config


def app_config(ctx: click.Context) -> AppConfig:
    """The AppConfig of the running command (commands call this, never load_config)."""
    return ctx.find_root().obj.get()


def open_catalog(ctx: click.Context, create: bool = False):
    """The archive's catalog, as a context manager; a missing one is an error unless ``create``."""
    from callvault.catalog import Catalog

    return Catalog.in_data_dir(app_config(ctx).data_dir, create=create)


def os_user() -> str:
    """Who runs the command, for audit entries: the OS account from the uid (LOGNAME and USER can be set by anyone)."""
    from callvault.catalog.audit import os_actor

    return os_actor()


def parse_moment(value: str | None, flag: str):
    """A flag's ISO 8601 date or date-time as an aware UTC datetime (None when not given)."""
    from callvault.clock import parse_iso

    if value is None:
        return None
    moment = parse_iso(value)
    if moment is None:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date or date-time", param_hint=flag)
    return moment
