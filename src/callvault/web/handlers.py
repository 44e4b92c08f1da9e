"""One decorator for every route: session, role check (403 + audit), CSRF check, errors, audit helper.

Handlers are plain functions of a ``Ctx``, run in a worker thread (the
catalog is synchronous SQLite); the form is read first, on the event loop.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from callvault.models.errors import CallvaultError
from callvault.web import auth, roles
from callvault.web.settings import WebSettings
from callvault.web.source import CatalogSource

_DIGITS = re.compile(r"\d")


@dataclass
class Ctx:
    request: Request
    form: Mapping[str, str]
    who: auth.Principal | None
    source: CatalogSource
    settings: WebSettings
    env: Any
    cookies: list[tuple[str, str, dict]] = field(default_factory=list)

    @property
    def root(self) -> str:
        return self.request.scope.get("root_path", "").rstrip("/")

    def url(self, path: str) -> str:
        return self.root + path

    @property
    def client(self) -> str:
        return self.request.client.host if self.request.client else ""

    def arg(self, name: str, default: str = "") -> str:
        return (self.request.query_params.get(name) or default).strip()

    def field(self, name: str) -> str:
        return str(self.form.get(name, "")).strip()

    def audit(self, action: str, recording_id: str | None, reason: str = "", **details: Any) -> None:
        """An access-log entry: who (the signed-in user), role, what, which call, when, from where."""
        who = self.who.name if self.who else str(details.pop("user", "anonymous"))
        role = self.who.role if self.who else ""
        # The path only, never the query string: a typed search could hold anything.
        self.source.audit(action, who, recording_id, reason or action,
                          {**details, "role": role, "client": self.client, "path": self.request.url.path})

    def html(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        csrf = self.who.session.csrf if self.who else ""
        body = self.env.get_template(template).render(
            who=self.who, csrf=csrf, url=self.url, roles=roles, request=self.request, **values
        )
        return self._with_cookies(HTMLResponse(body, status_code=status))

    def redirect(self, path: str) -> Response:
        return self._with_cookies(RedirectResponse(self.url(path), status_code=303))

    def set_cookie(self, name: str, value: str, **options: Any) -> None:
        self.cookies.append((name, value, options))

    def _with_cookies(self, response: Response) -> Response:
        for name, value, options in self.cookies:
            set_cookie(response, self, name, value, **options)
        return response


def set_cookie(response: Response, ctx: Ctx, name: str, value: str, *, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path=ctx.root or "/", secure=ctx.settings.secure_cookies,
                        httponly=True, samesite="strict")


def masked(text: str) -> str:
    """A typed search query fit for the audit log: every digit replaced, in case someone typed a raw number."""
    return _DIGITS.sub("#", text)[:200]


def page(permission: str | None = None, *, public: bool = False) -> Callable:
    """Wrap ``handler(ctx) -> Response``. ``permission`` names an entry of ``roles.PERMISSIONS``."""

    def decorate(handler: Callable[[Ctx], Response]) -> Callable:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            form = {}
            if request.method == "POST":
                form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
            return await run_in_threadpool(_handle, handler, permission, public, request, form)

        return endpoint

    return decorate


def _handle(handler: Callable, permission: str | None, public: bool, request: Request, form: dict) -> Response:
    app = request.app.state
    who = auth.current(app.source, app.settings, request.cookies.get(auth.SESSION_COOKIE))
    ctx = Ctx(request, form, who, app.source, app.settings, app.env)
    if not public:
        if who is None:
            if request.method == "GET":
                return ctx.redirect("/signin")
            return ctx.html("error.html", 401, title="Signed out", message="Your session ended; sign in again.")
        if request.method == "POST" and not auth.same_token(form.get("csrf"), who.session.csrf):
            ctx.audit("web.csrf_rejected", None, "form without a valid CSRF token")
            return ctx.html("error.html", 403, title="Form rejected",
                            message="This form is stale or did not come from this site; reload the page and try again.")
        if permission and not roles.allowed(who.role, permission):
            ctx.audit("web.denied", request.path_params.get("rid"), f"role {who.role} may not use {permission}")
            return ctx.html("error.html", 403, title="Not allowed",
                            message=f"Your role ({who.role}) does not allow this page. The attempt was logged.")
    try:
        return handler(ctx)
    except CallvaultError as exc:
        return ctx.html("error.html", 400, title="Cannot do that", message=str(exc))
