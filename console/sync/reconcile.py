"""Providers' news and delivery outcomes as timeline events (pure: State in, Events out).

Remote wins on facts others changed, and the timeline keeps both sides: a queued ack that
met an incident resolved elsewhere leaves the local "acknowledged", a "sync_conflict"
saying it was not sent and why, and the provider's "resolved" with its real author.

News is applied only when it changes something (an ack of an incident already
acknowledged here is our own ack coming back), and each event's id is derived from the
provider's own id for the news, so polling the same window twice records it once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from pendulum import DateTime

from console.domain.model import Event, Incident, State
from console.providers.protocol import Delivery, RemoteNews

STATUS_KINDS = frozenset(
    {"opened", "acknowledged", "resolved", "reopened", "unacknowledged", "merged_into"}
)
NAMESPACE = uuid.UUID("5f0c3c1e-0a57-4b8e-9d9e-6c1a0c0e51a7")
SYNC_AUTHOR = "sync"
PROVIDER_LABELS = {
    "pagerduty": "PagerDuty",
    "pagerduty_events": "PagerDuty",
    "statuspage": "Statuspage",
    "opsgenie": "Opsgenie",
    "chat": "chat",
}


def stable_id(*parts: str) -> str:
    """An event id that is the same every time the same news is seen."""
    return uuid.uuid5(NAMESPACE, "\x1f".join(parts)).hex


def label(provider: str) -> str:
    return PROVIDER_LABELS.get(provider, provider)


def linked_index(state: State, provider: str) -> dict[str, str]:
    """The provider's incident id -> local incident id."""
    out = {}
    for inc in state.incidents.values():
        rid = inc.provider_ids.get(provider)
        if rid:
            out[rid] = inc.id
    return out


def link_event(incident: str, provider: str, remote_id: str, at: DateTime) -> Event:
    return Event(
        id=stable_id("link", incident, provider, remote_id),
        at=at,
        kind="provider_linked",
        author=SYNC_AUTHOR,
        origin="sync",
        text=f"Linked to {label(provider)} {remote_id}",
        incident=incident,
        data={"provider": provider, "id": remote_id},
    )


def delivery_events(
    intent: Mapping[str, Any], provider: str, delivery: Delivery, state: State, at: DateTime
) -> list[Event]:
    """Events a settled delivery adds: links learnt, and both sides of a conflict."""
    inc_id = intent.get("incident")
    inc = state.get(inc_id) if inc_id else None
    events: list[Event] = []
    if inc is not None:
        if delivery.linked and inc.provider_ids.get(provider) != delivery.linked:
            events.append(link_event(inc.id, provider, delivery.linked, at))
        for other, rid in delivery.extra_links.items():
            if inc.provider_ids.get(other) != rid:
                events.append(link_event(inc.id, other, rid, at))
    if delivery.state == "superseded":
        events.extend(_conflict_events(intent, provider, delivery, inc, at))
    return events


def _conflict_events(
    intent, provider, delivery: Delivery, inc: Incident | None, at: DateTime
) -> list[Event]:
    facts = delivery.remote_facts
    events = [
        Event(
            id=stable_id("conflict", intent["id"], provider),
            at=at,
            kind="sync_conflict",
            author=SYNC_AUTHOR,
            origin="sync",
            text=f"{label(provider)}: {intent['op']} {delivery.detail}".strip(),
            incident=inc.id if inc else None,
            data={"provider": provider, "intent": intent["id"], "remote": dict(facts)},
        )
    ]
    remote_status = facts.get("status")
    if (
        inc is not None
        and remote_status in ("resolved", "acknowledged", "triggered")
        and remote_status != inc.status
    ):
        kind = {"resolved": "resolved", "acknowledged": "acknowledged", "triggered": "reopened"}[
            remote_status
        ]
        when = _instant(facts.get("at"), at)
        by = str(facts.get("by") or label(provider))
        events.append(
            Event(
                id=stable_id("remote-state", intent["id"], provider),
                at=when,
                kind=kind,
                author=by,
                origin="provider",
                text=f"{kind.capitalize()} in {label(provider)} by {by}",
                incident=inc.id,
                data={"provider": provider},
            )
        )
    return events


def failure_event(
    intent: Mapping[str, Any], provider: str, reason: str, state: State, at: DateTime
) -> Event:
    """A final refusal, shown on the incident's timeline (or the store's, for store-wide intents)."""
    inc_id = intent.get("incident")
    inc = state.get(inc_id) if inc_id else None
    return Event(
        id=stable_id("failed", intent["id"], provider),
        at=at,
        kind="sync_failed",
        author=SYNC_AUTHOR,
        origin="sync",
        text=f"{label(provider)}: {intent['op']} not sent: {reason}",
        incident=inc.id if inc else None,
        data={"provider": provider, "intent": intent["id"]},
    )


def _instant(text: Any, default: DateTime) -> DateTime:
    from console.domain.clock import parse_instant

    try:
        return parse_instant(str(text)) if text else default
    except ValueError:
        return default


def pending_keys(intents: Iterable[Mapping[str, Any]], state: State) -> dict[str, str]:
    """Incident keys of creates still on their way (dedup key or intent id) -> local incident."""
    out = {}
    for it in intents:
        if it.get("op") in ("incident.open", "incident.declare") and it.get("incident"):
            out[str(it["args"].get("dedup_key") or it["id"])] = it["incident"]
    return out


