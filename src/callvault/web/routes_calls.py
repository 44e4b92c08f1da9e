"""Call list, search, the call page and its redacted audio (HTTP range requests)."""

from __future__ import annotations

import re

from starlette.responses import Response
from starlette.routing import Route

from callvault.catalog import CallFilters, SearchFilters
from callvault.catalog.search import QUERY_HELP
from callvault.models.compliance import RULE_STATUSES, VERDICTS
from callvault.models.errors import CatalogError
from callvault.web import roles
from callvault.web.handlers import Ctx, masked, page
from callvault.web.render import HIT_CLOSE, HIT_OPEN

_RECORDING_ID = re.compile(r"^[0-9a-f]{64}$")
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_YES_NO = {"yes": True, "no": False}


def recording_id(ctx: Ctx) -> str:
    rid = ctx.request.path_params["rid"]
    if not _RECORDING_ID.match(rid) or not ctx.source.exists(rid):
        raise CatalogError("no such call in the catalog; open it from the call list or a search")
    return rid


def _page_number(ctx: Ctx) -> int:
    try:
        return max(1, int(ctx.arg("page", "1")))
    except ValueError:
        return 1


def call_filters(ctx: Ctx, kind=CallFilters, **extra) -> CallFilters:
    return kind(
        date_from=ctx.arg("from") or None, date_to=ctx.arg("to") or None, agent=ctx.arg("agent") or None,
        direction=ctx.arg("direction") or None, entity=ctx.arg("entity") or None,
        violation=ctx.arg("rule") or None, status=ctx.arg("verdict") or None, **extra,
    )


@page("calls")
def calls(ctx: Ctx) -> Response:
    number = _page_number(ctx)
    size = ctx.settings.page_size
    rows = ctx.source.calls(call_filters(ctx), held=_YES_NO.get(ctx.arg("held")), reviewed=_YES_NO.get(ctx.arg("reviewed")),
                            limit=size + 1, offset=(number - 1) * size)
    return ctx.html("calls.html", title="Calls", rows=rows[:size], has_more=len(rows) > size, page=number,
                    verdicts=VERDICTS, query=dict(ctx.request.query_params))


@page("calls")
def search(ctx: Ctx) -> Response:
    query = ctx.arg("q")
    results, error = None, ""
    number = _page_number(ctx)
    if query:
        size = 20
        speaker = ctx.arg("speaker") or None
        try:
            results = ctx.source.search(query, call_filters(ctx, SearchFilters, speaker=speaker), limit=size,
                                        offset=(number - 1) * size, marks=(HIT_OPEN, HIT_CLOSE))
        except CatalogError as exc:
            error = str(exc)
        else:
            ctx.audit("web.search", None, "search", query=masked(query), hits=len(results.hits), page=number)
    return ctx.html("search.html", title="Search", q=query, results=results, error=error, page=number,
                    help=QUERY_HELP, query=dict(ctx.request.query_params))


@page("calls")
def call_page(ctx: Ctx) -> Response:
    rid = recording_id(ctx)
    detail = ctx.source.call(rid)
    officer = roles.allowed(ctx.who.role, "evidence")
    ctx.audit("web.view_call", rid, "viewed the redacted call", evidence=officer)
    classes = {f.entity: f.category for f in detail.findings}
    by_class: dict[str, list] = {}
    for finding in detail.findings:
        by_class.setdefault(finding.category, []).append(finding)
    extra = {}
    if officer:
        extra = dict(holds=ctx.source.holds_covering(rid), reviews=ctx.source.reviews(rid),
                     overrides=ctx.source.overrides(rid), rule_statuses=RULE_STATUSES)
    has_audio = any(o.kind == "redacted_audio" and o.purged_at is None for o in detail.objects)
    has_original = any(o.kind == "original" and o.purged_at is None for o in detail.objects)
    return ctx.html("call.html", title=detail.summary.call_id or rid[:12], call=detail, rid=rid, classes=classes,
                    by_class=dict(sorted(by_class.items())), officer=officer, has_audio=has_audio,
                    has_original=has_original, start_at=ctx.arg("t"), **extra)


@page("calls")
def call_audio(ctx: Ctx) -> Response:
    rid = recording_id(ctx)
    data = ctx.source.redacted_audio(rid)
    response = ranged(data, ctx.request.headers.get("range"), "audio/wav")
    if response.status_code == 200 or ctx.request.headers.get("range", "").startswith("bytes=0-"):
        # Once per playback, not per range request the player makes while seeking.
        ctx.audit("web.play_audio", rid, "played the redacted audio")
    return response


def ranged(data: bytes, range_header: str | None, media_type: str) -> Response:
    """``data`` whole (200), or the one byte range asked for (206), or 416; multi-range asks get it whole."""
    size = len(data)
    headers = {"accept-ranges": "bytes"}
    match = _RANGE.match((range_header or "").strip())
    if not match or not (match[1] or match[2]):
        return Response(data, 200, headers=headers, media_type=media_type)
    if match[1]:
        start = int(match[1])
        end = min(int(match[2]), size - 1) if match[2] else size - 1
    else:
        start, end = max(0, size - int(match[2])), size - 1
    if start >= size or start > end:
        return Response(b"", 416, headers={**headers, "content-range": f"bytes */{size}"})
    headers["content-range"] = f"bytes {start}-{end}/{size}"
    return Response(data[start:end + 1], 206, headers=headers, media_type=media_type)


ROUTES = [
    Route("/calls", calls),
    Route("/search", search),
    Route("/calls/{rid}", call_page),
    Route("/calls/{rid}/audio", call_audio),
]
