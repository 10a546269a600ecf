"""A fake Atlassian Statuspage (manage API v1), answering as its OpenAPI file says.

One page, its components, realtime incidents with their incident updates, and scheduled
maintenances that move their components in and out of `under_maintenance` on the fake's
clock. Authentication is `Authorization: OAuth <key>` (or `?api_key=`); errors are the
spec's `ErrorEntity` (`{"message": ...}`).

Optional `min_interval`: refuse a second request within that many seconds from the same
key with 420 or 429 and `Retry-After` (Statuspage allows 1 request a second per token),
so tests can show that our own limiter keeps us under it.

`resolve_in_web_ui` and `set_component_in_web_ui` stand for someone else changing the page
by hand, which the console must notice rather than overwrite.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from console.domain.clock import Clock, parse_instant
from console.providers.fakes.base import FakeProvider, FakeRequest, FakeResponse, route

COMPONENT_STATUSES = (
    "operational",
    "under_maintenance",
    "degraded_performance",
    "partial_outage",
    "major_outage",
)
REALTIME = ("investigating", "identified", "monitoring", "resolved")
SCHEDULED = ("scheduled", "in_progress", "verifying", "completed")
_IMPACT = {"major_outage": "critical", "partial_outage": "major", "degraded_performance": "minor"}
_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"

PAGE = r"/pages/(?P<page_id>[^/]+)"


def _stamp(clock: Clock) -> str:
    now = clock.now().in_tz("UTC")
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class FakeStatuspage(FakeProvider):
    """One Statuspage page; `components` maps id -> component as the API shows it."""

    name = "statuspage"
    base_path = "/v1"

    def __init__(
        self,
        clock: Clock,
        *,
        api_key: str = "sp-test-key",
        page_id: str = "pg0fake0page",
        components: dict[str, str] | None = None,
        min_interval: float | None = None,
        rate_limit_status: int = 420,
    ) -> None:
        super().__init__(clock)
        self.api_key = api_key
        self.page_id = page_id
        self.min_interval = min_interval
        self.rate_limit_status = rate_limit_status
        self._ids = (f"{n:012d}" for n in itertools.count(1))
        self._last_by_key: dict[str, Any] = {}
        self.components: dict[str, dict[str, Any]] = {}
        self.incidents: dict[str, dict[str, Any]] = {}
        for position, name in enumerate(components or {"API": "cmpapi000001"}, start=1):
            cid = (components or {"API": "cmpapi000001"})[name]
            self.components[cid] = {
                "id": cid,
                "page_id": page_id,
                "name": name,
                "description": "",
                "position": position,
                "status": "operational",
                "showcase": True,
                "only_show_if_degraded": False,
                "group": False,
                "created_at": _stamp(clock),
                "updated_at": _stamp(clock),
            }

    def _new_id(self) -> str:
        n = int(next(self._ids))
        out = ""
        for _ in range(12):
            n, r = divmod(n * 7919 + 13, 36)
            out += _ID_ALPHABET[r]
        return out

    # -- auth, rate limit, errors ------------------------------------------------------

    def error(self, status: int, message: str, code: int | None = None) -> FakeResponse:
        return FakeResponse.json(status, {"message": message})

    def authorize(self, req: FakeRequest) -> FakeResponse | None:
        header = req.headers.get("authorization", "")
        key = header[len("OAuth ") :] if header.startswith("OAuth ") else req.arg("api_key")
        if key != self.api_key:
            return self.error(401, "Could not authenticate")
        if self.min_interval:
            now = self.clock.now()
            last = self._last_by_key.get(key)
            if last is not None and (now - last).total_seconds() < self.min_interval:
                wait = self.min_interval - (now - last).total_seconds()
                return FakeResponse.json(
                    self.rate_limit_status,
                    {"message": "Rate limit exceeded"},
                    {"Retry-After": str(max(1, math.ceil(wait)))},
                )
            self._last_by_key[key] = now
        self._tick()
        return None

    def _page(self, page_id: str) -> FakeResponse | None:
        return (
            None
            if page_id == self.page_id
            else self.error(404, "The requested resource could not be found.")
        )

    # -- time passes: scheduled maintenances start and end -------------------------------

    def _tick(self) -> None:
        now = self.clock.now()
        for inc in self.incidents.values():
            start, end = inc.get("_for"), inc.get("_until")
            if (
                inc["status"] == "scheduled"
                and start is not None
                and now >= start
                and inc.get("scheduled_auto_in_progress")
            ):
                statuses = (
                    {c["id"]: "under_maintenance" for c in inc["components"]}
                    if inc.get("auto_transition_to_maintenance_state")
                    else {}
                )
                self._update(inc, "in_progress", "Scheduled maintenance is in progress.", statuses)
            if (
                inc["status"] in ("in_progress", "verifying")
                and end is not None
                and now >= end
                and inc.get("scheduled_auto_completed")
            ):
                statuses = (
                    {c["id"]: "operational" for c in inc["components"]}
                    if inc.get("auto_transition_to_operational_state")
                    else {}
                )
                self._update(
                    inc, "completed", "The scheduled maintenance has been completed.", statuses
                )

    # -- components ------------------------------------------------------------------------

    @route("GET", PAGE + r"/components")
    def list_components(self, req: FakeRequest, page_id: str) -> FakeResponse:
        if (bad := self._page(page_id)) is not None:
            return bad
        items = sorted(self.components.values(), key=lambda c: c["position"])
        return FakeResponse.json(200, _paginate(items, req))

    @route("GET", PAGE + r"/components/(?P<component_id>[^/]+)")
    def get_component(self, req: FakeRequest, page_id: str, component_id: str) -> FakeResponse:
        if (bad := self._page(page_id)) is not None or component_id not in self.components:
            return bad or self.error(404, "The requested resource could not be found.")
        return FakeResponse.json(200, self.components[component_id])

    @route("PATCH", PAGE + r"/components/(?P<component_id>[^/]+)")
    def update_component(self, req: FakeRequest, page_id: str, component_id: str) -> FakeResponse:
        if (bad := self._page(page_id)) is not None or component_id not in self.components:
            return bad or self.error(404, "The requested resource could not be found.")
        body = _body(req)
        fields = body.get("component") if isinstance(body, dict) else None
        if not isinstance(fields, dict):
            return self.error(400, "component is missing")
        status = fields.get("status")
        if status is not None and status not in COMPONENT_STATUSES:
            return self.error(422, f"Status is not included in the list: {str(status)[:40]}")
        comp = self.components[component_id]
        for key in ("status", "name", "description", "showcase", "only_show_if_degraded"):
            if key in fields:
                comp[key] = fields[key]
        comp["updated_at"] = _stamp(self.clock)
        return FakeResponse.json(200, comp)

    # -- incidents -------------------------------------------------------------------------

    @route("POST", PAGE + r"/incidents")
    def create_incident(self, req: FakeRequest, page_id: str) -> FakeResponse:
        if (bad := self._page(page_id)) is not None:
            return bad
        body = _body(req)
        fields = body.get("incident") if isinstance(body, dict) else None
        if not isinstance(fields, dict):
            return self.error(400, "incident is missing")
        if not str(fields.get("name") or "").strip():
            return self.error(422, "Name can't be blank")
        scheduled = bool(fields.get("scheduled_for"))
        status = fields.get("status") or ("scheduled" if scheduled else "investigating")
        allowed = SCHEDULED if scheduled else REALTIME
        if status not in allowed:
            return self.error(
                422, f"Status is not valid for this kind of incident: {str(status)[:40]}"
            )
        statuses, problem = self._component_changes(fields)
        if problem:
            return self.error(422, problem)
        now = _stamp(self.clock)
        iid = self._new_id()
        inc: dict[str, Any] = {
            "id": iid,
            "page_id": self.page_id,
            "name": str(fields["name"])[:255],
            "status": status,
            "created_at": now,
            "updated_at": now,
            "shortlink": f"https://stspg.io/{iid[:9]}",
            "metadata": fields.get("metadata") or {},
            "components": [],
            "incident_updates": [],
            "impact": "none",
        }
        for key in (
            "impact_override",
            "scheduled_auto_in_progress",
            "scheduled_auto_completed",
            "auto_transition_to_maintenance_state",
            "auto_transition_to_operational_state",
            "scheduled_remind_prior",
        ):
            if key in fields:
                inc[key] = fields[key]
        if scheduled:
            try:
                inc["_for"] = parse_instant(str(fields["scheduled_for"]))
                inc["_until"] = parse_instant(
                    str(fields.get("scheduled_until") or fields["scheduled_for"])
                )
            except ValueError:
                return self.error(422, "scheduled_for / scheduled_until must be date-times")
            inc["scheduled_for"] = fields["scheduled_for"]
            inc["scheduled_until"] = fields.get("scheduled_until") or fields["scheduled_for"]
            # a maintenance names its components; their status changes when it starts
            inc["components"] = [dict(self.components[c]) for c in statuses]
            statuses = {}
        self.incidents[iid] = inc
        self._update(inc, status, str(fields.get("body") or ""), statuses, first=True)
        self._tick()
        return FakeResponse.json(201, self.view(iid))

    @route("PATCH", PAGE + r"/incidents/(?P<incident_id>[^/]+)")
    def update_incident(self, req: FakeRequest, page_id: str, incident_id: str) -> FakeResponse:
        if (bad := self._page(page_id)) is not None or incident_id not in self.incidents:
            return bad or self.error(404, "The requested resource could not be found.")
        body = _body(req)
        fields = body.get("incident") if isinstance(body, dict) else None
        if not isinstance(fields, dict):
            return self.error(400, "incident is missing")
        inc = self.incidents[incident_id]
        status = fields.get("status", inc["status"])
        allowed = SCHEDULED if inc.get("_for") is not None else REALTIME
        if status not in allowed:
            return self.error(
                422, f"Status is not valid for this kind of incident: {str(status)[:40]}"
            )
        statuses, problem = self._component_changes(fields)
        if problem:
            return self.error(422, problem)
        if "name" in fields:
            inc["name"] = str(fields["name"])[:255]
        if "impact_override" in fields:
            inc["impact_override"] = fields["impact_override"]
        if status != inc["status"] or fields.get("body") or statuses:
            self._update(inc, status, str(fields.get("body") or ""), statuses)
        return FakeResponse.json(200, self.view(incident_id))

    @route("GET", PAGE + r"/incidents")
    def list_incidents(self, req: FakeRequest, page_id: str) -> FakeResponse:
        if (bad := self._page(page_id)) is not None:
            return bad
        q = (req.arg("q") or "").lower()
        found = [
            self.view(i)
            for i in self._newest_first()
            if not q or q in repr(self.incidents[i]).lower()
        ]
        limit = min(int(req.arg("limit") or 100), 100)
        page = max(int(req.arg("page") or 1), 1)
        return FakeResponse.json(200, found[(page - 1) * limit : page * limit])

    @route("GET", PAGE + r"/incidents/unresolved")
    def list_unresolved(self, req: FakeRequest, page_id: str) -> FakeResponse:
        return self._listing(req, page_id, ("investigating", "identified", "monitoring"))

    @route("GET", PAGE + r"/incidents/upcoming")
    def list_upcoming(self, req: FakeRequest, page_id: str) -> FakeResponse:
        return self._listing(req, page_id, ("scheduled",))

    @route("GET", PAGE + r"/incidents/scheduled")
    def list_scheduled(self, req: FakeRequest, page_id: str) -> FakeResponse:
        return self._listing(req, page_id, SCHEDULED)

    @route("GET", PAGE + r"/incidents/active_maintenance")
    def list_active_maintenance(self, req: FakeRequest, page_id: str) -> FakeResponse:
        return self._listing(req, page_id, ("in_progress", "verifying"))

    # after the fixed listings above: "unresolved" is not an incident id
    @route("GET", PAGE + r"/incidents/(?P<incident_id>[^/]+)")
    def get_incident(self, req: FakeRequest, page_id: str, incident_id: str) -> FakeResponse:
        if (bad := self._page(page_id)) is not None or incident_id not in self.incidents:
            return bad or self.error(404, "The requested resource could not be found.")
        return FakeResponse.json(200, self.view(incident_id))

    def _listing(self, req: FakeRequest, page_id: str, statuses: tuple[str, ...]) -> FakeResponse:
        if (bad := self._page(page_id)) is not None:
            return bad
        found = [
            self.view(i) for i in self._newest_first() if self.incidents[i]["status"] in statuses
        ]
        return FakeResponse.json(200, _paginate(found, req))

    def _newest_first(self) -> list[str]:
        return sorted(
            self.incidents, key=lambda i: (self.incidents[i]["created_at"], i), reverse=True
        )

    # -- the state machine -----------------------------------------------------------------

    def _component_changes(self, fields: dict[str, Any]) -> tuple[dict[str, str], str]:
        wanted = fields.get("components") or {}
        if not isinstance(wanted, dict):
            return {}, "components must be a map of component id to status"
        statuses: dict[str, str] = {}
        for cid in list(fields.get("component_ids") or []) + list(wanted):
            if cid not in self.components:
                return {}, f"Component not found: {str(cid)[:40]}"
            status = wanted.get(cid, "")
            if status and status not in COMPONENT_STATUSES:
                return {}, f"Component status is not valid: {str(status)[:40]}"
            statuses.setdefault(cid, status)
        return statuses, ""

    def _update(
        self,
        inc: dict[str, Any],
        status: str,
        body: str,
        statuses: dict[str, str],
        first: bool = False,
    ) -> None:
        now = _stamp(self.clock)
        affected = []
        for cid, new in statuses.items():
            comp = self.components[cid]
            if all(c["id"] != cid for c in inc["components"]):
                inc["components"].append(comp)
            if new:
                affected.append(
                    {
                        "code": cid,
                        "name": comp["name"],
                        "old_status": comp["status"],
                        "new_status": new,
                    }
                )
                comp["status"] = new
                comp["updated_at"] = now
        update = {
            "id": self._new_id(),
            "incident_id": inc["id"],
            "status": status,
            "body": body or _default_body(status),
            "created_at": now,
            "updated_at": now,
            "display_at": now,
            "affected_components": affected,
            "deliver_notifications": True,
        }
        inc["incident_updates"].insert(0, update)  # newest first, as Statuspage lists them
        inc["status"] = status
        inc["updated_at"] = now
        if status == "monitoring":
            inc["monitoring_at"] = now
        if status in ("resolved", "completed"):
            inc["resolved_at"] = now
        worst = [_IMPACT.get(self.components[c["id"]]["status"]) for c in inc["components"]]
        order = ("none", "minor", "major", "critical")
        inc["impact"] = max((w for w in worst if w), key=order.index, default="none")
        if inc.get("_for") is not None:
            inc["impact"] = "maintenance"

    def view(self, incident_id: str) -> dict[str, Any]:
        """An incident as the API shows it (components as they are now)."""
        inc = self.incidents[incident_id]
        out = {k: v for k, v in inc.items() if not k.startswith("_")}
        out["components"] = [dict(self.components[c["id"]]) for c in inc["components"]]
        out["incident_updates"] = [dict(u) for u in inc["incident_updates"]]
        return out

    # -- someone else, in the web UI -------------------------------------------------------

    def resolve_in_web_ui(self, incident_id: str, body: str = "Resolved by hand.") -> None:
        with self.lock:
            inc = self.incidents[incident_id]
            self._update(inc, "resolved", body, {c["id"]: "operational" for c in inc["components"]})

    def set_component_in_web_ui(self, component_id: str, status: str) -> None:
        with self.lock:
            self.components[component_id]["status"] = status
            self.components[component_id]["updated_at"] = _stamp(self.clock)


def _default_body(status: str) -> str:
    return {
        "resolved": "This incident has been resolved.",
        "scheduled": "Scheduled maintenance.",
    }.get(status, "")


def _body(req: FakeRequest) -> Any:
    try:
        return req.json
    except ValueError:
        return None


def _paginate(items: list[Any], req: FakeRequest) -> list[Any]:
    try:
        per_page = int(req.arg("per_page") or 100)
        page = int(req.arg("page") or 1)
    except ValueError:
        return items
    per_page = min(max(per_page, 1), 100)
    page = max(page, 1)
    return items[(page - 1) * per_page : page * per_page]
