"""What has not yet reached a provider, per incident, from the outbox (pure).

The store keeps intents and, per (intent, provider), a delivery record once the sync
engine has looked at it (console/sync). An intent with no record has not been tried yet:
it is "queued" for whoever acts on it. The timeline pane and the postmortem show these
lines, so a commander sees that the status page has not heard yet.

Which providers act on an intent is the adapters' decision (`Provider.concerns`), which
pure code cannot ask; a caller that runs a sync engine passes `concerned` to name them.
Without it, an untried intent is "queued" when its op is one some provider delivers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from console.domain.postmortem import PendingDelivery

SETTLED = frozenset({"sent", "superseded"})
# the ops at least one adapter delivers (console/providers: pagerduty REST_OPS, opsgenie,
# statuspage and chat OPS); task.add, role.set and incident.severity stay local
DELIVERED_OPS = frozenset(
    {
        "incident.open",
        "incident.declare",
        "incident.ack",
        "incident.resolve",
        "incident.reopen",
        "incident.escalate",
        "incident.reassign",
        "incident.page",
        "incident.note",
        "incident.priority",
        "incident.snooze",
        "incident.merge",
        "status.update",
        "component.set",
        "chat.post",
        "maintenance.create",
    }
)
# ops only one provider acts on: a queued line names it
ONLY = {"chat.post": "chat", "component.set": "statuspage"}

Concerned = Callable[[Mapping[str, Any]], Iterable[str]]


def pending_for(
    inc_id: str | None,
    intents: Iterable[Mapping[str, Any]],
    deliveries: Mapping[tuple[str, str], Mapping[str, Any]],
    *,
    concerned: Concerned | None = None,
    include_failed: bool = True,
) -> list[PendingDelivery]:
    """The incident's changes not settled with a provider, in outbox order.

    `inc_id` None: store-wide intents (components, maintenance windows). `concerned`
    (optional) names the providers that act on an intent.
    """
    by_intent: dict[str, dict[str, Mapping[str, Any]]] = {}
    for (intent_id, provider), rec in deliveries.items():
        by_intent.setdefault(intent_id, {})[provider] = rec
    out: list[PendingDelivery] = []
    for intent in intents:
        if intent.get("incident") != inc_id:
            continue
        op = str(intent.get("op", ""))
        records = by_intent.get(str(intent.get("id")), {})
        if concerned is not None:
            who = sorted(set(concerned(intent)) | set(records))
        elif records:
            who = sorted(records)
        else:
            who = [ONLY.get(op, "providers")] if op in DELIVERED_OPS else []
        for provider in who:
            rec = records.get(provider)
            if rec is None:
                out.append(PendingDelivery(provider, op, "queued", "not sent yet"))
                continue
            state = str(rec.get("state", ""))
            if state in SETTLED or (state == "failed" and not include_failed):
                continue
            out.append(PendingDelivery(provider, op, state, str(rec.get("detail") or "")))
    return out


def pending_line(p: PendingDelivery) -> str:
    """`statuspage: status.update retrying (connection refused)`, for a timeline row."""
    detail = f" ({p.detail})" if p.detail else ""
    return f"{p.provider}: {p.op} {p.state}{detail}"


# every provider name a delivery record can carry (console/sync)
KNOWN_PROVIDERS = ("pagerduty", "pagerduty_events", "statuspage", "opsgenie", "chat")


def pending_by_incident(
    intent_ids: Iterable[str],
    intents: Mapping[str, Mapping[str, Any]],
    deliveries: Mapping[tuple[str, str], Mapping[str, Any]],
    providers: Iterable[str] = KNOWN_PROVIDERS,
) -> dict[str, tuple[str, ...]]:
    """`pending_line`s per incident for the given unsettled intents, oldest first.

    Costs a few lookups per listed intent, never a pass over every delivery: the screen
    calls it on each snapshot with the intents it knows are not settled yet.
    """
    names = tuple(providers)
    listed = [intents[i] for i in intent_ids if i in intents]
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for intent in sorted(listed, key=lambda i: str(i.get("created_at", ""))):
        if intent.get("incident"):
            grouped.setdefault(str(intent["incident"]), []).append(intent)
    out: dict[str, tuple[str, ...]] = {}
    for inc, items in grouped.items():
        mine = {
            (str(i["id"]), p): deliveries[(str(i["id"]), p)]
            for i in items
            for p in names
            if (str(i["id"]), p) in deliveries
        }
        lines = tuple(pending_line(p) for p in pending_for(inc, items, mine))
        if lines:
            out[inc] = lines
    return out
