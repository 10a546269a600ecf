"""A fake Opsgenie (alerts v2, who-is-on-call, schedules, overrides), answering as its
Swagger file says.

Opsgenie processes alert writes asynchronously: every write is answered `202` with a
`requestId`, and the change happens `processing_delay` seconds later on the fake's clock.
Until then the request-status endpoint answers 404 ("might not be processed, yet"), then
200 with `isSuccess`, the alert id and a status text. Authentication is
`Authorization: GenieKey <key>`; errors carry `message`, `took` and `requestId`.

Schedules are simple rotations (a start, a turn length, a list of users) with overrides
on top, enough to answer who is on call at a time and who is next.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from pendulum import DateTime

from console.domain.clock import Clock, parse_instant
from console.providers.fakes.base import FakeProvider, FakeRequest, FakeResponse, route

ALERT = r"/v2/alerts/(?P<identifier>[^/]+)"
SCHEDULE = r"/v2/schedules/(?P<identifier>[^/]+)"
PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
INTEGRATION = {"id": "4513b7ea-3b91-438f-b7e4-e3e54af9147c", "name": "Default API", "type": "API"}


def _stamp(when: DateTime) -> str:
    return when.in_tz("UTC").strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


@dataclass
class _Pending:
    due: DateTime
    request_id: str
    action: str
    apply: Callable[[], tuple[bool, str, dict[str, Any] | None]]


class FakeOpsgenie(FakeProvider):
    """Alerts (by id, tiny id or alias), their notes and logs, schedules and overrides."""

    name = "opsgenie"
    base_path = ""

    def __init__(
        self,
        clock: Clock,
        *,
        api_key: str = "og-test-key",
        processing_delay: float = 0.5,
        users: dict[str, str] | None = None,
        schedules: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(clock)
        self.api_key = api_key
        self.processing_delay = processing_delay
        self._n = itertools.count(1)
        self.alerts: dict[str, dict[str, Any]] = {}
        self.notes: dict[str, list[dict[str, Any]]] = {}
        self.logs: dict[str, list[dict[str, Any]]] = {}
        self.pending: list[_Pending] = []
        self.results: dict[str, dict[str, Any]] = {}
        # username -> user id
        self.users = dict(users or {"ada@example.com": "u-ada", "grace@example.com": "u-grace"})
        self.schedules: dict[str, dict[str, Any]] = {}
        self.overrides: dict[str, list[dict[str, Any]]] = {}
        for s in schedules or []:
            self.add_schedule(**s)

    # -- ids and envelopes -------------------------------------------------------------

    def _uuid(self) -> str:
        n = next(self._n)
        return f"{n:08x}-0000-4000-8000-{n * 7919:012x}"

    def _envelope(self, **fields: Any) -> dict[str, Any]:
        return {**fields, "took": 0.004, "requestId": self._uuid()}

    def error(self, status: int, message: str, code: int | None = None) -> FakeResponse:
        return FakeResponse.json(status, self._envelope(message=message))

    def authorize(self, req: FakeRequest) -> FakeResponse | None:
        if req.headers.get("authorization") != f"GenieKey {self.api_key}":
            return self.error(401, "Could not authenticate")
        self._process()
        return None

    # -- asynchronous processing -------------------------------------------------------

    def _accept(
        self, action: str, apply: Callable[[], tuple[bool, str, dict[str, Any] | None]]
    ) -> FakeResponse:
        rid = self._uuid()
        due = self.clock.now().add(microseconds=int(self.processing_delay * 1_000_000))
        self.pending.append(_Pending(due, rid, action, apply))
        self._process()
        return FakeResponse.json(
            202, {"result": "Request will be processed", "took": 0.002, "requestId": rid}
        )

    def _process(self) -> None:
        now = self.clock.now()
        while self.pending and self.pending[0].due <= now:
            job = self.pending.pop(0)
            ok, status, alert = job.apply()
            result = {
                "success": ok,
                "action": job.action,
                "processedAt": _stamp(now),
                "integrationId": INTEGRATION["id"],
                "isSuccess": ok,
                "status": status,
            }
            if alert is not None:
                result["alertId"] = alert["id"]
                if alert.get("alias"):
                    result["alias"] = alert["alias"]
            self.results[job.request_id] = result

    @route("GET", r"/v2/alerts/requests/(?P<request_id>[^/]+)")
    def request_status(self, req: FakeRequest, request_id: str) -> FakeResponse:
        if request_id not in self.results:
            return self.error(404, "Request not found. It might not be processed, yet.")
        return FakeResponse.json(200, self._envelope(data=self.results[request_id]))

    # -- alerts ------------------------------------------------------------------------

    def _find(self, identifier: str, kind: str | None) -> dict[str, Any] | None:
        identifier = unquote(identifier)  # a served path arrives percent-encoded
        kind = kind or "id"
        if kind == "id":
            return self.alerts.get(identifier)
        key = "alias" if kind == "alias" else "tinyId"
        matches = [a for a in self.alerts.values() if a.get(key) == identifier]
        open_ = [a for a in matches if a["status"] == "open"]
        return (open_ or matches or [None])[-1]

    def _log(self, alert: dict[str, Any], text: str, kind: str, owner: str) -> None:
        entries = self.logs.setdefault(alert["id"], [])
        entries.append(
            {
                "log": text,
                "type": kind,
                "owner": owner,
                "createdAt": _stamp(self.clock.now()),
                "offset": str(len(entries) + 1),
            }
        )

    @route("POST", r"/v2/alerts")
    def create_alert(self, req: FakeRequest) -> FakeResponse:
        body = _json(req)
        if not isinstance(body, dict):
            return self.error(400, "Invalid JSON body")
        message = str(body.get("message") or "").strip()
        if not message:
            return self.error(422, "Message can not be empty.")
        if body.get("priority") is not None and body["priority"] not in PRIORITIES:
            return self.error(422, "Priority should be one of P1, P2, P3, P4, P5.")

        def apply() -> tuple[bool, str, dict[str, Any] | None]:
            now = _stamp(self.clock.now())
            alias = str(body.get("alias") or "")
            existing = self._find(alias, "alias") if alias else None
            if existing is not None and existing["status"] == "open":
                existing["count"] += 1
                existing["lastOccurredAt"] = existing["updatedAt"] = now
                self._log(existing, "Alert deduplicated", "system", "System")
                return True, "Alert deduplicated", existing
            alert = {
                "id": self._uuid(),
                "tinyId": str(len(self.alerts) + 1),
                "alias": alias or None,
                "message": message[:130],
                "status": "open",
                "acknowledged": False,
                "isSeen": False,
                "tags": list(body.get("tags") or []),
                "snoozed": False,
                "count": 1,
                "lastOccurredAt": now,
                "createdAt": now,
                "updatedAt": now,
                "source": str(body.get("source") or "API"),
                "owner": "",
                "priority": body.get("priority") or "P3",
                "responders": [r for r in body.get("responders") or [] if r.get("id")],
                "integration": dict(INTEGRATION),
                "report": {},
                "actions": list(body.get("actions") or []),
                "entity": str(body.get("entity") or ""),
                "details": dict(body.get("details") or {}),
                "description": str(body.get("description") or ""),
            }
            if not alias:
                del alert["alias"]
            self.alerts[alert["id"]] = alert
            self._log(alert, "Alert created", "system", str(body.get("user") or "System"))
            return True, "Created alert", alert

        return self._accept("Create", apply)

    def _action(
        self,
        req: FakeRequest,
        identifier: str,
        action: str,
        change: Callable[[dict[str, Any], dict[str, Any]], str | None],
        required: str | None = None,
    ) -> FakeResponse:
        body = _json(req) if req.body else {}
        if not isinstance(body, dict):
            return self.error(400, "Invalid JSON body")
        if required and not body.get(required):
            return self.error(422, f"{required} can not be empty.")
        kind = req.arg("identifierType")
        if kind not in (None, "id", "alias", "tiny"):
            return self.error(422, "identifierType should be one of id, alias, tiny.")

        def apply() -> tuple[bool, str, dict[str, Any] | None]:
            alert = self._find(identifier, kind)
            if alert is None:
                return False, "Alert does not exist", None
            refused = change(alert, body)
            if refused:
                return False, refused, alert
            alert["updatedAt"] = _stamp(self.clock.now())
            owner = str(body.get("user") or "System")
            self._log(alert, f"{action} by {owner}", "system", owner)
            if body.get("note") and action != "AddNote":
                self._add_note(alert, str(body["note"]), owner)
            return True, f"{action} request processed", alert

        return self._accept(action, apply)

    def _add_note(self, alert: dict[str, Any], text: str, owner: str) -> None:
        notes = self.notes.setdefault(alert["id"], [])
        notes.append(
            {
                "note": text[:25000],
                "owner": owner,
                "createdAt": _stamp(self.clock.now()),
                "offset": str(len(notes) + 1),
            }
        )

    @route("POST", ALERT + r"/acknowledge")
    def acknowledge(self, req: FakeRequest, identifier: str) -> FakeResponse:
        def change(alert: dict[str, Any], body: dict[str, Any]) -> str | None:
            if alert["status"] == "closed":
                return "Alert is closed; it cannot be acknowledged"
            alert["acknowledged"] = True
            alert["owner"] = alert["owner"] or str(body.get("user") or "")
            alert["report"]["acknowledgedBy"] = str(body.get("user") or "System")
            alert["report"]["ackTime"] = 1000
            return None

        return self._action(req, identifier, "Acknowledge", change)

    @route("POST", ALERT + r"/close")
    def close(self, req: FakeRequest, identifier: str) -> FakeResponse:
        def change(alert: dict[str, Any], body: dict[str, Any]) -> str | None:
            if alert["status"] != "closed":  # closing a closed alert changes nothing
                alert["status"] = "closed"
                alert["report"]["closedBy"] = str(body.get("user") or "System")
                alert["report"]["closeTime"] = 1000
            return None

        return self._action(req, identifier, "Close", change)

    @route("POST", ALERT + r"/notes")
    def add_note(self, req: FakeRequest, identifier: str) -> FakeResponse:
        def change(alert: dict[str, Any], body: dict[str, Any]) -> str | None:
            self._add_note(alert, str(body["note"]), str(body.get("user") or "System"))
            return None

        return self._action(req, identifier, "AddNote", change, required="note")

    @route("POST", ALERT + r"/escalate")
    def escalate(self, req: FakeRequest, identifier: str) -> FakeResponse:
        def change(alert: dict[str, Any], body: dict[str, Any]) -> str | None:
            if alert["status"] == "closed":
                return "Alert is closed; it cannot be escalated"
            target = body["escalation"]
            alert["responders"].append(
                {"type": "escalation", "id": str(target.get("id") or target.get("name"))}
            )
            return None

        return self._action(req, identifier, "Escalate", change, required="escalation")

    @route("POST", ALERT + r"/assign")
    def assign(self, req: FakeRequest, identifier: str) -> FakeResponse:
        def change(alert: dict[str, Any], body: dict[str, Any]) -> str | None:
            owner = body["owner"]
            name = owner.get("username") or next(
                (u for u, i in self.users.items() if i == owner.get("id")), None
            )
            if name not in self.users:
                return "User not found"
            alert["owner"] = name
            return None

        return self._action(req, identifier, "Assign", change, required="owner")

    @route("POST", ALERT + r"/responders")
    def add_responder(self, req: FakeRequest, identifier: str) -> FakeResponse:
        def change(alert: dict[str, Any], body: dict[str, Any]) -> str | None:
            who = body["responder"]
            if who.get("type") == "user":
                name = who.get("username") or next(
                    (u for u, i in self.users.items() if i == who.get("id")), None
                )
                if name not in self.users:
                    return "User not found"
                entry = {"type": "user", "id": self.users[name]}
            else:
                entry = {"type": str(who.get("type")), "id": str(who.get("id") or who.get("name"))}
            if entry not in alert["responders"]:
                alert["responders"].append(entry)
            return None

        return self._action(req, identifier, "AddResponder", change, required="responder")

    @route("POST", ALERT + r"/snooze")
    def snooze(self, req: FakeRequest, identifier: str) -> FakeResponse:
        def change(alert: dict[str, Any], body: dict[str, Any]) -> str | None:
            try:
                until = parse_instant(str(body["endTime"]))
            except ValueError:
                return "endTime is not a date-time"
            if until <= self.clock.now():
                return "endTime should be in the future"
            alert["snoozed"] = True
            alert["snoozedUntil"] = _stamp(until)
            return None

        return self._action(req, identifier, "Snooze", change, required="endTime")

    @route("PUT", ALERT + r"/priority")
    def priority(self, req: FakeRequest, identifier: str) -> FakeResponse:
        body = _json(req)
        if not isinstance(body, dict) or body.get("priority") not in PRIORITIES:
            return self.error(422, "Priority should be one of P1, P2, P3, P4, P5.")

        def change(alert: dict[str, Any], body: dict[str, Any]) -> str | None:
            alert["priority"] = body["priority"]
            return None

        return self._action(req, identifier, "UpdatePriority", change)

    # after the fixed paths above: "requests" is not an alert identifier
    @route("GET", ALERT)
    def get_alert(self, req: FakeRequest, identifier: str) -> FakeResponse:
        alert = self._find(identifier, req.arg("identifierType"))
        if alert is None:
            return self.error(404, "Alert does not exist")
        return FakeResponse.json(200, self._envelope(data=alert))

    @route("GET", r"/v2/alerts")
    def list_alerts(self, req: FakeRequest) -> FakeResponse:
        query = (req.arg("query") or "").strip()
        found = list(self.alerts.values())
        for term in query.split(" AND ") if query else []:
            field, _, value = term.partition(":")
            field, value = field.strip(), value.strip()
            if field == "tag":
                found = [a for a in found if value in a["tags"]]
            elif field in ("status", "alias"):
                found = [a for a in found if str(a.get(field)) == value]
        found.sort(
            key=lambda a: a.get(req.arg("sort") or "createdAt") or "",
            reverse=(req.arg("order") or "desc") == "desc",
        )
        offset, limit = int(req.arg("offset") or 0), min(int(req.arg("limit") or 20), 100)
        page = [
            {k: v for k, v in a.items() if k not in ("description", "details", "actions", "entity")}
            for a in found[offset : offset + limit]
        ]
        paging = {"first": f"/v2/alerts?offset=0&limit={limit}"}
        if offset + limit < len(found):
            paging["next"] = f"/v2/alerts?offset={offset + limit}&limit={limit}"
        return FakeResponse.json(200, self._envelope(data=page, paging=paging))

    @route("GET", ALERT + r"/notes")
    def list_notes(self, req: FakeRequest, identifier: str) -> FakeResponse:
        return self._entries(req, identifier, self.notes, "notes")

    @route("GET", ALERT + r"/logs")
    def list_logs(self, req: FakeRequest, identifier: str) -> FakeResponse:
        return self._entries(req, identifier, self.logs, "logs")

    def _entries(
        self, req: FakeRequest, identifier: str, store: dict[str, list[dict[str, Any]]], what: str
    ) -> FakeResponse:
        alert = self._find(identifier, req.arg("identifierType"))
        if alert is None:
            return self.error(404, "Alert does not exist")
        entries = list(store.get(alert["id"], []))
        if (req.arg("order") or "desc") == "desc":
            entries.reverse()
        limit = min(int(req.arg("limit") or 20), 100)
        after = req.arg("offset")
        if after:
            pos = next((i for i, e in enumerate(entries) if e["offset"] == after), -1)
            entries = entries[pos + 1 :]
        page = entries[:limit]
        paging = {"first": f"/v2/alerts/{alert['id']}/{what}?limit={limit}"}
        if len(entries) > limit:
            paging["next"] = (
                f"/v2/alerts/{alert['id']}/{what}?offset={page[-1]['offset']}&limit={limit}"
            )
        return FakeResponse.json(200, self._envelope(data=page, paging=paging))

    # -- schedules, who is on call, overrides -----------------------------------------

    def add_schedule(
        self,
        id: str,
        name: str,
        users: list[str],
        start: str,
        turn_hours: float = 168,
        timezone: str = "UTC",
    ) -> None:  # noqa: A002
        self.schedules[id] = {
            "id": id,
            "name": name,
            "timezone": timezone,
            "enabled": True,
            "_users": list(users),
            "_start": parse_instant(start),
            "_turn": turn_hours * 3600,
        }
        self.overrides.setdefault(id, [])

    def _schedule(self, identifier: str, req: FakeRequest) -> dict[str, Any] | None:
        identifier = unquote(identifier)  # a served path arrives percent-encoded
        if (req.arg("scheduleIdentifierType") or "id") == "name":
            return next((s for s in self.schedules.values() if s["name"] == identifier), None)
        return self.schedules.get(identifier)

    def _on_call_at(self, sched: dict[str, Any], when: DateTime) -> str:
        for o in reversed(self.overrides[sched["id"]]):
            if o["_start"] <= when < o["_end"]:
                return o["_user"]
        turns = int((when - sched["_start"]).total_seconds() // sched["_turn"])
        return sched["_users"][turns % len(sched["_users"])]

    def _participant(self, username: str) -> dict[str, Any]:
        return {"id": self.users.get(username, username), "name": username, "type": "user"}

    def _parent(self, sched: dict[str, Any]) -> dict[str, Any]:
        return {"id": sched["id"], "name": sched["name"], "enabled": sched["enabled"]}

    def _when(self, req: FakeRequest) -> DateTime:
        return parse_instant(req.arg("date")) if req.arg("date") else self.clock.now()

    @route("GET", r"/v2/schedules")
    def list_schedules(self, req: FakeRequest) -> FakeResponse:
        data = [
            {k: v for k, v in s.items() if not k.startswith("_")} for s in self.schedules.values()
        ]
        return FakeResponse.json(200, self._envelope(data=data, expandable=["rotation"]))

    @route("GET", r"/v2/schedules/on-calls")
    def all_on_calls(self, req: FakeRequest) -> FakeResponse:
        when = self._when(req)
        data = [
            {
                "_parent": self._parent(s),
                "onCallParticipants": [self._participant(self._on_call_at(s, when))],
            }
            for s in self.schedules.values()
        ]
        return FakeResponse.json(200, self._envelope(data=data))

    @route("GET", SCHEDULE + r"/on-calls")
    def on_calls(self, req: FakeRequest, identifier: str) -> FakeResponse:
        sched = self._schedule(identifier, req)
        if sched is None:
            return self.error(404, "Schedule not found")
        who = self._on_call_at(sched, self._when(req))
        data: dict[str, Any] = {"_parent": self._parent(sched)}
        if req.arg("flat") == "true":
            data["onCallRecipients"] = [who]
        else:
            data["onCallParticipants"] = [self._participant(who)]
        return FakeResponse.json(200, self._envelope(data=data))

    @route("GET", SCHEDULE + r"/next-on-calls")
    def next_on_calls(self, req: FakeRequest, identifier: str) -> FakeResponse:
        sched = self._schedule(identifier, req)
        if sched is None:
            return self.error(404, "Schedule not found")
        when = self._when(req)
        now_who = self._on_call_at(sched, when)
        nxt = now_who
        for step in range(1, 24 * 60):  # look ahead in 15-minute steps, up to 15 days
            later = when.add(minutes=15 * step)
            nxt = self._on_call_at(sched, later)
            if nxt != now_who:
                break
        data: dict[str, Any] = {"_parent": self._parent(sched)}
        if req.arg("flat") == "true":
            data["nextOnCallParticipants"] = [nxt]
            data["exactNextOnCallParticipants"] = [nxt]
        else:
            data["nextOnCallRecipients"] = [self._participant(nxt)]
            data["exactNextOnCallRecipients"] = [self._participant(nxt)]
        return FakeResponse.json(200, self._envelope(data=data))

    @route("GET", SCHEDULE + r"/overrides")
    def list_overrides(self, req: FakeRequest, identifier: str) -> FakeResponse:
        sched = self._schedule(identifier, req)
        if sched is None:
            return self.error(404, "Schedule not found")
        data = [
            {k: v for k, v in o.items() if not k.startswith("_")}
            for o in self.overrides[sched["id"]]
        ]
        return FakeResponse.json(200, self._envelope(data=data))

    @route("POST", SCHEDULE + r"/overrides")
    def create_override(self, req: FakeRequest, identifier: str) -> FakeResponse:
        sched = self._schedule(identifier, req)
        if sched is None:
            return self.error(404, "Schedule not found")
        body = _json(req)
        if not isinstance(body, dict) or not all(
            body.get(k) for k in ("user", "startDate", "endDate")
        ):
            return self.error(422, "user, startDate and endDate are required.")
        user = body["user"]
        name = user.get("username") or next(
            (u for u, i in self.users.items() if i == user.get("id")), None
        )
        if name not in self.users:
            return self.error(422, "User not found")
        try:
            start, end = parse_instant(str(body["startDate"])), parse_instant(str(body["endDate"]))
        except ValueError:
            return self.error(422, "startDate and endDate must be date-times")
        if end <= start:
            return self.error(422, "endDate should be after startDate")
        alias = str(body.get("alias") or self._uuid())
        self.overrides[sched["id"]] = [
            o for o in self.overrides[sched["id"]] if o["alias"] != alias
        ]
        self.overrides[sched["id"]].append(
            {
                "_parent": self._parent(sched),
                "alias": alias,
                "user": {"type": "user", "id": self.users[name], "username": name},
                "startDate": _stamp(start),
                "endDate": _stamp(end),
                "rotations": [],
                "_start": start,
                "_end": end,
                "_user": name,
            }
        )
        return FakeResponse.json(201, self._envelope(data={"alias": alias}))

    # -- someone else, in the web UI ---------------------------------------------------

    def close_in_web_ui(self, alias: str, user: str = "grace@example.com") -> None:
        with self.lock:
            alert = self._find(alias, "alias")
            alert["status"] = "closed"
            alert["report"]["closedBy"] = user
            alert["updatedAt"] = _stamp(self.clock.now())
            self._log(alert, f"Close by {user}", "system", user)

    def note_in_web_ui(self, alias: str, text: str, user: str = "grace@example.com") -> None:
        with self.lock:
            alert = self._find(alias, "alias")
            self._add_note(alert, text, user)
            alert["updatedAt"] = _stamp(self.clock.now())


def _json(req: FakeRequest) -> Any:
    try:
        return req.json
    except ValueError:
        return None
