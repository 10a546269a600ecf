"""Provider faults of a scenario, as the in-process fakes' `Fault`s with a time window.

"PagerDuty answers 503 for 5 minutes" is a fault that matches every request (or every
write) while the drill's clock is inside the window, and none after: the fake's queue
keeps it, spent or not, and it simply stops matching.
"""

from __future__ import annotations

from typing import Any

from pendulum import DateTime

from console.domain.clock import Clock
from console.providers.fakes.base import FakeRequest, Fault, writes

# a fault's use count: it is bounded by its window, not by a number of requests
FOREVER = 10**9


def fault_for(spec: dict[str, Any], clock: Clock, start: DateTime) -> Fault:
    """The Fault that answers as `spec` says from `start` for `spec['for']` seconds."""
    until = start.add(seconds=int(spec["for"]))
    reads_too = bool(spec.get("reads_too", True))

    def active(req: FakeRequest) -> bool:
        now = clock.now()
        return start <= now < until and (reads_too or writes(req))

    answer = spec["answer"]
    if answer == "429":
        return Fault.rate_limited(spec.get("retry_after"), times=FOREVER, match=active)
    if answer == "420":
        headers = {"Retry-After": f"{spec['retry_after']}"} if spec.get("retry_after") else {}
        return Fault("status", status=420, headers=headers, times=FOREVER, match=active)
    if answer == "timeout":
        return Fault("slow", delay=30.0, apply=False, times=FOREVER, match=active)
    if answer == "drop":
        return Fault("drop", apply=False, times=FOREVER, match=active)
    return Fault.server_error(int(answer), times=FOREVER, match=active)


def describe(spec: dict[str, Any]) -> str:
    provider = PROVIDER_LABELS.get(spec["provider"], spec["provider"])
    answer = {
        "timeout": "does not answer (timeouts)",
        "drop": "drops connections",
        "429": "rate-limits (429)",
        "420": "rate-limits (420)",
    }.get(spec["answer"], f"answers {spec['answer']}")
    minutes = int(spec["for"]) // 60
    span = f"{minutes} min" if minutes else f"{int(spec['for'])} s"
    return f"{provider} {answer} for {span}"


PROVIDER_LABELS = {
    "pagerduty": "PagerDuty",
    "pagerduty_events": "PagerDuty Events",
    "statuspage": "Statuspage",
    "opsgenie": "Opsgenie",
    "chat": "Chat",
}
