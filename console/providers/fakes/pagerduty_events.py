"""A fake PagerDuty Events API v2 (`POST /v2/enqueue`), wired to a `FakePagerDuty`.

An event's routing key names a service (an Events v2 integration); a trigger opens an
incident on it keyed by `dedup_key` (or deduplicates into the open one with that key),
acknowledge and resolve act on the open incident with that key. The REST fake then shows
the incident, as PagerDuty would.
"""

from __future__ import annotations

import uuid

from console.providers.fakes.base import FakeProvider, FakeRequest, FakeResponse, route
from console.providers.fakes.pagerduty import FakePagerDuty

SEVERITIES = ("critical", "warning", "error", "info")
ACTIONS = ("trigger", "acknowledge", "resolve")


class FakePagerDutyEvents(FakeProvider):
    """Events v2 (https://events.pagerduty.com/v2)."""

    name = "pagerduty_events"
    base_path = "/v2"

    def __init__(self, rest: FakePagerDuty, routing_keys: dict[str, str]) -> None:
        super().__init__(rest.clock)
        self.rest = rest
        self.routing_keys = dict(routing_keys)  # routing key -> service id
        self.events: list[dict] = []
        self.lock = rest.lock  # one lock for both faces of the same account

    def error(
        self, status: int, message: str, code: int | None = None, errors: list[str] | None = None
    ) -> FakeResponse:
        return FakeResponse.json(
            status, {"status": "invalid event", "message": message, "errors": errors or [message]}
        )

    @route("POST", r"/enqueue")
    def enqueue(self, req: FakeRequest) -> FakeResponse:
        try:
            body = req.json
        except ValueError:
            return FakeResponse.json(
                400,
                {
                    "status": "Unrecognized object",
                    "message": "Event object format is unrecognized",
                    "errors": ["JSON parse error"],
                },
            )
        if not isinstance(body, dict):
            return self.error(400, "Event object is invalid", errors=["body must be an object"])
        problems = []
        key = body.get("routing_key")
        action = body.get("event_action")
        if not isinstance(key, str) or len(key) != 32:
            problems.append("'routing_key' is invalid (must be 32 characters)")
        if action not in ACTIONS:
            problems.append("'event_action' is missing or blank")
        dedup = body.get("dedup_key")
        payload = body.get("payload")
        if action == "trigger":
            if not isinstance(payload, dict):
                problems.append("'payload' is missing")
            else:
                for field in ("summary", "source", "severity"):
                    if not payload.get(field):
                        problems.append(f"'payload.{field}' is missing or blank")
                if payload.get("severity") and payload["severity"] not in SEVERITIES:
                    problems.append("'payload.severity' is invalid")
        elif action in ("acknowledge", "resolve") and not dedup:
            problems.append("'dedup_key' is missing or blank")
        if problems:
            return self.error(400, "Event object is invalid", errors=problems)
        service = self.routing_keys.get(key)
        if service is None:
            # PagerDuty accepts an event for an unknown key and drops it later; the fake
            # answers the same and records nothing
            return FakeResponse.json(
                202, {"status": "success", "message": "Event processed", "dedup_key": dedup or ""}
            )
        dedup = dedup or uuid.UUID(int=len(self.events) + 1).hex
        self.events.append(dict(body, dedup_key=dedup))
        rest = self.rest
        open_inc = rest._open_with_key(service, dedup)
        if action == "trigger":
            if open_inc is None:
                rest._create(payload["summary"][:1024], service, None, "high", None, dedup, "api")
        elif open_inc is not None:
            target = "acknowledged" if action == "acknowledge" else "resolved"
            if open_inc["status"] != target:
                rest._set_status(open_inc, target, None, "api")
        return FakeResponse.json(
            202, {"status": "success", "message": "Event processed", "dedup_key": dedup}
        )
