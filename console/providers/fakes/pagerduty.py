"""A fake PagerDuty REST API v2, answering field for field as its OpenAPI file says.

State: users, services, escalation policies, schedules (with on-calls and overrides),
priorities, incidents with their notes, log entries, status updates and responder
requests, maintenance windows. Writes need `Authorization: Token token=<token>` and a
`From` header naming a known user, as PagerDuty does.

Besides answering the console, a test can act as someone in PagerDuty's web UI
(`web_set_status`, `web_note`) so that the console's poll has news from other people, and
conflicting writes meet the state someone else left.

Conflicts: an action the incident's state no longer allows (snoozing a resolved incident,
merging into one) is answered 400 with the error codes the issue cites from PagerDuty's
error documentation: 1001 (the incident is already resolved) and 1002 (the incident is
not in a state that allows the action).
"""

from __future__ import annotations

import itertools
from typing import Any

from console.domain.clock import Clock, iso, parse_instant
from console.providers.fakes.base import FakeProvider, FakeRequest, FakeResponse, route

API = "https://api.pagerduty.com"
WEB = "https://fake.pagerduty.com"
CODE_ALREADY_RESOLVED = 1001
CODE_NOT_ALLOWED_IN_STATE = 1002

LOG_TYPES = {
    "triggered": "trigger_log_entry",
    "acknowledged": "acknowledge_log_entry",
    "resolved": "resolve_log_entry",
}


def ref(kind: str, obj_id: str, summary: str, path: str) -> dict[str, Any]:
    return {
        "id": obj_id,
        "type": f"{kind}_reference",
        "summary": summary,
        "self": f"{API}/{path}/{obj_id}",
        "html_url": f"{WEB}/{path}/{obj_id}",
    }


