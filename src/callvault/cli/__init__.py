"""The `callvault` click app: the only place that prints, exits or reads flags.

Each area registers its commands on ``cli`` from its own module below;
``CallvaultGroup`` in app.py turns every CallvaultError into a click error.
"""

from callvault.cli.app import cli

# Command modules register themselves on ``cli`` when imported.
from callvault.cli import process as _process  # noqa: F401,E402
from callvault.cli import retention as _retention  # noqa: F401,E402
from callvault.cli import redact as _redact  # noqa: F401,E402
from callvault.cli import compliance as _compliance  # noqa: F401,E402
from callvault.cli import vault as _vault  # noqa: F401,E402
from callvault.cli import catalog as _catalog  # noqa: F401,E402
from callvault.cli import incidents as _incidents  # noqa: F401,E402
from callvault.cli import web as _web  # noqa: F401,E402
from callvault.cli import records as _records  # noqa: F401,E402


def main() -> None:
    cli()


__all__ = ["cli", "main"]
