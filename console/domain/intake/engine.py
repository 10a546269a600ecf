"""`intake(state, settings, body, received_at) -> (events, intents)`: alerts in, timeline out.

Pure: it reads the state and the settings, changes neither, and returns the timeline
events (origin "intake") and the outbox intents they imply. The store persists both in
one durable write; the drill calls the same function with its simulated clock's time.

For each alert of the body, in order:
1. acknowledge / resolve go straight to the open alert with that dedup key (an unknown
   key is dropped and logged);
2. a trigger meets the global rules, then routing (integration key, else the router's
   rules, first match wins, else the catch-all; `unrouted` makes no incident), then the
   service's own rules;
3. dedup: a trigger whose key names an open alert adds to it; after a resolve the same
   key opens a new alert;
4. maintenance windows and `suppress` record the alert as suppressed, with no incident;
5. grouping: a new alert joins the service's open incident (time window or same content)
   or opens a new one, with urgency from the alert's severity.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pendulum import DateTime

from console.domain.clock import in_utc, iso
from console.domain.intake.alert import (
    Alert,
    clean_text,
    field_reader,
    parse_body,
    severity_urgency,
)
from console.domain.intake.book import (
    BOOK_KINDS,
    AlertBook,
    AlertEntry,
    GroupSlot,
    fold_alert_event,
)
from console.domain.intake.config import (
    UNROUTED,
    IntakeConfig,
    Rule,
    ServiceIntake,
    intake_config,
)
from console.domain.intake.maintenance import active_window, all_windows
from console.domain.intake.paging import first_pages
from console.domain.model import Event, MaintenanceWindow, State, iso_precise

ORIGIN = "intake"
IdSource = Callable[[], str]


# ids made ahead: 128 bits of os.urandom each, as 32 hex digits (like uuid4().hex). One
# read of the kernel's randomness per 128 ids instead of one per id: each read is a
# system call that lets go of the GIL, and a receiver's writer would then wait behind the
# senders for it back. A list's iterator hands each id out once, whatever the threads.
_ID_BATCH = 128
_ids: Iterator[str] = iter(())


def _uuid_hex() -> str:
    global _ids
    try:
        return next(_ids)
    except StopIteration:
        raw = os.urandom(16 * _ID_BATCH).hex()
        _ids = iter([raw[i : i + 32] for i in range(0, len(raw), 32)])
        return next(_ids)


def _forget_ids() -> None:
    # a forked child must not hand out the ids its parent has in hand
    global _ids
    _ids = iter(())


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_ids)


@dataclass
class Outcome:
    """What happened to one alert: for the receiver's answer and the CLI's summary."""

    dedup_key: str | None
    result: str  # opened, grouped, deduplicated, suppressed, dropped, acknowledged, resolved, unrouted, change
    incident: str | None = None
    detail: str = ""


@dataclass
class IntakeResult:
    events: list[Event] = field(default_factory=list)
    intents: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def dedup_keys(self) -> list[str]:
        return [o.dedup_key for o in self.outcomes if o.dedup_key]


class _Routed:
    """A trigger after the rules: where it goes and what the rules changed."""

    # one per trigger: a plain class with slots costs a third of a dataclass to make
    __slots__ = ("alert", "service", "drop_rule", "suppress_rule", "priority", "notes")

    def __init__(self, alert: Alert, service: str | None = None) -> None:
        self.alert = alert
        self.service = service
        self.drop_rule: str | None = None
        self.suppress_rule: str | None = None
        self.priority: str | None = None
        self.notes: list[str] = []


class _Scratch:
    """The state as this call has changed it so far (incidents opened, alerts booked).

    Its alert book is a child of the state's, made at the first change, and an event is
    folded into it only when something reads the book after it: the events of a body's
    last alert (its only one, from most senders) are never read back here, and so are
    folded once, by the store, not twice.
    """

    def __init__(self, state: State) -> None:
        self.state = state
        self._book: AlertBook | None = None
        self._unfolded: list[Event] = []
        self.status: dict[str, str] = {}
        self.last_number = state.last_number

    def next_incident_id(self) -> str:
        self.last_number += 1
        return f"INC-{self.last_number}"

    def incident_status(self, inc: str) -> str | None:
        if inc in self.status:
            return self.status[inc]
        found = self.state.incidents.get(inc)
        return found.status if found else None

    def fold(self, ev: Event) -> None:
        """Take one event of this call: its incident's status now, the book when read."""
        if ev.kind in BOOK_KINDS:
            self._unfolded.append(ev)
        if ev.incident is None:
            return
        if ev.kind == "opened":
            self.status[ev.incident] = "triggered"
        elif ev.kind == "acknowledged":
            self.status[ev.incident] = "acknowledged"
        elif ev.kind == "resolved":
            self.status[ev.incident] = "resolved"

    # -- the alert book as this call's events have left it ----------------------------

    def _reader(self) -> AlertBook:
        if self._unfolded:
            return self._writer()
        # nothing changed yet: the state's own book reads the same as an empty child
        return self._book if self._book is not None else self.state.alerts

    def _writer(self) -> AlertBook:
        book = self._book
        if book is None:
            book = self._book = self.state.alerts.child()
        if self._unfolded:
            unfolded, self._unfolded = self._unfolded, []
            for ev in unfolded:
                fold_alert_event(book, ev)
        return book

    def entry(self, key: str) -> AlertEntry | None:
        return self._reader().entry(key)

    def has_keys(self, incident: str) -> bool:
        return self._reader().has_keys(incident)

    def resolved_source_time(self, key: str) -> str | None:
        return self._reader().resolved_source_time(key)

    def group(self, token: str) -> GroupSlot | None:
        return self._reader().group(token)

    def close_entry(self, key: str) -> None:
        """Forget the open alert `key` (in this call's book only)."""
        self._writer().put_entry(key, None)


