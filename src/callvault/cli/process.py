"""`callvault process`: placeholder filled by the foundation work."""

from callvault.cli.app import cli  # noqa: F401
