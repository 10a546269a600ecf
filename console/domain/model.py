"""Incidents, timeline events and status components.

An incident's state is a projection of its timeline: `State.apply` folds one event at a
time, and nothing else changes an incident.
"""

from __future__ import annotations

import threading
from dataclasses import MISSING, dataclass, field, fields
from sys import intern
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
        self.timelines: dict[str, list[Event]] = Timelines()
        self.components: dict[str, Component] = {}
        self.maintenance: list[MaintenanceWindow] = []
        self.store_events: list[Event] = []
        self.last_number = 0
        self.event_ids: set[str] = set()
        self.alerts = AlertBook()  # open alerts by dedup key (intake's dedup and grouping)
        self._log: list[Event] = []
        # stored records loaded from a projection snapshot, not yet made Events (see `log`)
        self._log_raw: list[str] = []  # their ids, in fold order
        self._orphans: dict[str, Event] = {}  # stored events on no timeline (rare)

    @property
    def log(self) -> list[Event]:
        """Every event in fold order (compaction rewrites it).

        After `load_projection` the stored events stay records until something asks for
        the whole log (a drill report, a postmortem, compaction); then they become Events
        once, shared with the timelines.
        """
        if self._log_raw:
            with self.timelines.lock:
                raw, self._log_raw = self._log_raw, []
                if raw:
                    by_id = {e.id: e for t in self.timelines.values() for e in t}
                    by_id.update((e.id, e) for e in self.store_events)
                    by_id.update(self._orphans)
                    self._orphans = {}
                    self._log[0:0] = [by_id[eid] for eid in raw]
        return self._log

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
        self._log.append(ev)
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

    # -- loading a projection snapshot ------------------------------------------------

    def load_projection(
        self, records: list[dict[str, Any]], incidents: list[dict[str, Any]], last_number: int
    ) -> None:
        """Start from a snapshot's projection instead of folding every stored event.

        `incidents` are `incident_to_row` rows written from a State that had folded exactly
        `records` (in that order) and nothing else; the result equals folding them one by
        one. Timeline events stay records until their incident's timeline is asked for, so
        opening a store with years of history costs its incidents, not its events.
        """
        instants: dict[str, DateTime] = {}  # one parse for a time rows share
        for row in incidents:
            inc = incident_from_row(row, instants)
            self.incidents[inc.id] = inc
            dict.__setitem__(self.timelines, inc.id, [])
        self.last_number = max(self.last_number, last_number)
        opened: set[str] = set()
        raw_timelines = self.timelines.raw
        book_used = bool(self.alerts.open_entries())  # a fresh State's book is empty
        for rec in records:
            eid = rec["id"]
            if eid in self.event_ids:
                continue
            self.event_ids.add(eid)
            self._log_raw.append(eid)
            kind = rec["kind"]
            inc_id = rec.get("incident")
            if kind in BOOK_KINDS and _touches_book(kind, rec, book_used):
                book_used = True
                fold_alert_event(self.alerts, _StoredEvent(rec))
            if inc_id is None:
                ev = Event.from_record(rec)
                self.store_events.append(ev)
                _STORE_FOLDS.get(kind, _ignore)(self, ev)
                continue
            if kind == "opened":
                opened.add(inc_id)
                # as the fold does: opening again starts a new timeline (the old one's
                # events stay in the log only)
                for t in raw_timelines.pop(inc_id, ()):
                    self._orphans[t[0]] = _stored_event(t)
            # the fold keeps an event on a timeline only once its incident was opened
            if inc_id in opened and inc_id in self.incidents:
                # a tuple, not the parsed dict: a third of the memory, Events on demand
                raw_timelines.setdefault(inc_id, []).append(
                    (
                        eid,
                        rec["at"],
                        # json makes a new string per occurrence; these few repeat
                        # across the whole history, so one copy each
                        intern(kind),
                        intern(rec["author"]),
                        intern(rec["origin"]),
                        rec["text"],
                        intern(inc_id),
                        rec.get("data") or {},
                    )
                )
            else:
                self._orphans[eid] = Event.from_record(rec)


