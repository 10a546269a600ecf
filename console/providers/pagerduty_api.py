"""Thin, typed calls of PagerDuty's REST API v2 and Events API v2 (one method per endpoint).

No decisions here beyond the shape of each request: failures propagate as `CallFailed`.
Writes carry the `From` header PagerDuty requires (the email of a user on the account).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from console.providers.credentials import Secret
from console.providers.decisions import Decision
from console.providers.http import CallFailed, ProviderHttp

PAGE_LIMIT = 100  # PagerDuty's maximum page size
MAX_PAGES = 50  # a poll never walks more than this many pages (5,000 records)


class PagerDutyRest:
    """https://api.pagerduty.com, as `ProviderHttp` with `Authorization: Token token=...`."""

    def __init__(self, http: ProviderHttp, from_email: str | None) -> None:
        self.http = http
        self.from_email = from_email

    # -- plumbing --------------------------------------------------------------------------

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.http.request("GET", path, params=params).json()

    def _write(self, method: str, path: str, body: Any) -> Any:
        if not self.from_email:
            raise CallFailed(
                "pagerduty",
                Decision(
                    "pause",
                    "PAGERDUTY_FROM is not set: PagerDuty needs a From email on every write",
                ),
            )
        answer = self.http.request(method, path, json_body=body, headers={"From": self.from_email})
        return answer.json() if answer.content else None

    def pages(
        self, path: str, key: str, params: Mapping[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list, following `more` with offset/limit."""
        offset = 0
        for _ in range(MAX_PAGES):
            doc = self._get(path, {**(params or {}), "limit": PAGE_LIMIT, "offset": offset})
            items = doc.get(key) or []
            yield from items
            if not doc.get("more") or not items:
                return
            offset += len(items)

    # -- incidents ---------------------------------------------------------------------------

    def list_incidents(self, **filters: Any) -> list[dict[str, Any]]:
        """Filters as PagerDuty names them: statuses=[...], incident_key, service_ids=[...],
        since, until, date_range="all", sort_by."""
        params: dict[str, Any] = {}
        for name, value in filters.items():
            if isinstance(value, (list, tuple)):
                params[f"{name}[]"] = list(value)
            elif value is not None:
                params[name] = value
        return list(self.pages("/incidents", "incidents", params))

    def get_incident(self, incident_id: str) -> dict[str, Any]:
        return self._get(f"/incidents/{incident_id}")["incident"]

    def create_incident(
        self,
        title: str,
        service_id: str,
        *,
        urgency: str | None = None,
        priority_id: str | None = None,
        incident_key: str | None = None,
        details: str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": "incident",
            "title": title,
            "service": {"id": service_id, "type": "service_reference"},
        }
        if urgency:
            body["urgency"] = urgency
        if priority_id:
            body["priority"] = {"id": priority_id, "type": "priority_reference"}
        if incident_key:
            body["incident_key"] = incident_key
        if details:
            body["body"] = {"type": "incident_body", "details": details}
        return self._write("POST", "/incidents", {"incident": body})["incident"]

    def update_incident(self, incident_id: str, **fields: Any) -> dict[str, Any]:
        """fields: status, resolution, priority (a reference), escalation_level,
        assignments, title, urgency."""
        body = {"type": "incident_reference", **fields}
        return self._write("PUT", f"/incidents/{incident_id}", {"incident": body})["incident"]

    def merge(self, target_id: str, source_ids: list[str]) -> dict[str, Any]:
        sources = [{"id": s, "type": "incident_reference"} for s in source_ids]
        return self._write("PUT", f"/incidents/{target_id}/merge", {"source_incidents": sources})[
            "incident"
        ]

    def snooze(self, incident_id: str, seconds: int) -> dict[str, Any]:
        return self._write("POST", f"/incidents/{incident_id}/snooze", {"duration": int(seconds)})[
            "incident"
        ]

    def add_note(self, incident_id: str, content: str) -> dict[str, Any]:
        return self._write(
            "POST", f"/incidents/{incident_id}/notes", {"note": {"content": content}}
        )["note"]

    def list_notes(self, incident_id: str) -> list[dict[str, Any]]:
        return self._get(f"/incidents/{incident_id}/notes")["notes"]

    def log_entries(
        self, since: str | None = None, incident_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Log entries (PagerDuty lists newest first), for the account or one incident."""
        params: dict[str, Any] = {"is_overview": "false"}
        if since:
            params["since"] = since
        path = f"/incidents/{incident_id}/log_entries" if incident_id else "/log_entries"
        return list(self.pages(path, "log_entries", params))

    def responder_request(
        self, incident_id: str, requester_id: str, message: str, targets: list[tuple[str, str]]
    ) -> dict[str, Any]:
        """targets: (type, id) with type "user_reference" or "escalation_policy_reference"."""
        body = {
            "requester_id": requester_id,
            "message": message,
            "responder_request_targets": [{"type": t, "id": i} for t, i in targets],
        }
        return self._write("POST", f"/incidents/{incident_id}/responder_requests", body)[
            "responder_request"
        ]

    def status_update(self, incident_id: str, message: str) -> dict[str, Any]:
        return self._write(
            "POST", f"/incidents/{incident_id}/status_updates", {"message": message}
        )["status_update"]

    # -- directory ----------------------------------------------------------------------------

    def oncalls(self, **filters: Any) -> list[dict[str, Any]]:
        params = {
            f"{k}[]" if isinstance(v, list) else k: v for k, v in filters.items() if v is not None
        }
        return list(self.pages("/oncalls", "oncalls", params))

    def schedules(self, query: str | None = None) -> list[dict[str, Any]]:
        return list(self.pages("/schedules", "schedules", {"query": query} if query else None))

    def overrides(self, schedule_id: str, since: str, until: str) -> list[dict[str, Any]]:
        return self._get(f"/schedules/{schedule_id}/overrides", {"since": since, "until": until})[
            "overrides"
        ]

    def create_override(
        self, schedule_id: str, user_id: str, start: str, end: str
    ) -> list[dict[str, Any]]:
        body = {
            "overrides": [
                {"start": start, "end": end, "user": {"id": user_id, "type": "user_reference"}}
            ]
        }
        return self._write("POST", f"/schedules/{schedule_id}/overrides", body)

    def escalation_policies(self, query: str | None = None) -> list[dict[str, Any]]:
        return list(
            self.pages(
                "/escalation_policies", "escalation_policies", {"query": query} if query else None
            )
        )

    def services(self, query: str | None = None) -> list[dict[str, Any]]:
        return list(self.pages("/services", "services", {"query": query} if query else None))

    def users(self, query: str | None = None) -> list[dict[str, Any]]:
        return list(self.pages("/users", "users", {"query": query} if query else None))

    def priorities(self) -> list[dict[str, Any]]:
        return list(self.pages("/priorities", "priorities"))

    def create_maintenance_window(
        self, service_ids: list[str], start: str, end: str, description: str
    ) -> dict[str, Any]:
        body = {
            "maintenance_window": {
                "type": "maintenance_window",
                "start_time": start,
                "end_time": end,
                "description": description,
                "services": [{"id": s, "type": "service_reference"} for s in service_ids],
            }
        }
        return self._write("POST", "/maintenance_windows", body)["maintenance_window"]

    def maintenance_windows(self) -> list[dict[str, Any]]:
        return list(self.pages("/maintenance_windows", "maintenance_windows"))


SEVERITY_TO_EVENT = {1: "critical", 2: "error", 3: "warning", 4: "info", 5: "info"}


class PagerDutyEvents:
    """https://events.pagerduty.com/v2/enqueue; the routing key travels in the body."""

    def __init__(self, http: ProviderHttp, routing_key: Secret) -> None:
        self.http = http
        self._routing_key = routing_key

    def enqueue(
        self,
        action: str,
        dedup_key: str,
        *,
        summary: str | None = None,
        source: str = "incident-console",
        severity: str = "error",
        details: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "routing_key": self._routing_key.reveal(),
            "event_action": action,
            "dedup_key": dedup_key,
        }
        if action == "trigger":
            body["payload"] = {
                "summary": (summary or "incident")[:1024],
                "source": source,
                "severity": severity,
            }
            if details:
                body["payload"]["custom_details"] = dict(details)
            body["client"] = "incident-console"
        return self.http.request("POST", "/v2/enqueue", json_body=body).json()
