"""`callvault serve`: the signed-in web app for QA auditors and compliance officers.

Like cli/, a face over the library: it reads only the catalog (through
``source.CatalogSource``) and, for audio, the vault. Routes live in
``routes_*``, sign-in and sessions in ``auth``, roles in ``roles``.
"""

from callvault.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]


def create_app(settings: WebSettings):
    """The ASGI app (Starlette); imported lazily so `callvault --help` stays fast."""
    from callvault.web.app import build_app

    return build_app(settings)