class FakePagerDuty(FakeProvider):
    """The REST API v2 (https://api.pagerduty.com), in memory."""

    name = "pagerduty"
    base_path = ""

    def __init__(self, clock: Clock, token: str = "fake-pagerduty-token") -> None:
        super().__init__(clock)
        self.token = token
        self._ids = itertools.count(1)
        self.users: dict[str, dict[str, Any]] = {}
        self.services: dict[str, dict[str, Any]] = {}
        self.policies: dict[str, dict[str, Any]] = {}
        self.schedules: dict[str, dict[str, Any]] = {}
        self.overrides: dict[str, list[dict[str, Any]]] = {}
        self.oncalls: list[dict[str, Any]] = []
        self.priorities: list[dict[str, Any]] = []
        self.incidents: dict[str, dict[str, Any]] = {}
        self.notes: dict[str, list[dict[str, Any]]] = {}
        self.log_entries: list[dict[str, Any]] = []
        self.status_updates: dict[str, list[dict[str, Any]]] = {}
        self.responder_requests: dict[str, list[dict[str, Any]]] = {}
        self.maintenance_windows: list[dict[str, Any]] = []
        for n, desc in enumerate(("Critical", "High", "Moderate", "Low", "Informational"), start=1):
            pid = self.new_id("PR")
            self.priorities.append(
                {
                    "id": pid,
                    "type": "priority",
                    "summary": f"P{n}",
                    "self": f"{API}/priorities/{pid}",
                    "html_url": None,
                    "name": f"P{n}",
                    "description": desc,
                }
            )

    # -- seeding (tests and drills) ----------------------------------------------------

    def new_id(self, prefix: str = "P") -> str:
        n = next(self._ids)
        digits = ""
        while True:
            n, r = divmod(n, 36)
            digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[r] + digits
            if n == 0:
                break
        return (prefix + digits.rjust(5, "0"))[:7]

    def add_user(self, name: str, email: str, time_zone: str = "Etc/UTC") -> str:
        uid = self.new_id("PU")
        self.users[uid] = {
            "id": uid,
            "type": "user",
            "summary": name,
            "self": f"{API}/users/{uid}",
            "html_url": f"{WEB}/users/{uid}",
            "name": name,
            "email": email,
            "time_zone": time_zone,
            "role": "user",
        }
        return uid

    def add_policy(self, name: str, user_ids: list[str]) -> str:
        pid = self.new_id("PE")
        self.policies[pid] = {
            "id": pid,
            "type": "escalation_policy",
            "summary": name,
            "self": f"{API}/escalation_policies/{pid}",
            "html_url": f"{WEB}/escalation_policies/{pid}",
            "name": name,
            "num_loops": 0,
            "escalation_rules": [
                {
                    "id": self.new_id("PR"),
                    "escalation_delay_in_minutes": 30,
                    "targets": [self.user_ref(u) for u in user_ids],
                }
            ],
        }
        return pid

    def add_service(self, name: str, policy_id: str) -> str:
        sid = self.new_id("PS")
        self.services[sid] = {
            "id": sid,
            "type": "service",
            "summary": name,
            "self": f"{API}/services/{sid}",
            "html_url": f"{WEB}/services/{sid}",
            "name": name,
            "status": "active",
            "escalation_policy": self.policy_ref(policy_id),
        }
        return sid

    def add_schedule(
        self, name: str, oncall_user: str, policy_id: str, start: str, end: str
    ) -> str:
        sid = self.new_id("PI")
        self.schedules[sid] = {
            "id": sid,
            "type": "schedule",
            "summary": name,
            "self": f"{API}/schedules/{sid}",
            "html_url": f"{WEB}/schedules/{sid}",
            "name": name,
            "time_zone": "UTC",
            "schedule_layers": [],
        }
        self.overrides[sid] = []
        self.oncalls.append(
            {
                "escalation_policy": self.policy_ref(policy_id),
                "user": self.user_ref(oncall_user),
                "schedule": ref("schedule", sid, name, "schedules"),
                "escalation_level": 1,
                "start": start,
                "end": end,
            }
        )
        return sid

    def seed(self) -> dict[str, str]:
        """A small account: two users, a policy, a service, a schedule. Returns their ids."""
        ada = self.add_user("Ada Lovelace", "ada@example.com")
        grace = self.add_user("Grace Hopper", "grace@example.com")
        policy = self.add_policy("Payments escalation", [ada, grace])
        service = self.add_service("payments", policy)
        now = self.clock.now()
        schedule = self.add_schedule(
            "Payments primary", ada, policy, iso(now.subtract(days=1)), iso(now.add(days=6))
        )
        return {
            "ada": ada,
            "grace": grace,
            "policy": policy,
            "service": service,
            "schedule": schedule,
        }

    # -- references ---------------------------------------------------------------------

    def user_ref(self, uid: str) -> dict[str, Any]:
        return ref("user", uid, self.users[uid]["name"], "users")

    def policy_ref(self, pid: str) -> dict[str, Any]:
        return ref("escalation_policy", pid, self.policies[pid]["name"], "escalation_policies")

    def service_ref(self, sid: str) -> dict[str, Any]:
        return ref("service", sid, self.services[sid]["name"], "services")

    def incident_ref(self, iid: str) -> dict[str, Any]:
        return ref("incident", iid, self.incidents[iid]["summary"], "incidents")

    def _now(self) -> str:
        return iso(self.clock.now())

    # -- errors and auth ----------------------------------------------------------------

    def error(
        self, status: int, message: str, code: int | None = None, errors: list[str] | None = None
    ) -> FakeResponse:
        body: dict[str, Any] = {"message": message, "code": code if code is not None else 2001}
        if errors:
            body["errors"] = errors
        return FakeResponse.json(status, {"error": body})

    def authorize(self, req: FakeRequest) -> FakeResponse | None:
        if req.headers.get("authorization") != f"Token token={self.token}":
            return self.error(401, "Unauthorized", 2006)
        return None

    def _requester(self, req: FakeRequest) -> tuple[str | None, FakeResponse | None]:
        email = (req.headers.get("from") or "").lower()
        for uid, user in self.users.items():
            if user["email"].lower() == email and email:
                return uid, None
        return None, self.error(
            400,
            "Invalid Input Provided",
            2001,
            ["A valid user email is required in the From header."],
        )

    def _incident(self, iid: str) -> dict[str, Any] | None:
        return self.incidents.get(iid)

    # -- log entries ----------------------------------------------------------------------

    def _log(
        self, iid: str, kind: str, agent: str | None, channel: str, note: str | None = None
    ) -> None:
        lid = self.new_id("PL")
        inc = self.incidents[iid]
        entry: dict[str, Any] = {
            "id": lid,
            "type": kind,
            "summary": f"{kind.replace('_log_entry', '').replace('_', ' ').title()} by {self.users[agent]['name'] if agent else 'PagerDuty'}",
            "self": f"{API}/log_entries/{lid}",
            "html_url": None,
            "created_at": self._now(),
            "channel": {"type": channel},
            "incident": self.incident_ref(iid),
            "service": self.service_ref(inc["service"]["id"]),
        }
        if agent:
            entry["agent"] = self.user_ref(agent)
        if note is not None:
            entry["channel"]["summary"] = note
            entry["note"] = note
        self.log_entries.append(entry)

    def _set_status(
        self,
        inc: dict[str, Any],
        status: str,
        agent: str | None,
        channel: str,
        resolution: str | None = None,
    ) -> None:
        now = self._now()
        inc["status"] = status
        inc["updated_at"] = now
        inc["last_status_change_at"] = now
        if agent:
            inc["last_status_change_by"] = self.user_ref(agent)
        if status == "acknowledged" and agent:
            inc["acknowledgements"] = [{"at": now, "acknowledger": self.user_ref(agent)}]
        if status == "resolved":
            inc["resolved_at"] = now
            inc["assignments"] = []
            inc["acknowledgements"] = []
        else:
            inc.pop("resolved_at", None)
        if status == "triggered":
            inc["acknowledgements"] = []
        self._log(inc["id"], LOG_TYPES[status], agent, channel, resolution)

    # -- acting as a person in the web UI (tests) ------------------------------------------

    def web_set_status(self, iid: str, status: str, user_id: str) -> None:
        with self.lock:
            self._set_status(self.incidents[iid], status, user_id, "website")

    def web_note(self, iid: str, user_id: str, content: str) -> dict[str, Any]:
        with self.lock:
            return self._add_note(iid, user_id, content, "website")

    def web_create(
        self, title: str, service_id: str, user_id: str, incident_key: str | None = None
    ) -> str:
        with self.lock:
            return self._create(title, service_id, user_id, "high", None, incident_key, "website")

    # -- incidents ------------------------------------------------------------------------

    def _create(self, title, sid, agent, urgency, priority, incident_key, channel) -> str:
        iid = self.new_id("Q")
        number = len(self.incidents) + 1
        now = self._now()
        service = self.services[sid]
        policy_id = service["escalation_policy"]["id"]
        rules = self.policies[policy_id]["escalation_rules"]
        first = [t for t in rules[0]["targets"] if t["type"] == "user_reference"] if rules else []
        inc: dict[str, Any] = {
            "id": iid,
            "type": "incident",
            "summary": f"[#{number}] {title}",
            "self": f"{API}/incidents/{iid}",
            "html_url": f"{WEB}/incidents/{iid}",
            "incident_number": number,
            "title": title,
            "created_at": now,
            "updated_at": now,
            "status": "triggered",
            "incident_key": incident_key or iid,
            "service": self.service_ref(sid),
            "assignments": [{"at": now, "assignee": t} for t in first[:1]],
            "assigned_via": "escalation_policy",
            "last_status_change_at": now,
            "alert_counts": {"all": 0, "triggered": 0, "resolved": 0},
            "is_mergeable": True,
            "escalation_policy": self.policy_ref(policy_id),
            "teams": [],
            "pending_actions": [],
            "acknowledgements": [],
            "urgency": urgency,
            "escalation_level": 1,
        }
        if priority is not None:
            inc["priority"] = priority
        self.incidents[iid] = inc
        self.notes[iid] = []
        self._log(iid, "trigger_log_entry", agent, channel)
        return iid

    def _open_with_key(self, sid: str, key: str) -> dict[str, Any] | None:
        for inc in self.incidents.values():
            if (
                inc["service"]["id"] == sid
                and inc["incident_key"] == key
                and inc["status"] != "resolved"
            ):
                return inc
        return None

    def _priority(self, value: Any) -> dict[str, Any] | None:
        if isinstance(value, str):
            matches = [p for p in self.priorities if p["name"] == value]
            return matches[0] if matches else None
        if isinstance(value, dict):
            matches = [p for p in self.priorities if p["id"] == value.get("id")]
            return matches[0] if matches else None
        return None

    @route("POST", r"/incidents")
    def create_incident(self, req: FakeRequest) -> FakeResponse:
        uid, bad = self._requester(req)
        if bad:
            return bad
        body = (req.json or {}).get("incident") or {}
        if (
            body.get("type") != "incident"
            or not body.get("title")
            or not isinstance(body.get("service"), dict)
        ):
            return self.error(
                400, "Invalid Input Provided", 2001, ["incident needs type, title and service"]
            )
        sid = body["service"].get("id")
        if sid not in self.services:
            return self.error(400, "Invalid Input Provided", 2001, ["Service not found"])
        key = body.get("incident_key")
        if key and self._open_with_key(sid, key):
            return self.error(
                400,
                "Invalid Input Provided",
                2001,
                ["Open incident with matching dedup key already exists on this service"],
            )
        priority = None
        if "priority" in body:
            priority = self._priority(body["priority"])
            if priority is None:
                return self.error(400, "Invalid Input Provided", 2001, ["Priority not found"])
        iid = self._create(
            body["title"], sid, uid, body.get("urgency", "high"), priority, key, "api"
        )
        return FakeResponse.json(201, {"incident": self.incidents[iid]})

    @route("GET", r"/incidents")
    def list_incidents(self, req: FakeRequest) -> FakeResponse:
        found = list(self.incidents.values())
        statuses = req.args("statuses")
        if statuses:
            found = [i for i in found if i["status"] in statuses]
        if req.arg("incident_key"):
            found = [i for i in found if i["incident_key"] == req.arg("incident_key")]
        services = req.args("service_ids")
        if services:
            found = [i for i in found if i["service"]["id"] in services]
        if req.arg("date_range") != "all":
            since = req.arg("since")
            if since:
                found = [i for i in found if parse_instant(i["created_at"]) >= parse_instant(since)]
            until = req.arg("until")
            if until:
                found = [i for i in found if parse_instant(i["created_at"]) < parse_instant(until)]
        return self._page(req, "incidents", found, default_limit=25)

    @route("GET", r"/incidents/(?P<iid>[^/]+)")
    def get_incident(self, req: FakeRequest, iid: str) -> FakeResponse:
        inc = self._incident(iid)
        if inc is None:
            return self.error(404, "Not Found", 2100)
        return FakeResponse.json(200, {"incident": inc})

    @route("PUT", r"/incidents/(?P<iid>[^/]+)")
    def update_incident(self, req: FakeRequest, iid: str) -> FakeResponse:
        uid, bad = self._requester(req)
        if bad:
            return bad
        inc = self._incident(iid)
        if inc is None:
            return self.error(404, "Not Found", 2100)
        body = (req.json or {}).get("incident") or {}
        if body.get("type") not in ("incident", "incident_reference"):
            return self.error(400, "Invalid Input Provided", 2001, ["incident type is required"])
        if "status" in body:
            if body["status"] not in LOG_TYPES:
                return self.error(400, "Invalid Input Provided", 2001, ["Invalid status"])
            # As the spec says: acknowledging or triggering a resolved incident reopens it.
            self._set_status(inc, body["status"], uid, "api", body.get("resolution"))
        if "priority" in body:
            priority = self._priority(body["priority"])
            if priority is None:
                return self.error(400, "Invalid Input Provided", 2001, ["Priority not found"])
            inc["priority"] = priority
        if "escalation_level" in body:
            if inc["status"] == "resolved":
                return self.error(400, "Incident Already Resolved", CODE_ALREADY_RESOLVED)
            inc["escalation_level"] = int(body["escalation_level"])
            self._log(iid, "escalate_log_entry", uid, "api")
        if "assignments" in body:
            if inc["status"] == "resolved":
                return self.error(400, "Incident Already Resolved", CODE_ALREADY_RESOLVED)
            assignees = [a.get("assignee", {}).get("id") for a in body["assignments"]]
            if not all(a in self.users for a in assignees):
                return self.error(400, "Invalid Input Provided", 2001, ["Assignee not found"])
            inc["assignments"] = [
                {"at": self._now(), "assignee": self.user_ref(a)} for a in assignees
            ]
            inc["assigned_via"] = "direct_assignment"
            self._log(iid, "assign_log_entry", uid, "api")
        if "title" in body:
            inc["title"] = body["title"]
            inc["summary"] = f"[#{inc['incident_number']}] {body['title']}"
        if "urgency" in body:
            inc["urgency"] = body["urgency"]
        inc["updated_at"] = self._now()
        return FakeResponse.json(200, {"incident": inc})

    @route("PUT", r"/incidents/(?P<iid>[^/]+)/merge")
    def merge(self, req: FakeRequest, iid: str) -> FakeResponse:
        uid, bad = self._requester(req)
        if bad:
            return bad
        target = self._incident(iid)
        if target is None:
            return self.error(404, "Not Found", 2100)
        if target["status"] == "resolved":
            return self.error(400, "Incident Already Resolved", CODE_ALREADY_RESOLVED)
        sources = [s.get("id") for s in (req.json or {}).get("source_incidents", [])]
        if not sources or not all(s in self.incidents for s in sources):
            return self.error(400, "Invalid Input Provided", 2001, ["source incidents not found"])
        for sid in sources:
            if self.incidents[sid]["status"] != "resolved":
                self._set_status(self.incidents[sid], "resolved", uid, "api", f"Merged into {iid}")
        return FakeResponse.json(
            200, {"incident": self.incident_ref(iid) | {"type": "incident_reference"}}
        )

    @route("POST", r"/incidents/(?P<iid>[^/]+)/snooze")
    def snooze(self, req: FakeRequest, iid: str) -> FakeResponse:
        uid, bad = self._requester(req)
        if bad:
            return bad
        inc = self._incident(iid)
        if inc is None:
            return self.error(404, "Not Found", 2100)
        duration = (req.json or {}).get("duration")
        if not isinstance(duration, int) or not 1 <= duration <= 604800:
            return self.error(
                400, "Invalid Input Provided", 2001, ["duration must be 1..604800 seconds"]
            )
        if inc["status"] == "resolved":
            return self.error(400, "Incident Already Resolved", CODE_ALREADY_RESOLVED)
        if inc["status"] != "acknowledged":
            return self.error(
                400, "Incident must be acknowledged to snooze", CODE_NOT_ALLOWED_IN_STATE
            )
        self._log(iid, "snooze_log_entry", uid, "api")
        inc["updated_at"] = self._now()
        return FakeResponse.json(201, {"incident": inc})

    # -- notes --------------------------------------------------------------------------

    def _add_note(self, iid: str, uid: str, content: str, channel: str) -> dict[str, Any]:
        note = {
            "id": self.new_id("PN"),
            "user": self.user_ref(uid),
            "channel": {
                "summary": "The PagerDuty website or APIs" if channel == "api" else "Website"
            },
            "content": content,
            "created_at": self._now(),
        }
        self.notes[iid].append(note)
        self._log(iid, "annotate_log_entry", uid, "note", content)
        return note

    @route("POST", r"/incidents/(?P<iid>[^/]+)/notes")
    def create_note(self, req: FakeRequest, iid: str) -> FakeResponse:
        uid, bad = self._requester(req)
        if bad:
            return bad
        if iid not in self.incidents:
            return self.error(404, "Not Found", 2100)
        content = ((req.json or {}).get("note") or {}).get("content")
        if not isinstance(content, str) or not content:
            return self.error(400, "Invalid Input Provided", 2001, ["note content is required"])
        return FakeResponse.json(200, {"note": self._add_note(iid, uid, content, "api")})

    @route("GET", r"/incidents/(?P<iid>[^/]+)/notes")
    def list_notes(self, req: FakeRequest, iid: str) -> FakeResponse:
        if iid not in self.incidents:
            return self.error(404, "Not Found", 2100)
        return FakeResponse.json(200, {"notes": self.notes[iid]})

    # -- log entries ----------------------------------------------------------------------

    def _entries_since(
        self, req: FakeRequest, entries: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        since, until = req.arg("since"), req.arg("until")
        if since:
            entries = [e for e in entries if parse_instant(e["created_at"]) >= parse_instant(since)]
        if until:
            entries = [e for e in entries if parse_instant(e["created_at"]) < parse_instant(until)]
        # PagerDuty lists log entries newest first
        return list(reversed(entries))

    @route("GET", r"/log_entries")
    def list_log_entries(self, req: FakeRequest) -> FakeResponse:
        return self._page(req, "log_entries", self._entries_since(req, self.log_entries))

    @route("GET", r"/incidents/(?P<iid>[^/]+)/log_entries")
    def incident_log_entries(self, req: FakeRequest, iid: str) -> FakeResponse:
        if iid not in self.incidents:
            return self.error(404, "Not Found", 2100)
        mine = [e for e in self.log_entries if e["incident"]["id"] == iid]
        return self._page(req, "log_entries", self._entries_since(req, mine))

    # -- responders and status updates ---------------------------------------------------

    @route("POST", r"/incidents/(?P<iid>[^/]+)/responder_requests")
    def responder_request(self, req: FakeRequest, iid: str) -> FakeResponse:
        if iid not in self.incidents:
            return self.error(404, "Not Found", 2100)
        body = req.json or {}
        requester = body.get("requester_id")
        targets = body.get("responder_request_targets")
        if (
            requester not in self.users
            or not body.get("message")
            or not isinstance(targets, list)
            or not targets
        ):
            return self.error(
                400,
                "Invalid Input Provided",
                2001,
                ["requester_id, message and targets are required"],
            )
        for t in targets:
            target = t.get("responder_request_target", t)
            known = self.users if target.get("type") == "user_reference" else self.policies
            if target.get("id") not in known:
                return self.error(
                    400, "Invalid Input Provided", 2001, ["Responder target not found"]
                )
        rr = {
            "id": self.new_id("PQ"),
            "incident": self.incident_ref(iid),
            "requester": self.user_ref(requester),
            "requested_at": self._now(),
            "message": body["message"],
            "responder_request_targets": [
                {
                    "type": t.get("responder_request_target", t)["type"],
                    "id": t.get("responder_request_target", t)["id"],
                }
                for t in targets
            ],
        }
        self.responder_requests.setdefault(iid, []).append(rr)
        self.incidents[iid].setdefault("responder_requests", []).append(rr)
        return FakeResponse.json(200, {"responder_request": rr})

    @route("POST", r"/incidents/(?P<iid>[^/]+)/status_updates")
    def status_update(self, req: FakeRequest, iid: str) -> FakeResponse:
        uid, bad = self._requester(req)
        if bad:
            return bad
        if iid not in self.incidents:
            return self.error(404, "Not Found", 2100)
        message = (req.json or {}).get("message")
        if not isinstance(message, str) or not message:
            return self.error(400, "Invalid Input Provided", 2001, ["message is required"])
        su = {
            "id": self.new_id("PT"),
            "message": message,
            "created_at": self._now(),
            "sender": self.user_ref(uid),
        }
        self.status_updates.setdefault(iid, []).append(su)
        return FakeResponse.json(200, {"status_update": su})

    # -- directory: users, services, policies, schedules, on-calls, priorities -------------

    @route("GET", r"/users")
    def list_users(self, req: FakeRequest) -> FakeResponse:
        query = (req.arg("query") or "").lower()
        found = [
            u
            for u in self.users.values()
            if query in u["name"].lower() or query in u["email"].lower()
        ]
        return self._page(req, "users", found)

    @route("GET", r"/services")
    def list_services(self, req: FakeRequest) -> FakeResponse:
        query = (req.arg("query") or "").lower()
        return self._page(
            req, "services", [s for s in self.services.values() if query in s["name"].lower()]
        )

    @route("GET", r"/escalation_policies")
    def list_policies(self, req: FakeRequest) -> FakeResponse:
        query = (req.arg("query") or "").lower()
        return self._page(
            req,
            "escalation_policies",
            [p for p in self.policies.values() if query in p["name"].lower()],
        )

    @route("GET", r"/schedules")
    def list_schedules(self, req: FakeRequest) -> FakeResponse:
        query = (req.arg("query") or "").lower()
        return self._page(
            req, "schedules", [s for s in self.schedules.values() if query in s["name"].lower()]
        )

    @route("GET", r"/schedules/(?P<sid>[^/]+)/overrides")
    def list_overrides(self, req: FakeRequest, sid: str) -> FakeResponse:
        if sid not in self.schedules:
            return self.error(404, "Not Found", 2100)
        return FakeResponse.json(200, {"overrides": self.overrides[sid]})

    @route("POST", r"/schedules/(?P<sid>[^/]+)/overrides")
    def create_overrides(self, req: FakeRequest, sid: str) -> FakeResponse:
        if sid not in self.schedules:
            return self.error(404, "Not Found", 2100)
        out = []
        for o in (req.json or {}).get("overrides", []):
            uid = (o.get("user") or {}).get("id")
            if uid not in self.users or not o.get("start") or not o.get("end"):
                out.append({"status": 400, "errors": ["user, start and end are required"]})
                continue
            made = {
                "id": self.new_id("PO"),
                "start": o["start"],
                "end": o["end"],
                "user": self.user_ref(uid),
            }
            self.overrides[sid].append(made)
            out.append({"status": 201, "override": made})
        return FakeResponse.json(201, out)

    @route("GET", r"/oncalls")
    def list_oncalls(self, req: FakeRequest) -> FakeResponse:
        found = self.oncalls
        if req.args("schedule_ids"):
            found = [o for o in found if o["schedule"]["id"] in req.args("schedule_ids")]
        if req.args("escalation_policy_ids"):
            found = [
                o
                for o in found
                if o["escalation_policy"]["id"] in req.args("escalation_policy_ids")
            ]
        return self._page(req, "oncalls", found)

    @route("GET", r"/priorities")
    def list_priorities(self, req: FakeRequest) -> FakeResponse:
        return self._page(req, "priorities", self.priorities)

    # -- maintenance windows -------------------------------------------------------------

    @route("POST", r"/maintenance_windows")
    def create_maintenance(self, req: FakeRequest) -> FakeResponse:
        uid, bad = self._requester(req)
        if bad:
            return bad
        mw = (req.json or {}).get("maintenance_window") or {}
        services = [s.get("id") for s in mw.get("services", [])]
        if (
            mw.get("type") != "maintenance_window"
            or not services
            or not all(s in self.services for s in services)
        ):
            return self.error(
                400, "Invalid Input Provided", 2001, ["type and known services are required"]
            )
        try:
            start, end = parse_instant(mw["start_time"]), parse_instant(mw["end_time"])
        except (KeyError, ValueError):
            return self.error(
                400, "Invalid Input Provided", 2001, ["start_time and end_time are required"]
            )
        if end <= start:
            return self.error(
                400, "Invalid Input Provided", 2001, ["end_time must be after start_time"]
            )
        mid = self.new_id("PW")
        made = {
            "id": mid,
            "type": "maintenance_window",
            "summary": mw.get("description", ""),
            "self": f"{API}/maintenance_windows/{mid}",
            "html_url": f"{WEB}/maintenance_windows/{mid}",
            "sequence_number": len(self.maintenance_windows) + 1,
            "start_time": mw["start_time"],
            "end_time": mw["end_time"],
            "description": mw.get("description", ""),
            "created_by": self.user_ref(uid),
            "services": [self.service_ref(s) for s in services],
            "teams": [],
        }
        self.maintenance_windows.append(made)
        return FakeResponse.json(201, {"maintenance_window": made})

    @route("GET", r"/maintenance_windows")
    def list_maintenance(self, req: FakeRequest) -> FakeResponse:
        return self._page(req, "maintenance_windows", self.maintenance_windows)

    # -- pagination -------------------------------------------------------------------------

    def _page(
        self, req: FakeRequest, key: str, items: list[dict[str, Any]], default_limit: int = 25
    ) -> FakeResponse:
        try:
            limit = min(int(req.arg("limit") or default_limit), 100)
            offset = int(req.arg("offset") or 0)
        except ValueError:
            return self.error(
                400, "Invalid Input Provided", 2001, ["limit and offset must be numbers"]
            )
        page = items[offset : offset + limit]
        total = len(items) if req.arg("total") == "true" else None
        return FakeResponse.json(
            200,
            {
                key: page,
                "limit": limit,
                "offset": offset,
                "more": offset + limit < len(items),
                "total": total,
            },
        )
