"""Incidents, timeline events and status components.

An incident's state is a projection of its timeline: `State.apply` folds one event at a
time, and nothing else changes an incident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pendulum import DateTime

from console.domain.clock import iso, parse_instant, parse_stored_instant
from console.domain.intake.book import BOOK_KINDS, AlertBook, fold_alert_event

STATUSES = ("triggered", "acknowledged", "resolved")
ORIGINS = ("local", "intake", "provider", "drill", "sync")
ROLES = ("commander", "comms", "ops", "scribe")
PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
URGENCIES = ("high", "low")
COMPONENT_STATUSES = (
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
)
PAGE_STATUSES = ("investigating", "identified", "monitoring", "resolved")

# PagerDuty's transitions: any open incident may be acknowledged again (it re-acks) or
# resolved; a resolved incident only leaves that state by being reopened (a new trigger).
TRANSITIONS = {
    "triggered": {"acknowledged", "resolved", "triggered"},
    "acknowledged": {"acknowledged", "resolved", "triggered"},
    "resolved": {"triggered"},
}


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, set())


@dataclass(frozen=True)
class User:
    """A person: handle is the config key; name and email as the providers know them."""

    handle: str
    name: str
    email: str = ""

    @property
    def label(self) -> str:
        return self.name or self.handle


@dataclass(frozen=True)
class Service:
    name: str
    description: str = ""
    escalation_policy: str | None = None
    acknowledgement_timeout: int | None = None
    auto_resolve_timeout: int | None = None
    components: tuple[str, ...] = ()


@dataclass
class Component:
    """A status-page component, by the name customers read."""

    name: str
    status: str = "operational"
    updated_at: DateTime | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One timeline entry. `incident` is None for store-wide events (components, windows)."""

    id: str
    at: DateTime
    kind: str
    author: str
    origin: str
    text: str
    incident: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": iso_precise(self.at),
            "kind": self.kind,
            "author": self.author,
            "origin": self.origin,
            "text": self.text,
            "incident": self.incident,
            "data": self.data,
        }

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> Event:
        return cls(
            id=rec["id"],
            at=parse_stored_instant(rec["at"]),
            kind=rec["kind"],
            author=rec["author"],
            origin=rec["origin"],
            text=rec["text"],
            incident=rec.get("incident"),
            data=rec.get("data") or {},
        )

    def to_json(self) -> dict[str, Any]:
        """The timeline entry of `show --json`."""
        return {
            "at": iso(self.at),
            "kind": self.kind,
            "author": self.author,
            "origin": self.origin,
            "text": self.text,
        }


def iso_precise(when: DateTime) -> str:
    """UTC ISO 8601 with microseconds, for storage (ordering within a second matters)."""
    return when.in_tz("UTC").strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class ActionItem:
    text: str
    owner: str | None = None
    done: bool = False


@dataclass
class Incident:
    id: str
    title: str
    created_at: DateTime
    status: str = "triggered"
    severity: int | None = None
    priority: str | None = None
    urgency: str = "high"
    service: str | None = None
    components: list[str] = field(default_factory=list)
    assignee: str | None = None
    roles: dict[str, str] = field(default_factory=dict)
    acknowledged_at: DateTime | None = None
    resolved_at: DateTime | None = None
    declared_at: DateTime | None = None
    provider_ids: dict[str, str] = field(default_factory=dict)
    action_items: list[ActionItem] = field(default_factory=list)
    escalation_level: int = 1
    snoozed_until: DateTime | None = None
    merged_into: str | None = None
    page_status: str | None = None
    last_page_update_at: DateTime | None = None
    last_event_at: DateTime | None = None

    @property
    def number(self) -> int:
        return int(self.id.split("-", 1)[1])

    @property
    def is_open(self) -> bool:
        return self.status != "resolved"

    @property
    def severity_label(self) -> str:
        return f"SEV{self.severity}" if self.severity else "—"

    def to_json(self, timeline: list[Event] | None = None) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "severity": self.severity_label if self.severity else None,
            "priority": self.priority,
            "urgency": self.urgency,
            "service": self.service,
            "components": list(self.components),
            "assignee": self.assignee,
            "roles": dict(self.roles),
            "created_at": iso(self.created_at),
            "acknowledged_at": iso(self.acknowledged_at),
            "resolved_at": iso(self.resolved_at),
            "provider_ids": dict(self.provider_ids),
        }
        if timeline is not None:
            doc["timeline"] = [e.to_json() for e in timeline]
        return doc


@dataclass
class MaintenanceWindow:
    service: str
    start: DateTime
    end: DateTime
    description: str = ""

    def covers(self, when: DateTime) -> bool:
        """Start inclusive, end exclusive."""
        return self.start <= when < self.end