class _Run:
    def __init__(
        self, state: State, config: IntakeConfig, received_at: DateTime, ids: IdSource
    ) -> None:
        self.scratch = _Scratch(state)
        self.config = config
        self.at = received_at
        self.ids = ids
        self.result = IntakeResult()
        self.windows: list[MaintenanceWindow] = all_windows(config, state)

    # -- output -----------------------------------------------------------------------

    def emit(
        self, kind: str, text: str, author: str, incident: str | None = None, /, **data: Any
    ) -> Event:
        if None in data.values():
            data = {k: v for k, v in data.items() if v is not None}
        return self.emit_data(kind, text, author, incident, data)

    def emit_data(
        self, kind: str, text: str, author: str, incident: str | None, data: dict[str, Any]
    ) -> Event:
        """`emit` with its data made already (no None values: they are left out)."""
        # positional: Event's fields in order (id, at, kind, author, origin, text,
        # incident, data), cheaper to pass than by name
        ev = Event(self.ids(), self.at, kind, author, ORIGIN, text, incident, data)
        self.result.events.append(ev)
        self.scratch.fold(ev)
        return ev

    def intent(self, op: str, incident: str | None, **args: Any) -> None:
        self.result.intents.append(
            {
                "id": self.ids(),
                "op": op,
                "incident": incident,
                "args": args,
                # iso(self.at), cut from the instant to the microsecond that this write's
                # records are stamped with anyway (formatted once, then remembered)
                "created_at": iso_precise(self.at)[:19] + "Z",
                "origin": ORIGIN,
            }
        )

    def outcome(
        self, key: str | None, result: str, incident: str | None = None, detail: str = ""
    ) -> None:
        self.result.outcomes.append(Outcome(key, result, incident, detail))

    # -- one alert --------------------------------------------------------------------

    def take(self, alert: Alert) -> None:
        if alert.action == "change":
            self.change(alert)
        elif alert.action == "trigger":
            if alert.dedup_key is None:
                # Events v2 makes a key for a trigger without one and answers with it
                alert = alert.but(dedup_key=self.ids())
            self.trigger(alert)
        else:
            self.ack_or_resolve(alert)

    def change(self, alert: Alert) -> None:
        service = self.config.by_routing_key.get(alert.routing_key or "")
        self.emit(
            "change_event",
            f"Change: {alert.summary}",
            alert.client,
            service=service,
            summary=alert.summary,
            source=alert.source or None,
            occurred_at=iso(alert.occurred_at),
        )
        self.outcome(None, "change")

    def ack_or_resolve(self, alert: Alert) -> None:
        key = alert.dedup_key or ""
        entry = self.scratch.entry(key)
        verb = "acknowledge" if alert.action == "acknowledge" else "resolve"
        source_time = _source_time(alert)
        if entry is None:
            self.emit(
                "alert_dropped",
                f"Dropped: {verb} for unknown alert key {_quote(key)}",
                alert.client,
                dedup_key=key,
                action=verb,
                reason="unknown_key",
                # the book remembers it: a firing of this key that started before this
                # resolve and arrives after it is stale
                source_time=source_time if alert.action == "resolve" else None,
            )
            self.outcome(key, "dropped", detail="unknown dedup key")
            return
        if (
            alert.action == "resolve"
            and alert.occurred_at is not None
            and entry.started_at
            and iso_precise(alert.occurred_at) < entry.started_at
        ):
            self.emit(
                "alert_dropped",
                f"Dropped: a resolve from before the alert {_quote(key)} started (out of order)",
                alert.client,
                entry.incident,
                dedup_key=key,
                action=verb,
                reason="stale",
            )
            self.outcome(key, "dropped", entry.incident, "stale resolve")
            return
        inc = entry.incident
        if alert.action == "acknowledge":
            self.emit(
                "alert_acknowledged",
                f"Alert acknowledged: {entry.summary}",
                alert.client,
                inc,
                dedup_key=key,
            )
            if inc and self.scratch.incident_status(inc) == "triggered":
                self.emit(
                    "acknowledged",
                    f"Acknowledged by {alert.client} (alert {_quote(key)})",
                    alert.client,
                    inc,
                    dedup_key=key,
                )
                self.intent("incident.ack", inc)
            self.outcome(key, "acknowledged", inc)
            return
        self.emit(
            "alert_resolved",
            f"Alert resolved: {entry.summary}",
            alert.client,
            inc,
            dedup_key=key,
            source_time=source_time,
        )
        self.outcome(key, "resolved", inc)
        if inc is None or self.scratch.has_keys(inc):
            return
        service = self.config.service(entry.service or "")
        if service.auto_resolve_alerts and self.scratch.incident_status(inc) not in (
            None,
            "resolved",
        ):
            self.emit(
                "resolved", "Resolved: all of its alerts resolved", alert.client, inc, dedup_key=key
            )
            self.intent("incident.resolve", inc, note="All alerts resolved")

    def trigger(self, alert: Alert) -> None:
        key = alert.dedup_key or ""
        routed = self.route(alert)
        alert = routed.alert
        if routed.drop_rule:
            self.emit(
                "alert_dropped",
                f"Dropped by {routed.drop_rule}: {alert.summary}",
                alert.client,
                dedup_key=key,
                action="trigger",
                reason="rule",
                rule=routed.drop_rule,
            )
            self.outcome(key, "dropped", detail=routed.drop_rule)
            return
        entry = self.scratch.entry(key)
        if entry is None:
            # _source_time's answer without the call for the formats that never give one
            started = _source_time(alert, True) if alert.format == "alertmanager" else None
            # the last resolve's time matters only to a sender that gives a start time
            last_resolve = self.scratch.resolved_source_time(key) if started else None
            if last_resolve and started and started <= last_resolve:
                self.emit(
                    "alert_dropped",
                    f"Dropped: a firing of {_quote(key)} that started before its last resolve (out of order)",
                    alert.client,
                    dedup_key=key,
                    action="trigger",
                    reason="stale",
                )
                self.outcome(key, "dropped", detail="stale trigger")
                return
        if entry is not None and entry.status == "triggered":
            self.emit(
                "alert_updated",
                f"Alert repeated (x{entry.count + 1}): {alert.summary}",
                alert.client,
                entry.incident,
                dedup_key=key,
                summary=alert.summary,
                severity=alert.severity,
            )
            self.outcome(key, "deduplicated", entry.incident)
            return
        if routed.service is None:
            self.emit(
                "alert_unrouted",
                f"Unrouted: {alert.summary}",
                alert.client,
                dedup_key=key,
                summary=alert.summary,
                severity=alert.severity,
                source=alert.source or None,
            )
            self.outcome(key, "unrouted")
            return
        why = self.suppressed_by(routed) if routed.suppress_rule or self.windows else None
        if why:
            self.emit(
                "alert_suppressed",
                f"Suppressed ({why}): {alert.summary}",
                alert.client,
                dedup_key=key,
                service=routed.service,
                summary=alert.summary,
                severity=alert.severity,
                reason=why,
                started_at=_source_time(alert, start=True),
            )
            self.outcome(key, "suppressed", detail=why)
            return
        if entry is not None:
            # was suppressed, is not any more (the window ended): it becomes a live alert
            self.scratch.close_entry(key)
        self.open_or_join(routed)

    # -- routing and rules ------------------------------------------------------------

    def route(self, alert: Alert) -> _Routed:
        routed = _Routed(alert)
        config, at = self.config, self.at
        self.apply_rules(routed, config.global_rules)
        if routed.drop_rule:
            return routed
        keyed = config.by_routing_key.get(alert.routing_key or "")
        if keyed:
            routed.service = keyed
        else:
            target = config.catch_all
            alert = routed.alert  # as the global rules left it
            for rule in config.router_rules:
                if rule.test.matches(alert, at):
                    target = rule.actions.route_to or target
                    self.apply_actions(routed, rule)
                    break
            routed.service = None if target == UNROUTED else target
        if routed.service is not None and not routed.drop_rule:
            self.apply_rules(routed, config.service(routed.service).rules)
        return routed

    def apply_rules(self, routed: _Routed, rules: tuple[Rule, ...]) -> None:
        """First matching rule of a set applies, as in PagerDuty's orchestrations."""
        alert, at = routed.alert, self.at  # no rule changes it before the first match
        for rule in rules:
            if rule.test.matches(alert, at):
                self.apply_actions(routed, rule)
                return

    def apply_actions(self, routed: _Routed, rule: Rule) -> None:
        a = rule.actions
        if a.drop:
            routed.drop_rule = rule.label
        if a.suppress:
            routed.suppress_rule = rule.label
        if a.priority:
            routed.priority = a.priority
        if a.severity:
            routed.alert = routed.alert.but(severity=a.severity)
        if a.annotate:
            routed.notes.append(clean_text(a.annotate, 1024))

    def suppressed_by(self, routed: _Routed) -> str | None:
        if routed.suppress_rule:
            return f"rule {routed.suppress_rule}"
        w = active_window(self.windows, routed.service or "", self.at)
        if w is None:
            return None
        label = f": {clean_text(w.description, 80)}" if w.description else ""
        return f"maintenance window until {iso(w.end)}{label}"

    # -- grouping and incidents -------------------------------------------------------

    def group_token(self, service: ServiceIntake, alert: Alert) -> str | None:
        g = service.grouping
        if g.type == "time":
            return f"time:{service.name}"
        if g.type == "content_based":
            readers = _READERS.get(g.fields)
            if readers is None:
                readers = _READERS[g.fields] = [field_reader(tuple(f.split("."))) for f in g.fields]
            values = [read(alert) for read in readers]
            # remembered only for text and None (an alert's own fields, nearly always):
            # a detail may be a list (no key) or 1 and True (one key, two tokens)
            if not all(v is None or type(v) is str for v in values):
                return f"content:{service.name}:{_TOKEN_JSON(values)}"
            key = (service.name, *values)
            token = _TOKENS.get(key)
            if token is None:
                token = f"content:{service.name}:{_TOKEN_JSON(values)}"
                if len(_TOKENS) >= _TOKENS_KEPT:
                    _TOKENS.clear()
                _TOKENS[key] = token
            return token
        return None

    def open_or_join(self, routed: _Routed) -> None:
        alert = routed.alert
        key = alert.dedup_key or ""
        service = self.config.service(routed.service or "")
        token = self.group_token(service, alert)
        slot = self.scratch.group(token) if token else None
        if slot is not None and self.scratch.incident_status(slot.incident) not in (
            None,
            "resolved",
        ):
            in_window = (
                service.grouping.type != "time"
                or service.grouping.timeout == 0
                # the standard library's subtraction: pendulum's builds an Interval
                or _dt.datetime.__sub__(self.at, slot.opened_at).total_seconds()
                < service.grouping.timeout
            )
            if in_window:
                self.book_alert(slot.incident, routed)
                self.outcome(key, "grouped", slot.incident)
                return
        inc = self.scratch.next_incident_id()
        urgency = severity_urgency(alert.severity)
        priority = routed.priority or alert.priority
        self.emit(
            "opened",
            f"Opened by alert: {alert.summary}",
            alert.client,
            inc,
            title=alert.summary,
            service=service.name,
            urgency=urgency,
            priority=priority,
            alert_severity=alert.severity,
            dedup_key=key,
            components=list(service.components) or None,
            group=token,
        )
        self.intent(
            "incident.open",
            inc,
            title=alert.summary,
            service=service.name,
            severity=alert.severity,
            urgency=urgency,
            priority=priority,
            dedup_key=key,
        )
        self.book_alert(inc, routed)
        self.outcome(key, "opened", inc)

    def book_alert(self, inc: str, routed: _Routed) -> None:
        alert = routed.alert
        # the data as `emit(**fields)` leaves it (keys in this order, None left out),
        # made directly: every new alert books one
        data: dict[str, Any] = {}
        if alert.dedup_key is not None:
            data["dedup_key"] = alert.dedup_key
        if routed.service is not None:
            data["service"] = routed.service
        data["summary"] = alert.summary
        data["severity"] = alert.severity
        if alert.source:
            data["source"] = alert.source
        if alert.component:
            data["component"] = alert.component
        if alert.occurred_at is not None:
            data["occurred_at"] = iso(alert.occurred_at)
        started = _source_time(alert, True) if alert.format == "alertmanager" else None
        if started is not None:
            data["started_at"] = started
        details = _bounded_details(alert.custom_details)
        if details is not None:
            data["details"] = details
        self.emit_data(
            "alert_triggered",
            f"Alert triggered: {alert.summary} ({alert.severity}, {alert.source or 'unknown source'})",
            alert.client,
            inc,
            data,
        )
        for note in routed.notes:
            self.emit("note", note, "event rules", inc, text=note)
            self.intent("incident.note", inc, text=note)


