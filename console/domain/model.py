"""Incidents, timeline events and status components.

An incident's state is a projection of its timeline: `State.apply` folds one event at a
time, and nothing else changes an incident.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Callable, MutableSet
from dataclasses import MISSING, dataclass, field, fields
from functools import partial
from operator import itemgetter
from sys import intern
from typing import Any, Protocol

from pendulum import DateTime

from console.domain.clock import iso, iso_precise, parse_instant, parse_stored_instant
from console.domain.intake.book import BOOK_KINDS, AlertBook, fold_alert_event
from console.domain.lazy import LazyDict, LazySet

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


# Event's own __init__, as the dataclass would make it, with each field set through its
# slot's descriptor: a frozen dataclass's generated __init__ sets each of the eight
# through object.__setattr__, twice the cost, and every alert, page and stored line
# makes Events
_NO_DATA: Any = object()  # `data` not given: a new empty dict (the field's default_factory)
(
    _set_id,
    _set_at,
    _set_kind,
    _set_author,
    _set_origin,
    _set_text,
    _set_incident,
    _set_data,
) = (Event.__dict__[f.name].__set__ for f in fields(Event))


def _event_init(
    self: Event,
    id: str,  # noqa: A002 - the field's name
    at: DateTime,
    kind: str,
    author: str,
    origin: str,
    text: str,
    incident: str | None = None,
    data: dict[str, Any] = _NO_DATA,
) -> None:
    _set_id(self, id)
    _set_at(self, at)
    _set_kind(self, kind)
    _set_author(self, author)
    _set_origin(self, origin)
    _set_text(self, text)
    _set_incident(self, incident)
    _set_data(self, {} if data is _NO_DATA else data)


_event_init.__qualname__ = "Event.__init__"
Event.__init__ = _event_init  # type: ignore[method-assign]


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

    def __getattr__(self, name: str) -> Any:
        # reached only for a container field that an incident built from a snapshot row
        # left out (see incident_from_row): made when first read, not for every row
        factory = _FRESH_FACTORIES.get(name)
        if factory is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        value = self.__dict__[name] = factory()
        return value

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


class _StoredInstant:
    """An Incident's instant field: a DateTime, kept as the stored ISO text until read.

    Opening a store builds thousands of incidents from snapshot rows; parsing each row's
    four or five instants would cost more than parsing the rows themselves, and most are
    never read (a resolved incident's acknowledgement time...). Set like any attribute.
    """

    __slots__ = ("name", "default")

    def __init__(self, name: str, default: Any) -> None:
        self.name = name
        self.default = default

    def __get__(self, obj: Any, cls: Any = None) -> Any:
        if obj is None:
            return self.default
        d = obj.__dict__
        value = d.get(self.name, self.default)
        if type(value) is str:
            value = d[self.name] = parse_stored_instant(value)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.name] = value


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


# installed after the dataclass made __init__, __eq__ and __repr__ (which read through them)
for _f in fields(Incident):
    if _f.name in _INSTANT_FIELDS:
        setattr(
            Incident,
            _f.name,
            _StoredInstant(_f.name, None if _f.default is MISSING else _f.default),
        )
_FRESH_FACTORIES = {
    f.name: f.default_factory for f in fields(Incident) if f.default_factory is not MISSING
}


@dataclass
class MaintenanceWindow:
    service: str
    start: DateTime
    end: DateTime
    description: str = ""

    def covers(self, when: DateTime) -> bool:
        """Start inclusive, end exclusive."""
        return self.start <= when < self.end


class ColdLog(Protocol):
    """Stored events kept on disk until asked for (the store's cold file).

    A State loaded from a snapshot reads an incident's timeline from it on first read, and
    the rest (events on no timeline, the order of the whole log, every id) only when
    something asks for the whole history.
    """

    def timeline(self, inc_id: str, line: int) -> list[Event]:
        """The incident's stored timeline (the `line`th, counting the snapshot's incident
        rows from 0), in fold order."""
        ...

    def orphans(self) -> list[Event]:
        """Stored events on no incident's timeline (folded before their incident was
        opened, or left behind when an "opened" started the timeline again)."""
        ...

    def ids(self) -> list[str]:
        """The id of every stored event, in fold order."""
        ...


class State:
    """Everything the console knows, folded from the event log."""

    def __init__(self) -> None:
        # after `load_projection` both stay stored rows until read (see console.domain.lazy)
        self.incidents: dict[str, Incident] = LazyDict(_nothing_unread)
        self.timelines: dict[str, list[Event]] = LazyDict(_nothing_unread)
        self.components: dict[str, Component] = {}
        self.maintenance: list[MaintenanceWindow] = []
        self.store_events: list[Event] = []
        self.last_number = 0
        self.event_ids: MutableSet[str] = LazySet()
        # the events folded from now on never repeat an id the stored log holds (their
        # writers dropped such events before writing them): the ids still unread need
        # not be read to tell a repeat (console.store.journal, "unique_ids")
        self.unique_ids = False
        self.alerts = AlertBook()  # open alerts by dedup key (intake's dedup and grouping)
        self._log: list[Event] = []  # every event folded (after a load: since the load)
        self._orphans: list[Event] = []  # events folded onto no timeline (see ColdLog)
        self._cold: ColdLog | None = None  # the stored events not yet in _log
        self._cold_orphans = False  # the cold log's orphans not yet in _orphans
        self._rows: list[dict[str, Any]] = []  # the snapshot's incident rows (see incidents)
        self._lock = threading.RLock()

    @property
    def log(self) -> list[Event]:
        """Every event in fold order (compaction rewrites it).

        After `load_projection` the stored events stay on disk until something asks for
        the whole log (a drill report, a postmortem); then they become Events once,
        shared with the timelines.
        """
        if self._cold is not None:
            with self._lock:
                cold = self._cold
                if cold is not None:
                    by_id = {e.id: e for t in self.timelines.values() for e in t}
                    by_id.update((e.id, e) for e in self.store_events)
                    by_id.update((e.id, e) for e in self.orphans())
                    self._log[0:0] = [by_id[eid] for eid in cold.ids()]
                    self._cold = None
        return self._log

    def orphans(self) -> list[Event]:
        """Events on no incident's timeline (kept in the log only)."""
        if self._cold_orphans:
            with self._lock:
                if self._cold_orphans and self._cold is not None:
                    self._orphans[0:0] = self._cold.orphans()
                self._cold_orphans = False
        return self._orphans

    def log_ids(self) -> list[str]:
        """The id of every event in fold order, without reading stored events."""
        with self._lock:
            cold = self._cold
            new = [e.id for e in self._log]
            return cold.ids() + new if cold is not None else new

    def incident_log(self, inc_id: str, also: Callable[[Event], bool] | None = None) -> list[Event]:
        """The events about one incident (on its timeline or not) and the store-wide
        events `also` picks, in fold order: the log filtered, without reading the whole
        stored log when the state was loaded from a snapshot."""
        if self._cold is None:
            return [
                e
                for e in self._log
                if e.incident == inc_id or (e.incident is None and also is not None and also(e))
            ]
        mine = [*self.timeline(inc_id), *(e for e in self.orphans() if e.incident == inc_id)]
        if also is not None:
            mine += [e for e in self.store_events if also(e)]
        wanted = {e.id for e in mine}
        position = {eid: i for i, eid in enumerate(self.log_ids()) if eid in wanted}
        mine.sort(key=lambda e: position[e.id])
        return mine

    def incident_rows(self) -> list[dict[str, Any]]:
        """Every incident as a snapshot row (a row still unread is written back as read)."""
        incidents = self.incidents
        if not isinstance(incidents, LazyDict):
            return [incident_to_row(i) for i in incidents.values()]
        with incidents.lock:
            raw, rows = incidents.raw, self._rows
            return [
                rows[raw[k]] if k in raw else incident_to_row(v) for k, v in dict.items(incidents)
            ]

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
        ids = self.event_ids
        if ids.holds_read(ev.id) if self.unique_ids else ev.id in ids:
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
            d = ev.data
            # as `Incident(id=..., title=..., ...)`, the other fields left to read their
            # defaults (as a snapshot row's incident does): the dataclass's __init__ sets
            # all 22, seven through _StoredInstant, and every alert storm opens many
            inc = object.__new__(Incident)
            inc.__dict__.update(
                id=ev.incident,
                title=d.get("title", ""),
                created_at=ev.at,
                severity=d.get("severity"),
                priority=d.get("priority"),
                urgency=d.get("urgency", "high"),
                service=d.get("service"),
                components=list(d.get("components", [])),
            )
            # opening again starts a new timeline: the old one's events stay in the log only
            self._orphans.extend(self.timelines.get(inc.id, ()))
            self.incidents[inc.id] = inc
            self.timelines[inc.id] = []
            self.last_number = max(self.last_number, inc.number)
        inc = self.incidents.get(ev.incident)
        if inc is None:
            self._orphans.append(ev)
            return
        self.timelines[inc.id].append(ev)
        # what the field's descriptor (_StoredInstant) does on a set, without the call
        inc.__dict__["last_event_at"] = ev.at
        fold = _INCIDENT_FOLDS.get(ev.kind)
        if fold is not None:  # most events (an alert's) change nothing else
            fold(inc, ev)

    # -- loading a projection snapshot ------------------------------------------------

    def load_projection(
        self,
        incidents: list[dict[str, Any]],
        last_number: int,
        store_events: list[dict[str, Any]],
        alerts: dict[str, Any] | None,
        cold: ColdLog,
        damaged: Callable[[str], Exception] = ValueError,
    ) -> None:
        """Start a fresh State from a snapshot's projection instead of folding history.

        `incidents` are `incident_to_row` rows of a State that had folded exactly the
        events `cold` holds (`store_events` among them, as records) and nothing else, and
        `alerts` its alert book (`AlertBook.to_row`); the result equals folding those
        events one by one. Nothing is built here that the first screen does not need: the
        rows become Incidents when read, timelines are read from `cold` by id, and the ids
        and the whole log only when asked for. A row found damaged when read raises
        `damaged("incident INC-n: FIELD: what is wrong")` (the store's names its file).
        """
        # one index, id -> position, for both: an unread incident is its row's position
        # in `incidents`, an unread timeline the same line of the cold log
        lines = dict(zip(map(itemgetter("id"), incidents), range(len(incidents)), strict=True))
        if len(lines) != len(incidents):
            raise ValueError("two incidents rows with one id")
        self._rows = incidents
        self.incidents = LazyDict(partial(_build_incident, incidents, damaged))
        self.incidents.add_raw(dict(lines), lines)
        self.timelines = LazyDict(partial(_build_timeline, cold))
        self.timelines.add_raw(dict(lines), lines)
        self.last_number = max(self.last_number, last_number)
        for rec in store_events:
            ev = Event.from_record(rec)
            self.store_events.append(ev)
            _STORE_FOLDS.get(ev.kind, _ignore)(self, ev)
        if alerts:
            self.alerts = AlertBook.from_row(alerts, parse_stored_instant)
        self._cold = cold
        self._cold_orphans = True
        self.event_ids.defer(cold.ids)

    def stored_incident(self, inc_id: str) -> dict[str, Any] | None:
        """The snapshot row an incident not read yet still is (None once it has become
        an Incident, or for a State not loaded from a snapshot): for a reader that wants
        a few of its fields without building it. Not checked and not a copy: check it
        with `check_stored_incident`, and never change it."""
        raw = getattr(self.incidents, "raw", None)
        if not raw:
            return None
        i = raw.get(inc_id)
        return None if i is None else self._rows[i]


