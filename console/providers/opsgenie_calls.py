"""Opsgenie: the requests our intents become, decided without I/O.

Field names follow ../shared/specs/opsgenie/swagger.json (alerts v2, who-is-on-call,
schedules, schedule overrides). Every alert write is answered `202 Accepted` with a
`requestId`; whether it worked is learnt later from the request-status endpoint
(`request_status`, `read_request_status`).

Idempotency: an incident's alert is addressed by a deterministic alias
(`incident-console-INC-3`), so a repeated create is deduplicated by Opsgenie itself and
later actions need no remote id. Notes have no idempotency key: each carries a short
reference to its intent, and the adapter lists notes (`find_note`) before posting again
after an ambiguous timeout.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from console.domain.clock import iso, parse_instant
from console.providers.http_call import HttpCall, Refusal, Skip
from console.providers.outbound_text import plain

ALIAS_PREFIX = "incident-console-"
SOURCE = "incident-console"
# Documented limits (Opsgenie alert API): message 130, description 15000, note 25000,
# alias 512, source and user 100, tags 20 of 50 each.
MESSAGE_LIMIT = 130
DESCRIPTION_LIMIT = 15000
NOTE_LIMIT = 25000
USER_LIMIT = 100
TAG_LIMIT = 50
PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
NOTE_REF = "[ic:{}]"

OPS = (
    "incident.open",
    "incident.declare",
    "incident.ack",
    "incident.resolve",
    "incident.reopen",
    "incident.note",
    "incident.escalate",
    "incident.reassign",
    "incident.priority",
    "incident.snooze",
    "incident.page",
)


def alias_for(local_id: str) -> str:
    """The alert alias of a local incident: stable, so Opsgenie deduplicates repeats."""
    return f"{ALIAS_PREFIX}{local_id}"


def _alert(alias: str, action: str = "") -> str:
    return f"/v2/alerts/{quote(alias, safe='')}" + (f"/{action}" if action else "")


_BY_ALIAS = {"identifierType": "alias"}


def pages_through_opsgenie(config: Mapping[str, Any] | None, service: str | None) -> bool:
    """Whether the config says this service's incidents page through Opsgenie."""
    svc = ((config or {}).get("services") or {}).get(service or "") or {}
    return "opsgenie" in (svc.get("paging") or [])


def concerns(
    intent: Mapping[str, Any], config: Mapping[str, Any] | None, incident: Mapping[str, Any] | None
) -> bool:
    """Whether Opsgenie has anything to do for this intent: its op, on a service paging through it."""
    if intent.get("op") not in OPS:
        return False
    args = intent.get("args") or {}
    service = args.get("service") or (incident or {}).get("service")
    return pages_through_opsgenie(config, service)


# -- alert requests --------------------------------------------------------------------


def _action_body(user: str | None, note: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"source": SOURCE}
    if user:
        body["user"] = plain(user, USER_LIMIT, one_line=True)
    if note:
        body["note"] = plain(note, NOTE_LIMIT)
    return body


def create_alert(
    alias: str,
    *,
    message: str,
    description: str = "",
    priority: str | None = None,
    responders: Iterable[Mapping[str, str]] = (),
    tags: Iterable[str] = (),
    details: Mapping[str, str] | None = None,
    entity: str | None = None,
    user: str | None = None,
) -> HttpCall:
    body: dict[str, Any] = {
        "message": plain(message, MESSAGE_LIMIT, one_line=True) or "Incident",
        "alias": alias,
        **_action_body(user, None),
    }
    if description:
        body["description"] = plain(description, DESCRIPTION_LIMIT)
    if priority in PRIORITIES:
        body["priority"] = priority
    if responders:
        body["responders"] = [dict(r) for r in responders]
    tag_list = [plain(t, TAG_LIMIT, one_line=True) for t in tags][:20]
    if tag_list:
        body["tags"] = tag_list
    if details:
        body["details"] = {str(k): plain(v, 1000) for k, v in details.items()}
    if entity:
        body["entity"] = plain(entity, 512, one_line=True)
    return HttpCall("POST", "/v2/alerts", json=body, purpose="create alert")


