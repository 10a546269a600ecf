"""Atlassian Statuspage v1: the requests our intents become, decided without I/O.

Field names follow ../shared/specs/statuspage/statuspage-api-v1.openapi.json. Statuspage
only ever receives customer-facing component names and ids (public_components.py), and
every text we send is plain, bounded and scrubbed of internal service names.

Statuspage has no idempotency key. A created incident carries the intent id in its
`metadata` (`{"incident_console": {"intent": ID, "incident": "INC-3"}}`), so that after an
ambiguous timeout the adapter can look for it (`find_created`) before posting again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from console.providers.http_call import HttpCall, Skip
from console.providers.outbound_text import plain
from console.providers.public_components import PublicComponents

NAME_LIMIT = 255  # "There is a maximum limit of 255 characters."
BODY_LIMIT = 25000  # "There is a maximum limit of 25000 characters"
PER_PAGE = 100  # Statuspage's default and maximum page size; unpaginated GETs are limited harder
METADATA_KEY = "incident_console"
REALTIME_STATUSES = ("investigating", "identified", "monitoring", "resolved")

# Which intents concern the status page (the sync engine asks `concerns` first).
OPS = (
    "incident.declare",
    "status.update",
    "component.set",
    "incident.resolve",
    "maintenance.create",
)

_IMPACT_WORDS = {
    "critical": "a major outage",
    "major": "a partial outage",
    "minor": "degraded performance",
    "none": "an issue",
}


def concerns(intent: Mapping[str, Any]) -> bool:
    """Whether Statuspage has anything to do for this intent (before looking at its args)."""
    op = intent.get("op")
    if op == "incident.declare":
        return bool((intent.get("args") or {}).get("public"))
    return op in OPS


def _pages(page_id: str) -> str:
    return f"/pages/{page_id}"


# -- plain requests ------------------------------------------------------------------


def list_components(page_id: str, page: int = 1) -> HttpCall:
    """One page of the page's components (always paginated: see PER_PAGE)."""
    return HttpCall(
        "GET",
        f"{_pages(page_id)}/components",
        params={"page": page, "per_page": PER_PAGE},
        purpose="list status components",
    )


def set_component(page_id: str, component_id: str, status: str) -> HttpCall:
    return HttpCall(
        "PATCH",
        f"{_pages(page_id)}/components/{component_id}",
        json={"component": {"status": status}},
        purpose=f"set component to {status}",
    )


def list_unresolved(page_id: str, page: int = 1) -> HttpCall:
    return HttpCall(
        "GET",
        f"{_pages(page_id)}/incidents/unresolved",
        params={"page": page, "per_page": PER_PAGE},
        purpose="list unresolved status-page incidents",
    )


def list_upcoming(page_id: str, page: int = 1) -> HttpCall:
    """Scheduled maintenances that have not started."""
    return HttpCall(
        "GET",
        f"{_pages(page_id)}/incidents/upcoming",
        params={"page": page, "per_page": PER_PAGE},
        purpose="list upcoming maintenances",
    )


def get_incident(page_id: str, incident_id: str) -> HttpCall:
    return HttpCall(
        "GET",
        f"{_pages(page_id)}/incidents/{incident_id}",
        purpose="read back status-page incident",
    )


def create_incident(
    page_id: str,
    *,
    name: str,
    status: str,
    body: str,
    components: Mapping[str, str],
    impact: str | None,
    intent_id: str,
    local_id: str | None,
) -> HttpCall:
    """A realtime incident; `components` is `{component id: status}`."""
    incident: dict[str, Any] = {
        "name": name,
        "status": status,
        "body": body,
        "deliver_notifications": True,
        "metadata": {METADATA_KEY: _marker(intent_id, local_id)},
    }
    if impact:
        incident["impact_override"] = impact
    if components:
        incident["components"] = dict(components)
        incident["component_ids"] = list(components)
    return HttpCall(
        "POST",
        f"{_pages(page_id)}/incidents",
        json={"incident": incident},
        purpose=f"create status-page incident ({status})",
    )


def update_incident(
    page_id: str, incident_id: str, *, status: str, body: str, components: Mapping[str, str]
) -> HttpCall:
    """A new incident update: status, body and component changes in one request."""
    incident: dict[str, Any] = {"status": status, "body": body}
    if components:
        incident["components"] = dict(components)
        incident["component_ids"] = list(components)
    return HttpCall(
        "PATCH",
        f"{_pages(page_id)}/incidents/{incident_id}",
        json={"incident": incident},
        purpose=f"status-page update ({status})",
    )


def create_maintenance(
    page_id: str,
    *,
    name: str,
    body: str,
    start: str,
    end: str,
    component_ids: Iterable[str],
    intent_id: str,
) -> HttpCall:
    """A scheduled maintenance that moves its components in and out of maintenance itself."""
    ids = list(component_ids)
    incident: dict[str, Any] = {
        "name": name,
        "status": "scheduled",
        "body": body,
        "scheduled_for": start,
        "scheduled_until": end,
        "scheduled_auto_in_progress": True,
        "scheduled_auto_completed": True,
        "auto_transition_to_maintenance_state": True,
        "auto_transition_to_operational_state": True,
        "deliver_notifications": True,
        "metadata": {METADATA_KEY: _marker(intent_id, None)},
        "component_ids": ids,
        "components": {cid: "under_maintenance" for cid in ids},
    }
    return HttpCall(
        "POST",
        f"{_pages(page_id)}/incidents",
        json={"incident": incident},
        purpose="schedule maintenance",
    )


