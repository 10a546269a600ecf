"""Building outbox content for sync tests: incidents and intents as commands would make them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from console.domain.clock import iso
from console.domain.model import Event


@dataclass
class Made:
    events: list[Event] = field(default_factory=list)
    intents: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)


def make_intent(op: str, incident: str | None, at, **args: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "op": op,
        "incident": incident,
        "args": args,
        "created_at": iso(at),
        "origin": "local",
    }


def open_incident(
    store, clock, title="Payments degraded", service="payments", dedup_key=None
) -> str:
    """An 'opened' event and an incident.open intent in one write; returns the incident id."""

    def fn(state):
        inc = state.next_incident_id()
        ev = Event(
            id=uuid.uuid4().hex,
            at=clock.now(),
            kind="opened",
            author="Ada Lovelace",
            origin="local",
            text=f"Opened: {title}",
            incident=inc,
            data={
                "title": title,
                "severity": 2,
                "urgency": "high",
                "service": service,
                "components": [],
            },
        )
        it = make_intent(
            "incident.open",
            inc,
            clock.now(),
            title=title,
            service=service,
            severity=2,
            urgency="high",
            priority=None,
            dedup_key=dedup_key,
        )
        return Made(events=[ev], intents=[it])

    made = store.transact(fn)
    return made.events[0].incident


def act(
    store, clock, op: str, incident: str | None, kind: str | None = None, **args: Any
) -> dict[str, Any]:
    """A local action: its timeline event (when `kind` is given) and its intent, in one write."""

    def fn(state):
        events = []
        if kind:
            events.append(
                Event(
                    id=uuid.uuid4().hex,
                    at=clock.now(),
                    kind=kind,
                    author="Ada Lovelace",
                    origin="local",
                    text=kind,
                    incident=incident,
                    data=dict(args),
                )
            )
        return Made(events=events, intents=[make_intent(op, incident, clock.now(), **args)])

    return store.transact(fn).intents[0]


def real_store_class():
    try:
        from console.store import Store  # type: ignore[attr-defined]
    except ImportError:
        return None
    return Store