def acknowledge(alias: str, *, user: str | None = None, note: str | None = None) -> HttpCall:
    return HttpCall(
        "POST",
        _alert(alias, "acknowledge"),
        dict(_BY_ALIAS),
        _action_body(user, note),
        "acknowledge alert",
    )


def close(alias: str, *, user: str | None = None, note: str | None = None) -> HttpCall:
    return HttpCall(
        "POST", _alert(alias, "close"), dict(_BY_ALIAS), _action_body(user, note), "close alert"
    )


def add_note(alias: str, note: str, *, intent_id: str, user: str | None = None) -> HttpCall:
    text = plain(note, NOTE_LIMIT - 20) + " " + note_ref(intent_id)
    body = _action_body(user, None)
    body["note"] = text
    return HttpCall("POST", _alert(alias, "notes"), dict(_BY_ALIAS), body, "add note")


def escalate(
    alias: str, escalation: Mapping[str, str], *, user: str | None = None, note: str | None = None
) -> HttpCall:
    body = _action_body(user, note)
    body["escalation"] = {"type": "escalation", **escalation}
    return HttpCall("POST", _alert(alias, "escalate"), dict(_BY_ALIAS), body, "escalate alert")


def assign(
    alias: str, owner: Mapping[str, str], *, user: str | None = None, note: str | None = None
) -> HttpCall:
    body = _action_body(user, note)
    body["owner"] = {"type": "user", **owner}
    return HttpCall("POST", _alert(alias, "assign"), dict(_BY_ALIAS), body, "assign alert")


def add_responder(
    alias: str, responder: Mapping[str, str], *, user: str | None = None, note: str | None = None
) -> HttpCall:
    """Page one more responder (a user, or an escalation by name) on the alert."""
    body = _action_body(user, note)
    body["responder"] = dict(responder)
    return HttpCall("POST", _alert(alias, "responders"), dict(_BY_ALIAS), body, "add responder")


def update_priority(alias: str, priority: str) -> HttpCall:
    if priority not in PRIORITIES:
        raise ValueError(f"priority '{priority}' is not one of {', '.join(PRIORITIES)}")
    return HttpCall(
        "PUT",
        _alert(alias, "priority"),
        dict(_BY_ALIAS),
        {"priority": priority},
        "set alert priority",
    )


def snooze(alias: str, end_time: str, *, user: str | None = None) -> HttpCall:
    body = _action_body(user, None)
    body["endTime"] = end_time
    return HttpCall("POST", _alert(alias, "snooze"), dict(_BY_ALIAS), body, "snooze alert")


def get_alert(alias: str) -> HttpCall:
    return HttpCall("GET", _alert(alias), dict(_BY_ALIAS), purpose="read back alert")


def list_notes(alias: str, offset: str | None = None) -> HttpCall:
    params: dict[str, Any] = {**_BY_ALIAS, "order": "asc", "direction": "next", "limit": 100}
    if offset:
        params["offset"] = offset
    return HttpCall("GET", _alert(alias, "notes"), params, purpose="list alert notes")


def request_status(request_id: str) -> HttpCall:
    """Whether an accepted (202) request was processed, and how."""
    return HttpCall(
        "GET", f"/v2/alerts/requests/{quote(request_id, safe='')}", purpose="request status"
    )


# -- who is on call, schedules, overrides ----------------------------------------------


def _schedule(schedule: str, tail: str = "") -> str:
    return f"/v2/schedules/{quote(schedule, safe='')}" + (f"/{tail}" if tail else "")


def _by(kind: str) -> dict[str, str]:
    return {"scheduleIdentifierType": kind}