def _marker(intent_id: str, local_id: str | None) -> dict[str, str]:
    marker = {"intent": intent_id}
    if local_id:
        marker["incident"] = local_id
    return marker


# -- reading answers -------------------------------------------------------------------


def find_created(
    incidents: Iterable[Mapping[str, Any]], intent_id: str
) -> Mapping[str, Any] | None:
    """The remote incident an earlier, ambiguous create for `intent_id` made, if any."""
    for inc in incidents:
        meta = inc.get("metadata") or {}
        marker = meta.get(METADATA_KEY) if isinstance(meta, Mapping) else None
        if isinstance(marker, Mapping) and marker.get("intent") == intent_id:
            return inc
    return None


# -- intents ---------------------------------------------------------------------------


def plan(
    intent: Mapping[str, Any],
    *,
    page_id: str,
    names: PublicComponents,
    incident: Mapping[str, Any] | None = None,
    remote_id: str | None = None,
) -> list[HttpCall] | Skip:
    """The requests that carry `intent` to the status page, in order, or why there are none.

    `incident` is the local incident as `Incident.to_json()` gives it; `remote_id` its
    Statuspage incident id, when one was created earlier.

    Raises PublicNameError when the intent names a component customers do not know (or
    whose id is unknown): that is final, never retried. The caller learns missing ids
    (`names.missing_ids`, `list_components`, `names.learn`) before calling this.
    """
    op = intent.get("op")
    args = intent.get("args") or {}
    iid = str(intent.get("id", ""))
    local = intent.get("incident")
    incident = incident or {}
    remote = remote_id or (incident.get("provider_ids") or {}).get("statuspage")
    title = str(incident.get("title") or "")

    if op == "incident.declare":
        public = args.get("public")
        if not public:
            return Skip("not public (the severity policy makes nothing public)")
        statuses = names.statuses(public.get("components") or {})
        return [
            create_incident(
                page_id,
                name=_name(names, args.get("title") or title),
                status=public.get("status") or "investigating",
                body=_body(names, _declare_body(public.get("impact"), statuses)),
                components=_by_id(names, statuses),
                impact=public.get("impact"),
                intent_id=iid,
                local_id=local,
            )
        ]
    if op == "status.update":
        status = args.get("status")
        if status not in REALTIME_STATUSES:
            raise ValueError(
                f"status.update: '{status}' is not one of {', '.join(REALTIME_STATUSES)}"
            )
        statuses = names.statuses(args.get("components") or {})
        body = _body(names, args.get("text") or f"Status: {status}.")
        if not remote:
            return [
                create_incident(
                    page_id,
                    name=_name(names, title or "Service disruption"),
                    status=status,
                    body=body,
                    components=_by_id(names, statuses),
                    impact=None,
                    intent_id=iid,
                    local_id=local,
                )
            ]
        return [
            update_incident(
                page_id, remote, status=status, body=body, components=_by_id(names, statuses)
            )
        ]
    if op == "component.set":
        statuses = names.statuses({args.get("component", ""): args.get("status", "")})
        return [set_component(page_id, names.id_for(n), s) for n, s in statuses.items()]
    if op == "incident.resolve":
        if not remote:
            return Skip("no status-page incident to resolve")
        affected = [n for n in incident.get("components") or [] if n in names.names]
        restore = {n: "operational" for n in affected}
        body = _body(names, args.get("note") or "This incident has been resolved.")
        return [
            update_incident(
                page_id, remote, status="resolved", body=body, components=_by_id(names, restore)
            )
        ]
    if op == "maintenance.create":
        comps = names.for_service(args.get("service"))
        if not comps:
            return Skip(f"service '{args.get('service')}' feeds no customer-facing component")
        return [
            create_maintenance(
                page_id,
                name=_name(names, "Scheduled maintenance: " + ", ".join(comps)),
                body=_body(names, args.get("description") or "Scheduled maintenance."),
                start=str(args["start"]),
                end=str(args["end"]),
                component_ids=[names.id_for(c) for c in comps],
                intent_id=iid,
            )
        ]
    return Skip(f"{op} does not concern the status page")


def _name(names: PublicComponents, text: str) -> str:
    return plain(names.scrub(text), NAME_LIMIT, one_line=True) or "Service disruption"


def _body(names: PublicComponents, text: str) -> str:
    return plain(names.scrub(text), BODY_LIMIT)


def _by_id(names: PublicComponents, statuses: Mapping[str, str]) -> dict[str, str]:
    return {names.id_for(n): s for n, s in statuses.items()}


def _declare_body(impact: str | None, statuses: Mapping[str, str]) -> str:
    what = _IMPACT_WORDS.get(impact or "", "an issue")
    if statuses:
        return f"We are investigating {what} affecting {', '.join(statuses)}."
    return f"We are investigating {what}."