def _build_incident(
    rows: list[dict[str, Any]],
    damaged: Callable[[str], Exception],
    key: str,
    i: int,
    _placeholder: int,
) -> Incident:
    try:
        return incident_from_row(rows[i])
    except ValueError as exc:
        # the row stays as stored (checked before anything in it changes) and unread
        raise damaged(f"incident {key}: {exc}") from None


def _build_timeline(cold: ColdLog, key: str, line: int, _placeholder: None) -> list[Event]:
    return cold.timeline(key, line)


def _nothing_unread(key: str, raw: Any, _placeholder: Any) -> Any:
    raise AssertionError("an entry left unread without a snapshot to read it from")


def event_to_row(ev: Event, with_incident: bool = False) -> list[Any]:
    """An event as the store's cold file keeps it: a list, its incident implied by the
    timeline it is on (`with_incident` for events on none), `data` left out when empty."""
    row: list[Any] = [ev.id, iso_precise(ev.at), ev.kind, ev.author, ev.origin, ev.text]
    if ev.data or with_incident:
        row.append(ev.data)
    if with_incident:
        row.append(ev.incident)
    return row


def events_from_rows(rows: list[list[Any]], incident: str | None = None) -> list[Event]:
    """The inverse of `event_to_row` (`incident` None: rows written `with_incident`)."""
    out = []
    instants: dict[str, DateTime] = {}  # one parse for a time events share
    for r in rows:
        when = instants.get(r[1])
        if when is None:
            when = instants[r[1]] = parse_stored_instant(r[1])
        out.append(
            Event(
                r[0],
                when,
                # json makes a new string per occurrence; these few repeat across the
                # whole history, so one copy each
                intern(r[2]),
                intern(r[3]),
                intern(r[4]),
                r[5],
                incident if incident is not None else r[7],
                (r[6] or {}) if len(r) > 6 else {},
            )
        )
    return out


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