def on_calls(
    schedule: str, *, by: str = "id", date: str | None = None, flat: bool = False
) -> HttpCall:
    params: dict[str, Any] = {**_by(by), "flat": "true" if flat else "false"}
    if date:
        params["date"] = date
    return HttpCall("GET", _schedule(schedule, "on-calls"), params, purpose="who is on call")


def next_on_calls(
    schedule: str, *, by: str = "id", date: str | None = None, flat: bool = False
) -> HttpCall:
    params: dict[str, Any] = {**_by(by), "flat": "true" if flat else "false"}
    if date:
        params["date"] = date
    return HttpCall(
        "GET", _schedule(schedule, "next-on-calls"), params, purpose="who is on call next"
    )


def list_schedules() -> HttpCall:
    return HttpCall("GET", "/v2/schedules", purpose="list schedules")


def list_overrides(schedule: str, *, by: str = "id") -> HttpCall:
    return HttpCall(
        "GET", _schedule(schedule, "overrides"), _by(by), purpose="list schedule overrides"
    )


def create_override(
    schedule: str,
    *,
    user: Mapping[str, str],
    start: str,
    end: str,
    alias: str | None = None,
    by: str = "id",
) -> HttpCall:
    body: dict[str, Any] = {"user": {"type": "user", **user}, "startDate": start, "endDate": end}
    if alias:
        body["alias"] = alias
    return HttpCall(
        "POST", _schedule(schedule, "overrides"), _by(by), body, "create schedule override"
    )


# -- reading answers -------------------------------------------------------------------


@dataclass(frozen=True)
class RequestOutcome:
    """What the request-status endpoint says about an accepted request."""

    processed: bool
    success: bool
    alert_id: str | None = None
    status: str = ""


def read_request_status(status_code: int, body: Mapping[str, Any] | None) -> RequestOutcome:
    """Opsgenie answers 404 while a request is not processed yet, then 200 with `data`."""
    if status_code == 404:
        return RequestOutcome(processed=False, success=False, status="not processed yet")
    data = (body or {}).get("data") or {}
    return RequestOutcome(
        processed=True,
        success=bool(data.get("isSuccess", data.get("success", False))),
        alert_id=data.get("alertId") or None,
        status=plain(data.get("status", ""), 300, one_line=True),
    )


def note_ref(intent_id: str) -> str:
    """The short reference a note carries so a repeat can be recognised."""
    return NOTE_REF.format(intent_id[:12])


def find_note(notes: Iterable[Mapping[str, Any]], intent_id: str) -> Mapping[str, Any] | None:
    ref = note_ref(intent_id)
    for n in notes:
        if ref in str(n.get("note", "")):
            return n
    return None


# -- intents ---------------------------------------------------------------------------


def _priority(args: Mapping[str, Any], incident: Mapping[str, Any] | None) -> str | None:
    if args.get("priority") in PRIORITIES:
        return args["priority"]
    sev = _severity(args.get("severity") or (incident or {}).get("severity"))
    return f"P{sev}" if sev else None


def _severity(value: Any) -> int | None:
    """1..5 from an intent's int or a `to_json()` label such as "SEV2"."""
    if isinstance(value, str) and value.upper().startswith("SEV"):
        value = value[3:]
    try:
        sev = int(value)
    except (TypeError, ValueError):
        return None
    return sev if 1 <= sev <= 5 else None


def _user_ref(config: Mapping[str, Any], handle: str) -> dict[str, str] | None:
    """A person as Opsgenie knows them: their opsgenie_id, else their email (the username)."""
    users = config.get("users") or {}
    entry = users.get(handle)
    if entry is None:
        entry = next(
            (u for u in users.values() if str(u.get("email", "")).lower() == handle.lower()), None
        )
    if entry is None:
        return {"username": handle} if "@" in handle else None
    if entry.get("opsgenie_id"):
        return {"id": str(entry["opsgenie_id"])}
    if entry.get("email"):
        return {"username": str(entry["email"])}
    return None


