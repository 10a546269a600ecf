"""Scoring: each incident's milestones and each objective met or missed, from the timeline.

Read only from the events, like the postmortem and MTTA/MTTR (DESIGN.md): nothing here
is kept on the side while the drill runs.

- acknowledge, declare, resolve are counted from the incident's opening;
- status_update is the first written status-page update (`update`), counted from declaring
  (the status-page incident a declaration opens by the severity policy is not an update);
- component: the component is set to that status, counted from the drill's start.
Resolving is a person's act: an auto-resolve by the service's timeout, or by intake when
the monitor resolved every alert, does not count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pendulum import DateTime

from console.domain.model import Event, State
from console.drill.scenario import Objective


@dataclass
class Milestones:
    incident: str
    title: str
    opened: DateTime
    acknowledged: Event | None = None
    declared: Event | None = None
    first_update: Event | None = None
    resolved: Event | None = None
    pages: list[Event] = field(default_factory=list)

    @property
    def escalations(self) -> list[Event]:
        """Escalations that fired by the clock: every page after the first level's first."""
        return [
            e
            for e in self.pages
            if not e.data.get("manual")
            and (int(e.data.get("level", 1)), int(e.data.get("loop", 1))) != (1, 1)
        ]

    def seconds_to(self, ev: Event | None, since: DateTime | None = None) -> float | None:
        if ev is None:
            return None
        base = since or self.opened
        return (ev.at - base).total_seconds()

    def to_json(self) -> dict[str, Any]:
        declared_at = self.declared.at if self.declared else None
        return {
            "title": self.title,
            "time_to_acknowledge": self.seconds_to(self.acknowledged),
            "acknowledged_by": self.acknowledged.author if self.acknowledged else None,
            "acknowledged_via": self.acknowledged.origin if self.acknowledged else None,
            "time_to_declare": self.seconds_to(self.declared),
            "declared_severity": self.declared.data.get("severity") if self.declared else None,
            "time_to_first_update": (
                self.seconds_to(self.first_update, declared_at) if declared_at else None
            ),
            "time_to_resolve": self.seconds_to(self.resolved),
            "resolved_by": self.resolved.author if self.resolved else None,
            "pages": len(self.pages),
            "escalations": len(self.escalations),
        }


def milestones(state: State, inc_id: str) -> Milestones | None:
    inc = state.get(inc_id)
    if inc is None:
        return None
    m = Milestones(inc.id, inc.title, inc.created_at)
    for ev in sorted(state.timeline(inc.id), key=lambda e: e.at):
        if ev.kind == "acknowledged" and m.acknowledged is None:
            m.acknowledged = ev
        elif ev.kind == "declared" and m.declared is None:
            m.declared = ev
        elif ev.kind == "status_page_update" and m.first_update is None:
            m.first_update = ev
        elif ev.kind in ("resolved", "merged_into") and m.resolved is None:
            if ev.data.get("reason") != "auto_resolve" and ev.origin != "intake":
                m.resolved = ev
        elif ev.kind == "escalated":
            m.pages.append(ev)
    return m


@dataclass
class ObjectiveResult:
    objective: Objective
    met: bool
    actual: float | None  # seconds from the objective's anchor, when it happened
    detail: str

    def to_json(self) -> dict[str, Any]:
        o = self.objective
        return {
            "objective": o.label,
            "kind": o.kind,
            "incident": o.incident if o.kind != "component" else None,
            "component": o.component,
            "target_seconds": o.within,
            "actual_seconds": self.actual,
            "met": self.met,
            "detail": self.detail,
        }


def evaluate(objective: Objective, state: State, start: DateTime) -> ObjectiveResult:
    o = objective
    if o.kind == "component":
        return _component(o, state, start)
    m = milestones(state, o.incident or "INC-1")
    if m is None:
        return ObjectiveResult(o, False, None, f"{o.incident} never opened")
    if o.kind == "status_update":
        if m.declared is None:
            return ObjectiveResult(o, False, None, f"{m.incident} was never declared")
        return _judge(o, m.seconds_to(m.first_update, m.declared.at), "no status-page update")
    if o.kind == "declare":
        result = _judge(o, m.seconds_to(m.declared), "never declared")
        sev = m.declared.data.get("severity") if m.declared else None
        if result.met and o.severity and sev and sev > o.severity:
            return ObjectiveResult(
                o,
                False,
                result.actual,
                f"declared SEV{sev}; it called for SEV{o.severity} or worse",
            )
        return result
    if o.kind == "acknowledge":
        return _judge(o, m.seconds_to(m.acknowledged), "never acknowledged")
    return _judge(o, m.seconds_to(m.resolved), "not resolved")


def _judge(o: Objective, actual: float | None, never: str) -> ObjectiveResult:
    if actual is None:
        return ObjectiveResult(o, False, None, never)
    if o.within is not None and actual > o.within:
        return ObjectiveResult(o, False, actual, f"took {span(actual)}, target {span(o.within)}")
    return ObjectiveResult(o, True, actual, f"in {span(actual)}")


def _component(o: Objective, state: State, start: DateTime) -> ObjectiveResult:
    for ev in state.log:
        if (
            ev.kind == "component_status"
            and ev.data.get("component") == o.component
            and ev.data.get("status") == o.status
        ):
            return _judge(o, (ev.at - start).total_seconds(), "")
    return ObjectiveResult(o, False, None, f"{o.component} was never set to {o.status}")


def span(seconds: float | None) -> str:
    """`45s`, `4m 05s`, `1h 02m`: a duration as a person reads it."""
    if seconds is None:
        return "—"
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {s % 3600 // 60:02d}m"
