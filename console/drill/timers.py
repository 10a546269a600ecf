"""Escalations, acknowledgement timeouts and auto-resolves due in a drill, computed once
per change that matters.

`timed_events` (console.domain.oncall.escalation) folds an incident's whole timeline on
every call. A drill asks "what is due by t?" at every step, and an alert storm adds
hundreds of entries to one timeline, so asking it directly makes a storm quadratic. The
timers depend only on the entries that move an incident's status or escalation, so this
asks once per incident and per change of those entries, up to the drill's end, and
answers "due by t" from that list: the timers due by t are the same whichever later
horizon the simulation ran to, since it fires them in time order.
"""

from __future__ import annotations

from pendulum import DateTime

from console.domain.model import Event, Incident, State
from console.domain.settings import Settings

# entries that never change a timer: dropping them keeps each incident's fold short
_NOISE_PREFIXES = ("alert_",)
_NOISE_KINDS = frozenset(
    {
        "note",
        "customer_report",
        "drill_note",
        "drill_fault",
        "status_page_update",
        "status_page_opened",
        "chat_posted",
        "components_added",
        "task_added",
        "role_assigned",
        "provider_linked",
        "remote_activity",
    }
)


def _matters(ev: Event) -> bool:
    return ev.kind not in _NOISE_KINDS and not ev.kind.startswith(_NOISE_PREFIXES)


class _OneIncident:
    """The part of State that `timed_events` reads, for one incident."""

    def __init__(self, inc: Incident, timeline: list[Event]) -> None:
        self.incidents = {inc.id: inc}
        self._timeline = timeline

    def timeline(self, inc_id: str) -> list[Event]:
        return self._timeline


class DrillTimers:
    """`due(state, by)`: timer events due by `by`, in time order, for open incidents."""

    def __init__(self, settings: Settings, horizon: DateTime, origin: str) -> None:
        self.settings = settings
        self.horizon = horizon
        self.origin = origin
        self._cache: dict[tuple, list[Event]] = {}

    def pending(self, state: State) -> list[Event]:
        """Every timer that fires by the horizon if nobody acts, in time order."""
        from console.domain.oncall.escalation import timed_events

        out: list[Event] = []
        for inc in state.incidents.values():
            if not inc.is_open:
                continue
            timeline = [e for e in state.timeline(inc.id) if _matters(e)]
            key = (inc.id, len(timeline), timeline[-1].id if timeline else "", inc.status)
            found = self._cache.get(key)
            if found is None:
                view = _OneIncident(inc, timeline)
                found = timed_events(view, self.settings, self.horizon, origin=self.origin)  # type: ignore[arg-type]
                self._cache[key] = found
            out.extend(found)
        return sorted(out, key=lambda e: e.at)

    def due(self, state: State, by: DateTime) -> list[Event]:
        return [e for e in self.pending(state) if e.at <= by]