# a content grouping's field readers, by its fields (a config has a handful)
_READERS: dict[tuple[str, ...], list[Callable[[Alert], Any]]] = {}
# json.dumps(values, sort_keys=True, default=str), without a new encoder for every call
_TOKEN_JSON = json.JSONEncoder(sort_keys=True, default=str).encode
# tokens made lately, by (service, *values): a storm repeats a few sources and components
_TOKENS: dict[tuple[Any, ...], str] = {}
_TOKENS_KEPT = 4096


def _source_time(alert: Alert, start: bool = False) -> str | None:
    """The sender's time as a sortable UTC string, only where the sender gives one."""
    when = alert.started_at if start else alert.occurred_at
    if when is None or alert.format != "alertmanager":
        # only Alertmanager sends both start and end times from one clock; comparing an
        # Events v2 timestamp with our receive time could drop a real alert on clock skew
        return None
    return iso_precise(when)


# the alert's details ride on its timeline entry (runbook links, labels) up to this size,
# so a storm of fat alerts cannot bloat the store
MAX_DETAILS_BYTES = 4096


def _bounded_details(details: dict[str, Any]) -> dict[str, Any] | None:
    if not details:
        return None
    if _size_bound(details) <= MAX_DETAILS_BYTES:
        return details  # the usual case: small enough whole, known without encoding it
    if len(json.dumps(details, ensure_ascii=False).encode()) <= MAX_DETAILS_BYTES:
        return details
    out: dict[str, Any] = {}
    size = 2
    for key, value in details.items():
        item = len(json.dumps({key: value}, ensure_ascii=False).encode())
        if size + item > MAX_DETAILS_BYTES:
            out["…"] = f"{len(details) - len(out)} more not kept"
            break
        out[key] = value
        size += item
    return out