def news_events(
    news: Iterable[RemoteNews],
    state: State,
    pending: Mapping[str, str],
    components: Iterable[str] = (),
) -> list[Event]:
    """Events for `news` that change something, in order. New remote incidents open local
    ones (numbered from `state`), linked to the provider."""
    events: list[Event] = []
    index: dict[str, dict[str, str]] = {}
    status: dict[str, str] = {i.id: i.status for i in state.incidents.values()}
    # news older than the incident's last change of status here is history, not news
    changed_at = {
        i.id: max(
            (e.at for e in state.timeline(i.id) if e.kind in STATUS_KINDS), default=i.created_at
        )
        for i in state.incidents.values()
    }
    next_number = state.last_number
    echoed: set[str] = set()  # local escalations already matched to one of PagerDuty's
    for item in news:
        by_remote = index.setdefault(item.provider, linked_index(state, item.provider))
        eid = stable_id("news", item.provider, item.key)
        if eid in state.event_ids:
            continue
        local = by_remote.get(item.remote_incident or "")
        if item.kind == "component_status":
            comp = item.data.get("component")
            if comp and comp in set(components) | set(state.components):
                current = state.components.get(comp)
                if current is None or current.status != item.data.get("status"):
                    events.append(
                        _news_event(
                            eid,
                            item,
                            None,
                            "component_status",
                            item.text,
                            component=comp,
                            status=item.data.get("status"),
                        )
                    )
            continue
        if local is None:
            if item.kind != "triggered" or not item.remote_incident:
                continue  # news of an incident this console does not follow
            key = item.data.get("incident_key")
            if key and key in pending:
                local = pending[key]
                events.append(link_event(local, item.provider, item.remote_incident, item.at))
                by_remote[item.remote_incident] = local
                continue
            next_number += 1
            local = f"INC-{next_number}"
            by_remote[item.remote_incident] = local
            status[local] = "triggered"
            data = {
                "title": item.data.get("title") or item.text,
                "severity": None,
                "priority": item.data.get("priority"),
                "urgency": item.data.get("urgency", "high"),
                "service": item.data.get("service"),
                "components": [],
            }
            events.append(_news_event(eid, item, local, "opened", item.text, **data))
            events.append(link_event(local, item.provider, item.remote_incident, item.at))
            continue
        current = status.get(local)
        stale = local in changed_at and item.at < changed_at[local]
        if item.kind in ("triggered", "acknowledged", "resolved") and stale:
            continue
        if item.kind == "triggered":
            if current == "resolved":
                events.append(
                    _news_event(
                        eid,
                        item,
                        local,
                        "reopened",
                        f"Reopened in {label(item.provider)} by {item.author}",
                    )
                )
                status[local] = "triggered"
        elif item.kind == "acknowledged":
            if current == "triggered":
                events.append(
                    _news_event(
                        eid,
                        item,
                        local,
                        "acknowledged",
                        f"Acknowledged in {label(item.provider)} by {item.author}",
                    )
                )
                status[local] = "acknowledged"
        elif item.kind == "resolved":
            if current != "resolved":
                events.append(
                    _news_event(
                        eid,
                        item,
                        local,
                        "resolved",
                        f"Resolved in {label(item.provider)} by {item.author}",
                    )
                )
                status[local] = "resolved"
        elif item.kind == "note":
            events.append(_news_event(eid, item, local, "note", item.text, text=item.text))
        elif item.data.get("channel") != "api":
            if item.kind == "escalated" and _echoes_local_escalation(state, local, item, echoed):
                continue
            # escalations and reassignments made elsewhere: on the timeline, changing nothing
            events.append(_news_event(eid, item, local, "remote_activity", item.text))
    return events


# PagerDuty's own escalation (by timeout) this close to one the console's escalation
# timers recorded for the same incident is that one, seen from PagerDuty's side.
ESCALATION_ECHO_SECONDS = 180


def _echoes_local_escalation(state: State, local: str, item: RemoteNews, echoed: set[str]) -> bool:
    """True when `item` (PagerDuty's escalation of `local`) is the escalation the
    console's timers already put on the timeline: a commander expects one escalation,
    and the local one says more (the level, the pass, who was paged). Each local
    escalation answers for one remote one (`echoed` holds those matched in this pass).
    Escalations made here by hand reach PagerDuty through its API and come back on the
    API channel, which the caller already leaves out."""
    near = [
        (abs((ev.at - item.at).total_seconds()), ev.id)
        for ev in state.timeline(local)
        if ev.kind == "escalated"
        and ev.origin != "provider"
        and not ev.data.get("manual")
        and ev.id not in echoed
    ]
    near = [n for n in near if n[0] <= ESCALATION_ECHO_SECONDS]
    if not near:
        return False
    echoed.add(min(near)[1])  # the closest: short delays put two levels in one window
    return True


def _news_event(
    eid: str, item: RemoteNews, incident: str | None, kind: str, text: str, /, **data: Any
) -> Event:
    return Event(
        id=eid,
        at=item.at,
        kind=kind,
        author=item.author,
        origin="provider",
        text=text,
        incident=incident,
        data={"provider": item.provider, **data},
    )
