"""The CPNI breach incident register for officers: list, one incident, status changes, the draft packet.

Every read and change goes through the register's own functions (the ones
`callvault incidents` uses): deadlines come from ``both_texts``, status
changes from ``change_status`` (audited with the signed-in user as actor),
the packet from ``build_packet``/``render_html``, built in memory only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.responses import Response
from starlette.routing import Route

from callvault.catalog.incidents import CLOSED, CONFIRMED, DISMISSED, REPORTED, STATUSES, TRANSITIONS, Incident
from callvault.compliance.breach import DeadlineSet, both_texts
from callvault.compliance.breach.packet import build_packet, render_html
from callvault.models.errors import CatalogError
from callvault.web.handlers import Ctx, page

FILTERS = ("open", *STATUSES)
# The form's action word and the status it leads to.
ACTIONS = {"confirm": CONFIRMED, "dismiss": DISMISSED, "report": REPORTED, "close": CLOSED}


@dataclass(frozen=True)
class IncidentView:
    incident: Incident
    in_force: DeadlineSet
    other: DeadlineSet

    @property
    def actions(self) -> tuple[str, ...]:
        """The form actions this incident's status allows, in the register's order."""
        return tuple(a for a, to in ACTIONS.items() if to in TRANSITIONS[self.incident.status])


def _view(ctx: Ctx, incident: Incident) -> IncidentView:
    options = ctx.settings.breach
    return IncidentView(incident, *both_texts(options.rule_text, incident.facts(), options.zone))


def _incident_id(ctx: Ctx) -> int:
    return int(ctx.request.path_params["iid"])  # the route's int convertor already refused anything else


@page("evidence")
def incident_list(ctx: Ctx) -> Response:
    status = ctx.arg("status") or None
    if status is not None and status not in FILTERS:
        raise CatalogError(f"filter by one of {', '.join(FILTERS)}, not {status!r}")
    views = [_view(ctx, i) for i in ctx.source.incidents(status)]
    ctx.audit("web.incidents", None, "viewed the incident register", status=status or "all", shown=len(views))
    return ctx.html("incidents.html", title="Incidents", views=views, chosen=status or "", filters=FILTERS,
                    rule_text=ctx.settings.breach.rule_text)


@page("evidence")
def incident_page(ctx: Ctx) -> Response:
    iid = _incident_id(ctx)
    view = _view(ctx, ctx.source.incident(iid))
    ctx.audit("web.view_incident", None, f"viewed breach incident #{iid}", incident_id=iid)
    return ctx.html("incident.html", title=f"Incident #{iid}", view=view)


@page("evidence")
def change(ctx: Ctx) -> Response:
    iid, action = _incident_id(ctx), ctx.request.path_params["action"]
    if action not in ACTIONS:
        raise CatalogError(f"an incident can be {', '.join(ACTIONS)}ed; not {action!r}")
    fields = {}
    if action == "confirm":
        fields = {"harm_likely": ctx.field("harm_likely") != "no", "estimated_loss": ctx.field("estimated_loss") or None}
    ctx.source.change_incident(iid, ACTIONS[action], ctx.who.name, ctx.field("reason"), **fields)
    return ctx.redirect(f"/incidents/{iid}#status")


@page("evidence")
def packet(ctx: Ctx) -> Response:
    """The draft notification packet, built in memory and returned; nothing is written to disk or sent."""
    iid, fmt = _incident_id(ctx), ctx.request.path_params["fmt"]
    if fmt not in ("json", "html"):
        raise CatalogError(f"the packet comes as packet.json or packet.html, not packet.{fmt}")
    built = build_packet(ctx.source.incident(iid), ctx.settings.breach, ctx.settings.clock())
    # The same entry as `callvault incidents export`, so the incident's history shows who drew a packet.
    ctx.audit("incident.export", None, "draft notification packet prepared", incident=iid, to_file=False, format=fmt)
    if fmt == "json":
        body, media = json.dumps(built, indent=2, ensure_ascii=False) + "\n", "application/json"
    else:
        body, media = render_html(built), "text/html; charset=utf-8"
    # An attachment: opened from disk the printable page keeps its own styles, which this site's CSP would block.
    return Response(body, media_type=media,
                    headers={"content-disposition": f'attachment; filename="incident-{iid}-packet.{fmt}"'})


ROUTES = [
    Route("/incidents", incident_list),
    Route("/incidents/{iid:int}", incident_page),
    Route("/incidents/{iid:int}/packet.{fmt:str}", packet),
    Route("/incidents/{iid:int}/{action:str}", change, methods=["POST"]),
]
