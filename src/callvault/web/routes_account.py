"""Sign in, sign out, and the admins' users page."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from callvault.catalog.accounts import ROLES
from callvault.models.errors import CallvaultError
from callvault.web import auth, passwords, roles
from callvault.web.handlers import Ctx, page


@page(public=True)
def home(ctx: Ctx) -> Response:
    return ctx.redirect(roles.HOME[ctx.who.role] if ctx.who else "/signin")


def _signin_form(ctx: Ctx, message: str = "", status: int = 200) -> Response:
    token = auth.new_token()
    ctx.set_cookie(auth.SIGNIN_COOKIE, token)
    return ctx.html("signin.html", status, signin_token=token, message=message, title="Sign in")


@page(public=True)
def signin(ctx: Ctx) -> Response:
    if ctx.request.method == "GET":
        if ctx.who:
            return ctx.redirect(roles.HOME[ctx.who.role])
        return _signin_form(ctx)
    if not auth.same_token(ctx.form.get("signin_token"), ctx.request.cookies.get(auth.SIGNIN_COOKIE)):
        ctx.audit("web.csrf_rejected", None, "sign-in form without a valid CSRF token")
        return _signin_form(ctx, "The sign-in form expired; try again.", 403)
    name = ctx.field("name")
    try:
        token, who = auth.sign_in(ctx.source, ctx.settings, name, str(ctx.form.get("password", "")), ctx.client)
    except auth.SignInRefused as refused:
        # Name an account only when it exists: a typed name could be anything.
        known = refused.user.name if refused.user else "unknown"
        ctx.audit("web.signin_failed", None, str(refused), user=known)
        if refused.locked_now:
            ctx.audit("user.locked", None, f"{ctx.settings.lock_after} failed sign-ins in a row", user=known)
        return _signin_form(ctx, str(refused), 401)
    ctx.who = who
    ctx.audit("web.signin", None, "signed in")
    ctx.set_cookie(auth.SESSION_COOKIE, token)
    ctx.set_cookie(auth.SIGNIN_COOKIE, "", max_age=0)
    return ctx.redirect(roles.HOME[who.role])


@page()
def signout(ctx: Ctx) -> Response:
    ctx.source.end_session(ctx.who.session.token_hash)
    ctx.audit("web.signout", None, "signed out")
    ctx.set_cookie(auth.SESSION_COOKIE, "", max_age=0)
    return ctx.redirect("/signin")


@page("users")
def users(ctx: Ctx) -> Response:
    message = ""
    if ctx.request.method == "POST":
        name, role = ctx.field("name"), ctx.field("role")
        ctx.source.add_user(name, role, passwords.hash_password(str(ctx.form.get("password", ""))), ctx.who.name)
        message = f"Added {name} ({role})."
    try:
        keyring = ctx.source.keyring_state()
    except CallvaultError as exc:
        keyring = ("unavailable", str(exc))
    return ctx.html("users.html", users=ctx.source.users(), role_names=ROLES, message=message, title="Users", keyring=keyring)


@page("users")
def keys_rotate(ctx: Ctx) -> Response:
    key_id = ctx.source.rotate_keys()
    ctx.audit("keys.rotate", None, "rotated the keyring key", key_id=key_id)
    return ctx.redirect("/users#keys")


@page("users")
def keys_rewrap(ctx: Ctx) -> Response:
    count = ctx.source.rewrap_keys()
    ctx.audit("keys.rewrap", None, "re-wrapped recording keys", rewrapped=count)
    return ctx.redirect("/users#keys")


@page("users")
def user_disable(ctx: Ctx) -> Response:
    name = ctx.request.path_params["name"]
    if name == ctx.who.name:
        return ctx.html("error.html", 400, title="Cannot do that", message="You cannot disable your own account.")
    ctx.source.disable_user(name, ctx.who.name, ctx.field("reason") or "disabled from the users page")
    return ctx.redirect("/users")


@page("users")
def user_passwd(ctx: Ctx) -> Response:
    name = ctx.request.path_params["name"]
    ctx.source.set_password(name, passwords.hash_password(str(ctx.form.get("password", ""))), ctx.who.name)
    return ctx.redirect("/users")


ROUTES = [
    Route("/", home),
    Route("/signin", signin, methods=["GET", "POST"]),
    Route("/signout", signout, methods=["POST"]),
    Route("/users", users, methods=["GET", "POST"]),
    Route("/users/{name}/disable", user_disable, methods=["POST"]),
    Route("/users/{name}/passwd", user_passwd, methods=["POST"]),
    Route("/keys/rotate", keys_rotate, methods=["POST"]),
    Route("/keys/rewrap", keys_rewrap, methods=["POST"]),
]