def _size_bound(value: Any) -> int:
    """At least the size of `value` as UTF-8 JSON: each character of a string takes at
    most 6 bytes (an escape), a number at most 32 (a float's repr, an int under 10**30;
    a longer int its digits). Cheaper than encoding, and the details an alert carries are
    almost always far under the bound.
    """
    if isinstance(value, str):
        return 2 + 6 * len(value)
    if isinstance(value, dict):
        # a flat dict of strings and numbers (nearly every alert's) without a call per item
        total = 2
        for k, v in value.items():
            total += 4 + (2 + 6 * len(k) if isinstance(k, str) else _size_bound(k))
            if isinstance(v, str):
                total += 2 + 6 * len(v)
            elif v is None or isinstance(v, float) or (isinstance(v, int) and _SHORT < v < _LONG):
                total += 32  # bool is an int
            else:
                total += _size_bound(v)
        return total
    if isinstance(value, list):
        return 2 + sum(1 + _size_bound(v) for v in value)
    if isinstance(value, int) and not _SHORT < value < _LONG:
        return len(str(value))  # a sender's huge number: its digits, not a guess
    return 32 if isinstance(value, (int, float, bool)) or value is None else 1 << 30


# ints strictly between these take at most 31 characters as JSON
_LONG = 10**30
_SHORT = -_LONG