class State:
    """Everything the console knows, folded from the event log."""

    def __init__(self) -> None:
        self.incidents: dict[str, Incident] = {}
        self.timelines: dict[str, list[Event]] = {}
        self.components: dict[str, Component] = {}
        self.maintenance: list[MaintenanceWindow] = []
        self.store_events: list[Event] = []
        self.last_number = 0
        self.event_ids: set[str] = set()
        self.alerts = AlertBook()  # open alerts by dedup key (intake's dedup and grouping)
        self.log: list[Event] = []  # every event in fold order (compaction rewrites it)

    # -- queries -------------------------------------------------------------------

    def next_incident_id(self) -> str:
        return f"INC-{self.last_number + 1}"

    def get(self, inc_id: str) -> Incident | None:
        return self.incidents.get(inc_id.upper())

    def open_incidents(self) -> list[Incident]:
        return [i for i in self.incidents.values() if i.is_open]

    def timeline(self, inc_id: str) -> list[Event]:
        return self.timelines.get(inc_id.upper(), [])

    # -- the fold ------------------------------------------------------------------

    def apply(self, ev: Event) -> None:
        """Fold one event. Unknown kinds are kept on the timeline and change nothing else."""
        if ev.id in self.event_ids:
            return  # idempotent: replaying a journal twice changes nothing
        self.event_ids.add(ev.id)
        if ev.kind in BOOK_KINDS:
            fold_alert_event(self.alerts, ev)
        self.log.append(ev)
        if ev.incident is None:
            self.store_events.append(ev)
            _STORE_FOLDS.get(ev.kind, _ignore)(self, ev)
            return
        if ev.kind == "opened":
            inc = Incident(
                id=ev.incident,
                title=ev.data.get("title", ""),
                created_at=ev.at,
                severity=ev.data.get("severity"),
                priority=ev.data.get("priority"),
                urgency=ev.data.get("urgency", "high"),
                service=ev.data.get("service"),
                components=list(ev.data.get("components", [])),
            )
            self.incidents[inc.id] = inc
            self.timelines[inc.id] = []
            self.last_number = max(self.last_number, inc.number)
        inc = self.incidents.get(ev.incident)
        if inc is None:
            return
        self.timelines[inc.id].append(ev)
        inc.last_event_at = ev.at
        _INCIDENT_FOLDS.get(ev.kind, _ignore)(inc, ev)


def _ignore(*_: Any) -> None:
    return None


def _declared(inc: Incident, ev: Event) -> None:
    d = ev.data
    inc.severity = d.get("severity", inc.severity)
    if d.get("title"):
        inc.title = d["title"]
    if d.get("service"):
        inc.service = d["service"]
    for c in d.get("components", []):
        if c not in inc.components:
            inc.components.append(c)
    if d.get("commander"):
        inc.roles["commander"] = d["commander"]
    inc.declared_at = inc.declared_at or ev.at


def _acknowledged(inc: Incident, ev: Event) -> None:
    inc.status = "acknowledged"
    inc.acknowledged_at = inc.acknowledged_at or ev.at
    inc.assignee = inc.assignee or ev.author


def _resolved(inc: Incident, ev: Event) -> None:
    inc.status = "resolved"
    inc.resolved_at = ev.at


def _reopened(inc: Incident, ev: Event) -> None:
    inc.status = "triggered"
    inc.resolved_at = None
    inc.escalation_level = 1


def _unacknowledged(inc: Incident, ev: Event) -> None:
    # acknowledgement timeout: back to triggered, escalation restarts at the first rule
    inc.status = "triggered"
    inc.escalation_level = 1


def _escalated(inc: Incident, ev: Event) -> None:
    inc.escalation_level = ev.data.get("level", inc.escalation_level + 1)
    if ev.data.get("assignee"):
        inc.assignee = ev.data["assignee"]


def _reassigned(inc: Incident, ev: Event) -> None:
    inc.assignee = ev.data.get("assignee")


def _severity(inc: Incident, ev: Event) -> None:
    inc.severity = ev.data.get("severity")


def _priority(inc: Incident, ev: Event) -> None:
    inc.priority = ev.data.get("priority")


def _role(inc: Incident, ev: Event) -> None:
    inc.roles[ev.data["role"]] = ev.data["user"]


def _task(inc: Incident, ev: Event) -> None:
    inc.action_items.append(ActionItem(text=ev.data.get("text", ""), owner=ev.data.get("owner")))


def _page_update(inc: Incident, ev: Event) -> None:
    inc.page_status = ev.data.get("status")
    inc.last_page_update_at = ev.at


def _page_opened(inc: Incident, ev: Event) -> None:
    inc.page_status = ev.data.get("status", "investigating")
    inc.last_page_update_at = ev.at


def _snoozed(inc: Incident, ev: Event) -> None:
    until = ev.data.get("until")
    inc.snoozed_until = parse_instant(until) if until else None


def _merged_into(inc: Incident, ev: Event) -> None:
    inc.merged_into = ev.data.get("into")
    inc.status = "resolved"
    inc.resolved_at = ev.at


def _provider_id(inc: Incident, ev: Event) -> None:
    inc.provider_ids[ev.data["provider"]] = ev.data["id"]


def _components(inc: Incident, ev: Event) -> None:
    for c in ev.data.get("components", []):
        if c not in inc.components:
            inc.components.append(c)


def _urgency(inc: Incident, ev: Event) -> None:
    inc.urgency = ev.data.get("urgency", inc.urgency)


_INCIDENT_FOLDS = {
    "declared": _declared,
    "acknowledged": _acknowledged,
    "resolved": _resolved,
    "reopened": _reopened,
    "unacknowledged": _unacknowledged,
    "escalated": _escalated,
    "reassigned": _reassigned,
    "severity_changed": _severity,
    "priority_changed": _priority,
    "urgency_changed": _urgency,
    "role_assigned": _role,
    "task_added": _task,
    "status_page_update": _page_update,
    "status_page_opened": _page_opened,
    "snoozed": _snoozed,
    "merged_into": _merged_into,
    "provider_linked": _provider_id,
    "components_added": _components,
}


def _component_status(state: State, ev: Event) -> None:
    name = ev.data["component"]
    comp = state.components.setdefault(name, Component(name=name))
    comp.status = ev.data["status"]
    comp.updated_at = ev.at


def _maintenance(state: State, ev: Event) -> None:
    state.maintenance.append(
        MaintenanceWindow(
            service=ev.data["service"],
            start=parse_instant(ev.data["start"]),
            end=parse_instant(ev.data["end"]),
            description=ev.data.get("description", ""),
        )
    )


_STORE_FOLDS = {
    "component_status": _component_status,
    "maintenance_scheduled": _maintenance,
}
