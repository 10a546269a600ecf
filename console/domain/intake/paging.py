"""The first page of an incident that an alert opened, in the same write as the opening.

The escalation engine (console.domain.oncall.escalation) decides who is paged when from
the timeline; its timers are run by whoever ticks the clock. An incident opened by an
alert pages its policy's first rule at once, so intake asks the engine for what is due
on the incidents it has just opened and records it with them: a receiver running alone
still pages. The engine's event ids depend only on the timeline, so a ticker that fires
the same page later adds nothing.
"""

from __future__ import annotations

from typing import Any

from pendulum import DateTime

from console.domain.model import Event


def first_pages(settings: Any, new_events: list[Event], at: DateTime) -> list[Event]:
    """Escalation events due by `at` on the incidents that `new_events` open.

    Works on those incidents' new events alone, so its cost does not grow with the number
    of open incidents. A config the engine cannot read is not allowed to stop
    intake: the incident gets a `paging_error` event saying why, for someone to fix.
    """
    services = getattr(settings, "services", {}) or {}
    opened = [
        e.incident
        for e in new_events
        if e.kind == "opened" and e.incident and _has_policy(services, e.data.get("service"))
    ]
    if not opened:
        return []  # no incident here has a policy to page through
    timed_events_of_new = _engine()
    wanted = set(opened)
    try:
        # what timed_events gives for a State holding only those incidents, without one
        mine = [ev for ev in new_events if ev.incident in wanted]
        return timed_events_of_new(settings, mine, at, origin="intake")
    except Exception as exc:  # the on-call config is broken: say so where it matters
        text = f"Could not work out who to page: {str(exc)[:300]}"
        return [
            Event(
                id=f"{inc}:paging_error:{at.int_timestamp}",
                at=at,
                kind="paging_error",
                author="escalation",
                origin="intake",
                text=text,
                incident=inc,
                data={"error": text},
            )
            for inc in opened
        ]


def _engine() -> Any:
    """The escalation engine's entry point, imported the first time a policy pages.

    Imported here, not at the top: a console whose services page nobody never loads the
    on-call code. Kept once found: an import statement costs a microsecond a call.
    """
    global _timed_events_of_new
    if _timed_events_of_new is None:
        from console.domain.oncall.escalation import timed_events_of_new

        _timed_events_of_new = timed_events_of_new
    return _timed_events_of_new


_timed_events_of_new: Any = None


def _has_policy(services: dict[str, Any], name: Any) -> bool:
    svc = services.get(name) if isinstance(name, str) else None
    return bool(getattr(svc, "escalation_policy", None))