def _quote(key: str) -> str:
    return "'" + clean_text(key, 80) + "'"


def intake_alerts(
    state: State,
    settings: Any,
    alerts: list[Alert],
    received_at: DateTime,
    *,
    ids: IdSource | None = None,
    config: IntakeConfig | None = None,
    page: bool = True,
) -> IntakeResult:
    """Intake for alerts already parsed (the receiver parses before it queues a write).

    With `page`, the first escalation step of each incident opened here comes with it.
    """
    at = in_utc(received_at)
    run = _Run(state, config or intake_config(settings), at, ids or _uuid_hex)
    for alert in alerts:
        run.take(alert)
    if page:
        run.result.events.extend(first_pages(settings, run.result.events, at))
    return run.result


def intake_result(
    state: State,
    settings: Any,
    alert_body: Any,
    received_at: DateTime,
    *,
    fmt: str | None = None,
    ids: IdSource | None = None,
    config: IntakeConfig | None = None,
    page: bool = True,
) -> IntakeResult:
    """Like `intake`, with each alert's outcome too (the receiver answers with its keys).

    Raises AlertFormatError for a body that is not a valid alert: then nothing happened.
    """
    alerts = parse_body(alert_body, received_at, fmt)
    return intake_alerts(state, settings, alerts, received_at, ids=ids, config=config, page=page)


def intake(
    state: State,
    settings: Any,
    alert_body: Any,
    received_at: DateTime,
    *,
    fmt: str | None = None,
    ids: IdSource | None = None,
    config: IntakeConfig | None = None,
    page: bool = True,
) -> tuple[list[Event], list[dict[str, Any]]]:
    """Turn one alert body into timeline events and outbox intents; change nothing.

    `page=False` leaves the first escalation step to whoever runs the escalation timers.
    """
    result = intake_result(
        state, settings, alert_body, received_at, fmt=fmt, ids=ids, config=config, page=page
    )
    return result.events, result.intents
