"""Assembling the Starlette app: routes, static files, security headers, shared state."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from callvault.web import render, routes_account, routes_calls, routes_incidents, routes_officer
from callvault.web.security import SecurityHeaders
from callvault.web.settings import WebSettings
from callvault.web.source import CatalogSource

STATIC = Path(__file__).with_name("static")


def build_app(settings: WebSettings) -> Starlette:
    routes = [
        *routes_account.ROUTES,
        *routes_calls.ROUTES,
        *routes_officer.ROUTES,
        *routes_incidents.ROUTES,
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])
    app.state.settings = settings
    app.state.source = CatalogSource(settings)
    app.state.env = render.environment()
    return app