class Timelines(dict):
    """Incident id -> its events; a timeline loaded from a snapshot becomes Events on first read.

    A plain dict to every reader: `get`, `[]`, `values()`, `items()` and copies all see
    whole timelines. The lock keeps two threads from materialising the same one twice.
    """

    def __init__(self) -> None:
        super().__init__()
        self.raw: dict[str, list[tuple]] = {}
        self.lock = threading.RLock()

    def _materialise(self, key: Any) -> None:
        with self.lock:
            raw = self.raw.pop(key, None)
            if raw:
                # one slice assignment: a reader holding the list never sees half of it
                dict.__getitem__(self, key)[0:0] = [_stored_event(t) for t in raw]

    def _materialise_all(self) -> None:
        while self.raw:
            self._materialise(next(iter(self.raw)))

    def __setitem__(self, key: Any, value: list[Event]) -> None:
        with self.lock:
            self.raw.pop(key, None)
            dict.__setitem__(self, key, value)

    def __getitem__(self, key: Any) -> list[Event]:
        if key in self.raw:
            self._materialise(key)
        return dict.__getitem__(self, key)

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self.raw:
            self._materialise(key)
        return dict.get(self, key, default)

    def __iter__(self):
        # a custom __iter__ makes dict(t) and {**t} read through __getitem__
        return dict.__iter__(self)

    def keys(self):
        return dict.keys(self)

    def values(self):
        self._materialise_all()
        return dict.values(self)

    def items(self):
        self._materialise_all()
        return dict.items(self)

    def __eq__(self, other: object) -> bool:
        self._materialise_all()
        return dict.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    def copy(self) -> dict[str, list[Event]]:
        self._materialise_all()
        return dict(dict.items(self))


def _touches_book(kind: str, rec: dict[str, Any], book_used: bool) -> bool:
    """Whether folding this stored event can change the alert book (most cannot)."""
    if kind == "opened":
        return bool((rec.get("data") or {}).get("group"))
    if kind in ("resolved", "merged_into"):
        # these only clear what an alert or a group put there before
        return book_used
    return True


def _stored_event(t: tuple) -> Event:
    """An Event from load_projection's tuple (Event's fields in order, `at` still text)."""
    return Event(t[0], parse_stored_instant(t[1]), t[2], t[3], t[4], t[5], t[6], t[7])


class _StoredEvent:
    """A stored record seen as an event by the alert book (its instant parsed only if read)."""

    __slots__ = ("_rec", "kind", "incident", "data")

    def __init__(self, rec: dict[str, Any]) -> None:
        self._rec = rec
        self.kind = rec["kind"]
        self.incident = rec.get("incident")
        self.data = rec.get("data") or {}

    @property
    def at(self) -> DateTime:
        return parse_stored_instant(self._rec["at"])


_INSTANT_FIELDS = frozenset(
    {
        "created_at",
        "acknowledged_at",
        "resolved_at",
        "declared_at",
        "snoozed_until",
        "last_page_update_at",
        "last_event_at",
    }
)


_REQUIRED = frozenset({"id", "title", "created_at"})
_INCIDENT_DEFAULTS = [
    (f, f.default_factory() if f.default_factory is not MISSING else f.default)
    for f in fields(Incident)
]


def incident_to_row(inc: Incident) -> dict[str, Any]:
    """An incident as a snapshot row (JSON types; instants as stored ISO strings)."""
    row: dict[str, Any] = {}
    for f, default in _INCIDENT_DEFAULTS:
        v = getattr(inc, f.name)
        if v == default and f.name not in _REQUIRED:
            continue  # the constructor's default: 10k rows stay short to parse
        if f.name in _INSTANT_FIELDS:
            v = iso_precise(v) if v is not None else None
        elif f.name == "action_items":
            v = [{"text": a.text, "owner": a.owner, "done": a.done} for a in v]
        elif isinstance(v, (list, dict)):
            v = type(v)(v)
        row[f.name] = v
    return row


def incident_from_row(row: dict[str, Any], instants: dict[str, DateTime] | None = None) -> Incident:
    """The inverse of `incident_to_row`; `instants` memoises parsed times across rows."""
    memo = {} if instants is None else instants
    kw = dict(row)
    for name in _INSTANT_FIELDS:
        text = kw.get(name)
        if text is not None:
            when = memo.get(text)
            if when is None:
                when = memo[text] = parse_stored_instant(text)
            kw[name] = when
    if "action_items" in kw:
        kw["action_items"] = [ActionItem(**a) for a in kw["action_items"]]
    return Incident(**kw)


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