_FIELD_NAMES = frozenset(f.name for f in fields(Incident))


def incident_from_row(row: dict[str, Any], instants: Any = None) -> Incident:
    """The inverse of `incident_to_row`.

    The row, a dict just parsed from the snapshot, becomes the incident's attributes (not
    copied): a field it leaves out reads the dataclass's default, a container field is
    made when first read, and instants stay text until read (`_StoredInstant`). Raises
    ValueError for a row that is not an incident.
    """
    check_stored_incident(row)
    items = row.get("action_items")
    if items:
        row["action_items"] = [ActionItem(**a) for a in items]
    inc = object.__new__(Incident)
    inc.__dict__ = row
    return inc


def check_stored_incident(row: dict[str, Any]) -> None:
    """Raise ValueError("FIELD: what is wrong") unless `row` can become an Incident
    (`incident_from_row`'s whole check: its fields, then what they hold)."""
    keys = row.keys()
    if not (keys <= _FIELD_NAMES and keys >= _REQUIRED):
        unknown = sorted(keys - _FIELD_NAMES)
        if unknown:
            raise ValueError(f"{unknown[0]}: not a field of an incident")
        raise ValueError(f"{sorted(_REQUIRED - keys)[0]}: missing")
    check_incident_row(row)


_NONE = type(None)
# what each field of a stored row may hold, as exact types (so a bool is not a number)
_ROW_TYPES: dict[str, frozenset[type]] = {
    "id": frozenset({str}),
    "title": frozenset({str}),
    "status": frozenset({str}),
    "severity": frozenset({int, _NONE}),
    "priority": frozenset({str, _NONE}),
    "urgency": frozenset({str}),
    "service": frozenset({str, _NONE}),
    "components": frozenset({list}),
    "assignee": frozenset({str, _NONE}),
    "roles": frozenset({dict}),
    "provider_ids": frozenset({dict}),
    "action_items": frozenset({list}),
    "escalation_level": frozenset({int}),
    "merged_into": frozenset({str, _NONE}),
    "page_status": frozenset({str, _NONE}),
    **{name: frozenset({str, _NONE}) for name in _INSTANT_FIELDS},
}
_ROW_TYPES["created_at"] = frozenset({str})
_TYPE_WORDS = {str: "text", int: "a whole number", list: "a list", dict: "a table", _NONE: "null"}


