"""What only compliance officers do: sign off, override, hold, restore, the access log, daily reports."""

from __future__ import annotations

import csv
import io
from typing import Iterable

from starlette.responses import Response
from starlette.routing import Route

from callvault.catalog.views import AuditFilters
from callvault.clock import parse_iso
from callvault.models.errors import CatalogError, VaultError
from callvault.web.handlers import Ctx, page
from callvault.web.routes_calls import recording_id

AUDIT_COLUMNS = ("seq", "at", "action", "actor", "role", "recording_id", "reason", "client", "path", "hash")


@page("evidence")
def review(ctx: Ctx) -> Response:
    rid = recording_id(ctx)
    ctx.source.sign_off(rid, ctx.who.name, ctx.field("note"), _where(ctx))
    return ctx.redirect(f"/calls/{rid}#review")


@page("evidence")
def override(ctx: Ctx) -> Response:
    rid = recording_id(ctx)
    ctx.source.override(rid, ctx.field("rule"), ctx.field("status"), ctx.field("reason"), ctx.who.name, _where(ctx))
    return ctx.redirect(f"/calls/{rid}#rules")


@page("evidence")
def hold(ctx: Ctx) -> Response:
    rid = recording_id(ctx)
    if not ctx.field("reason"):
        raise CatalogError("a legal hold needs a reason")
    ctx.source.place_hold(rid, ctx.field("reason"), ctx.who.name)
    return ctx.redirect(f"/calls/{rid}#retention")


@page("evidence")
def release(ctx: Ctx) -> Response:
    rid = recording_id(ctx)
    try:
        hold_id = int(ctx.field("hold"))
    except ValueError:
        raise CatalogError("name the hold to release") from None
    ctx.source.release_hold(hold_id, ctx.field("reason"), ctx.who.name)
    return ctx.redirect(f"/calls/{rid}#retention")


@page("evidence")
def restore(ctx: Ctx) -> Response:
    """The decrypted original, to this officer's browser only: audited first, held in memory, never on disk."""
    rid = recording_id(ctx)
    reason = ctx.field("reason")
    if not reason:
        raise VaultError("a restore needs a reason; it is kept in the access log")
    ref = ctx.source.sealed_ref(rid, "original")
    if ref is None:
        raise VaultError("this call's original is not in the vault (purged by retention or never stored)")
    details = {"kind": ref.kind, "store": ref.store, "key": ref.key, "sha256": ref.sha256, "to": "browser"}
    ctx.audit("vault.restore", rid, reason, **details)
    try:
        data = ctx.source.open_in_memory(ref)
    except BaseException as exc:
        ctx.audit("vault.restore_failed", rid, reason, **details, error=type(exc).__name__)
        raise
    return Response(data, media_type="audio/wav",
                    headers={"content-disposition": f'inline; filename="original-{rid[:12]}.wav"'})


def _where(ctx: Ctx) -> dict:
    return {"role": ctx.who.role, "client": ctx.client, "path": ctx.request.url.path}


def _audit_filters(ctx: Ctx) -> AuditFilters:
    call = ctx.arg("call")
    rid = None
    if call:
        try:
            rid = ctx.source.resolve(call)
        except CatalogError:
            rid = call.lower()  # the trail outlives calls: a deleted call's id still filters
    return AuditFilters(actor=ctx.arg("user") or None, recording_id=rid, date_from=ctx.arg("from") or None,
                        date_to=ctx.arg("to") or None, action=ctx.arg("action") or None)


@page("evidence")
def access_log(ctx: Ctx) -> Response:
    entries = list(ctx.source.audit_entries(_audit_filters(ctx), limit=200))
    return ctx.html("audit.html", title="Access log", entries=entries, query=dict(ctx.request.query_params))


@page("evidence")
def access_log_csv(ctx: Ctx) -> Response:
    filters = _audit_filters(ctx)
    ctx.audit("web.export", None, "exported the access log", export="access_log")
    rows = ([e["seq"], e["at"], e["action"], e["actor"], _detail(e, "role"), e["recording_id"] or "", e["reason"],
             _detail(e, "client"), _detail(e, "path"), e["hash"]] for e in ctx.source.audit_entries(filters, limit=None))
    return _csv(AUDIT_COLUMNS, rows, "access-log.csv")


def _detail(entry: dict, key: str) -> str:
    details = entry["details"]
    return str(details.get(key, "")) if isinstance(details, dict) else ""


def _day(ctx: Ctx) -> str:
    day = ctx.arg("day") or ctx.settings.clock().date().isoformat()
    if parse_iso(day) is None:
        raise CatalogError(f"{day!r} is not a date; use YYYY-MM-DD")
    return day[:10]


@page("evidence")
def daily_report(ctx: Ctx) -> Response:
    report = ctx.source.day_report(_day(ctx))
    ctx.audit("web.report", None, "viewed the daily report", day=report.day)
    return ctx.html("report.html", title=f"Report {report.day}", report=report)


@page("evidence")
def daily_report_csv(ctx: Ctx) -> Response:
    report = ctx.source.day_report(_day(ctx))
    ctx.audit("web.export", None, "exported the daily report", export="daily_report", day=report.day)
    rows = ([c.call_id or "", c.recording_id, c.started_at or "", c.direction or "", c.agent_id or "",
             round(c.duration or 0, 1), c.status, c.findings, c.events, " ".join(report.failed_by_call.get(c.recording_id, ()))]
            for c in report.calls)
    header = ("call_id", "recording_id", "started_at", "direction", "agent", "seconds", "verdict", "findings", "events", "failed_rules")
    return _csv(header, rows, f"callvault-report-{report.day}.csv")


def _csv(header: Iterable[str], rows: Iterable[list], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


ROUTES = [
    Route("/calls/{rid}/review", review, methods=["POST"]),
    Route("/calls/{rid}/override", override, methods=["POST"]),
    Route("/calls/{rid}/hold", hold, methods=["POST"]),
    Route("/calls/{rid}/release", release, methods=["POST"]),
    Route("/calls/{rid}/restore", restore, methods=["POST"]),
    Route("/audit", access_log),
    Route("/audit.csv", access_log_csv),
    Route("/reports/daily", daily_report),
    Route("/reports/daily.csv", daily_report_csv),
]