def _escalation(config: Mapping[str, Any], service: str | None) -> dict[str, str] | None:
    svc = (config.get("services") or {}).get(service or "") or {}
    policy = svc.get("escalation_policy")
    if not policy:
        return None
    entry = (config.get("policies") or {}).get(policy) or {}
    return {"name": str(entry.get("name") or policy)}


def plan(
    intent: Mapping[str, Any],
    *,
    config: Mapping[str, Any] | None = None,
    incident: Mapping[str, Any] | None = None,
    actor: str | None = None,
) -> list[HttpCall] | Skip | Refusal:
    """The requests that carry `intent` to Opsgenie, in order, or why there are none
    (`Skip`: nothing to do; `Refusal`: it cannot be expressed, a final failure).

    `incident` is the local incident as `Incident.to_json()` gives it.
    """
    config = config or {}
    op = intent.get("op")
    args = intent.get("args") or {}
    local = intent.get("incident")
    if not local:
        return Skip(f"{op} names no incident")
    alias = alias_for(local)
    service = args.get("service") or (incident or {}).get("service")
    svc = (config.get("services") or {}).get(service or "") or {}

    if op in ("incident.open", "incident.declare", "incident.reopen"):
        title = args.get("title") or (incident or {}).get("title") or local
        responders = (
            [{"type": "team", "id": str(svc["opsgenie_id"])}] if svc.get("opsgenie_id") else []
        )
        sev = _severity(args.get("severity") or (incident or {}).get("severity"))
        details = {"incident": local, "intent": str(intent.get("id", ""))}
        if service:
            details["service"] = service
        if args.get("dedup_key"):
            details["dedup_key"] = str(args["dedup_key"])
        if args.get("commander"):
            details["commander"] = str(args["commander"])
        tags = ["incident-console"] + ([f"sev{sev}"] if sev else [])
        return [
            create_alert(
                alias,
                message=f"{local}: {title}",
                description=str(args.get("title") or title),
                priority=_priority(args, incident),
                responders=responders,
                tags=tags,
                details=details,
                entity=service,
                user=actor,
            )
        ]
    if op == "incident.ack":
        return [acknowledge(alias, user=actor)]
    if op == "incident.resolve":
        return [close(alias, user=actor, note=args.get("note") or None)]
    if op == "incident.note":
        return [
            add_note(alias, args.get("text", ""), intent_id=str(intent.get("id", "")), user=actor)
        ]
    if op == "incident.escalate":
        target = _escalation(config, service)
        if target is None:
            return Refusal(f"service '{service}' has no escalation_policy to escalate to")
        return [
            escalate(alias, target, user=actor, note=f"Escalated to level {args.get('level', '?')}")
        ]
    if op == "incident.reassign":
        owner = _user_ref(config, str(args.get("user", "")))
        if owner is None:
            return Refusal(f"user '{args.get('user')}' has no opsgenie_id or email in [users]")
        return [assign(alias, owner, user=actor)]
    if op == "incident.page":
        target, kind = str(args.get("target", "")), args.get("target_type")
        if kind == "policy":
            entry = (config.get("policies") or {}).get(target) or {}
            responder: dict[str, str] | None = {
                "type": "escalation",
                "name": str(entry.get("name") or target),
            }
        else:
            ref = _user_ref(config, target)
            responder = {"type": "user", **ref} if ref else None
        if responder is None:
            return Refusal(f"user '{target}' has no opsgenie_id or email in [users]")
        return [add_responder(alias, responder, user=actor, note=args.get("message") or None)]
    if op == "incident.priority":
        return [update_priority(alias, str(args.get("priority")))]
    if op == "incident.snooze":
        start = parse_instant(str(intent.get("created_at")))
        end = iso(start.add(seconds=int(args.get("seconds", 0))))
        return [snooze(alias, str(end), user=actor)]
    return Skip(f"{op} does not concern Opsgenie")