def check_incident_row(row: dict[str, Any]) -> None:
    """Raise ValueError("FIELD: what is wrong") unless every field of a snapshot row holds
    what its Incident field needs (types, instants that parse, the list/table contents).

    Rows are checked when first read (see State.load_projection), not at open: a type
    lookup per field and one C-level parse per stored instant.
    """
    # rows come in few shapes (which fields, of which types): a shape seen good needs no
    # type check again, only a look at the contents of its instants and containers
    shape = (*row, *map(type, row.values()))
    look = _GOOD_SHAPES.get(shape)
    if look is None:
        look = _check_shape(row, shape)
    instants, containers = look
    try:
        for name in instants:
            if _fromisoformat(row[name]).tzinfo is None:
                raise ValueError
    except ValueError:  # not the store's own shape: the real parser decides
        for name in instants:
            _check_instant(name, row[name])
    for name in containers:
        _CONTENT_CHECKS[name](name, row[name])
    number = row["id"].partition("-")[2]
    if not (number.isascii() and number.isdigit()):
        raise ValueError(f"id: {row['id'][:40]!r} is not an incident id (INC-n)")


_GOOD_SHAPES: dict[tuple[Any, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _check_shape(
    row: dict[str, Any], shape: tuple[Any, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Check each field's type (raising for the first wrong one); remember the shape."""
    types = _ROW_TYPES
    for name, value in row.items():
        if type(value) not in types[name]:
            wanted = " or ".join(sorted(_TYPE_WORDS[k] for k in types[name]))
            raise ValueError(f"{name}: {type(value).__name__} where {wanted} belongs")
    present = [name for name, value in row.items() if value is not None]
    look = (
        tuple(n for n in present if n in _INSTANT_FIELDS),
        tuple(n for n in present if n in _CONTENT_CHECKS and n not in _INSTANT_FIELDS),
    )
    if len(_GOOD_SHAPES) < 4096:  # bounded: a few dozen shapes in practice
        _GOOD_SHAPES[shape] = look
    return look


def _check_instant(name: str, text: str) -> None:
    try:
        # the C parser takes the store's own shape; anything else gets the real one
        if _fromisoformat(text).tzinfo is not None:
            return
    except ValueError:
        pass
    try:
        parse_stored_instant(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        raise ValueError(f"{name}: {text[:40]!r} is not a time") from None


def _check_texts(name: str, value: list[Any]) -> None:
    for v in value:
        if type(v) is not str:
            raise ValueError(f"{name}: holds {type(v).__name__} where text belongs")


def _check_text_table(name: str, value: dict[str, Any]) -> None:
    _check_texts(name, list(value.values()))


def _check_action_items(name: str, value: list[Any]) -> None:
    for i, item in enumerate(value):
        if not (
            type(item) is dict
            and type(item.get("text")) is str
            and item.keys() <= {"text", "owner", "done"}
            and type(item.get("owner")) in (str, _NONE)
            and type(item.get("done", False)) is bool
        ):
            raise ValueError(f"{name}: item {i + 1} is not an action item")


_fromisoformat = _dt.datetime.fromisoformat
_CONTENT_CHECKS: dict[str, Callable[[str, Any], None]] = {
    "components": _check_texts,
    "roles": _check_text_table,
    "provider_ids": _check_text_table,
    "action_items": _check_action_items,
    **dict.fromkeys(_INSTANT_FIELDS, _check_instant),
}


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
