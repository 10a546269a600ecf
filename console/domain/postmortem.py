"""The postmortem draft, in Markdown, read from an incident's timeline (pure).

    render_postmortem(state, "INC-7", now, people={"ada": "Ada Lovelace"}, pending=[...])

It holds a summary, the impact (duration, components, severity, what customers saw),
time to acknowledge and to resolve, the roles, the timeline in UTC with authors (every
event of the incident, plus the status-component changes made for it), the action items
with their owners, and what had not yet reached a provider when it was written. Text
from alerts and people is made inert and escaped for Markdown (console/domain/markdown.py).

The draft is a start for people to edit: the sections only they can write (root cause,
what went well) are left as headings with a prompt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pendulum import DateTime

from console.domain.clock import iso
from console.domain.markdown import md_code, md_text
from console.domain.model import Event, Incident, State

EVENT_TEXT_LIMIT = 1000  # bounded, but long enough that a note is kept whole


class PostmortemError(ValueError):
    """The draft cannot be written (no such incident); the message says which."""


@dataclass(frozen=True)
class PendingDelivery:
    """One change not yet settled with one provider when the draft is written."""

    provider: str
    op: str
    state: str  # "queued" (not tried yet) | "retrying" | "held" | "failed"
    detail: str = ""


def duration_words(seconds: float | None) -> str:
    """`1h 12m`, `4m 10s`, `35s`, `2d 3h`; '—' for None."""
    if seconds is None:
        return "—"
    total = max(int(round(seconds)), 0)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m {secs}s" if secs else f"{minutes}m"
    return f"{secs}s"


def _between(start: DateTime | None, end: DateTime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds()


def _utc(when: DateTime | None) -> str:
    """UTC, to the second, as people read it in a document: `2026-11-30 09:04:10Z`."""
    return (iso(when) or "—").replace("T", " ")


def incident_events(state: State, inc_id: str) -> list[Event]:
    """The incident's timeline plus the store-wide component changes made for it, by time.

    Events of one command share an instant; the sort is stable over the fold order, so
    they keep the order they were written in.
    """
    mine = state.incident_log(
        inc_id,
        also=lambda e: e.kind == "component_status" and e.data.get("for_incident") == inc_id,
    )
    return sorted(mine, key=lambda e: e.at)


def _first(events: Sequence[Event], kind: str) -> Event | None:
    return next((e for e in events if e.kind == kind), None)


def _person(handle: str | None, people: Mapping[str, str]) -> str:
    if not handle:
        return "—"
    name = people.get(handle)
    return md_text(f"{name} ({handle})" if name and name != handle else handle, 120)


@dataclass
class _Impact:
    public: dict | None
    components: dict[str, list[tuple[DateTime, str]]]  # name -> [(at, status)] for this incident
    page_updates: list[Event]


def _impact(events: Sequence[Event]) -> _Impact:
    declared = [e for e in events if e.kind == "declared"]
    public = next((e.data.get("public") for e in reversed(declared) if e.data.get("public")), None)
    components: dict[str, list[tuple[DateTime, str]]] = {}
    for e in events:
        if e.kind == "component_status" and e.data.get("component"):
            components.setdefault(e.data["component"], []).append((e.at, e.data.get("status", "")))
    pages = [e for e in events if e.kind in ("status_page_opened", "status_page_update")]
    return _Impact(public, components, pages)


def _component_line(name: str, changes: list[tuple[DateTime, str]], end: DateTime) -> str:
    """`Payment Processing: partial_outage → operational; not operational for 1h 2m`."""
    path = " → ".join(status for _at, status in changes)
    down = 0.0
    since: DateTime | None = None
    for at, status in changes:
        if status != "operational" and since is None:
            since = at
        elif status == "operational" and since is not None:
            down += (at - since).total_seconds()
            since = None
    still = ""
    if since is not None:
        down += (end - since).total_seconds()
        still = " (still not operational when this draft was written)"
    return f"{md_text(name, 120)}: {md_text(path, 300)}; not operational for {duration_words(down)}{still}"


def render_postmortem(
    state: State,
    inc_id: str,
    now: DateTime,
    *,
    people: Mapping[str, str] | None = None,
    pending: Sequence[PendingDelivery] = (),
) -> str:
    """The Markdown draft for `inc_id`, as of `now` (the Clock's time)."""
    inc = state.get(inc_id)
    if inc is None:
        raise PostmortemError(f"{inc_id} does not exist")
    people = people or {}
    events = incident_events(state, inc.id)
    end = inc.resolved_at or now
    impact = _impact(events)
    out: list[str] = []
    add = out.append

    add(f"# Postmortem draft: {inc.id}: {md_text(inc.title, 200)}")
    add("")
    add(
        f"_Written {_utc(now)} by incident-console from the incident's timeline. "
        "A draft: edit it, and fill in the sections only people can write._"
    )
    add("")
    add("## Summary")
    add("")
    add(_summary(inc, events, people, now))
    add("")
    add("## Impact")
    add("")
    add("| | |")
    add("|---|---|")
    add(f"| Severity | {inc.severity_label} |")
    status = inc.status if inc.resolved_at or not inc.is_open else f"{inc.status} (still open)"
    add(f"| Status | {md_text(status, 40)} |")
    add(
        f"| Duration | {duration_words(_between(inc.created_at, end))} "
        f"({_utc(inc.created_at)} to {_utc(inc.resolved_at) if inc.resolved_at else 'now, still open'}) |"
    )
    add(f"| Service | {md_text(inc.service or '—', 120)} |")
    comps = ", ".join(inc.components) if inc.components else "—"
    add(f"| Components | {md_text(comps, 400)} |")
    add(f"| Customers | {_customers(impact)} |")
    add(f"| Time to acknowledge | {_tta(inc)} |")
    add(f"| Time to resolve | {_ttr(inc)} |")
    add("")
    if impact.components:
        add("What customers saw on the status page, component by component:")
        add("")
        for name, changes in impact.components.items():
            add(f"- {_component_line(name, changes, end)}")
        add("")
    add("## Roles")
    add("")
    if inc.roles:
        for role, handle in sorted(inc.roles.items()):
            add(f"- {md_text(role.capitalize(), 40)}: {_person(handle, people)}")
    else:
        add("- No roles were assigned.")
    if inc.assignee:
        add(f"- Assignee (paging provider): {_person(inc.assignee, people)}")
    add("")
    add("## Timeline (UTC)")
    add("")
    add("| Time (UTC) | Author | Via | What happened |")
    add("|---|---|---|---|")
    for e in events:
        add(
            f"| {_utc(e.at)} | {md_text(e.author, 80)} | {md_text(e.origin, 20)} "
            f"| {md_text(e.text, EVENT_TEXT_LIMIT)} |"
        )
    add("")
    add("## Action items")
    add("")
    if inc.action_items:
        for item in inc.action_items:
            box = "x" if item.done else " "
            owner = _person(item.owner, people) if item.owner else "no owner yet"
            add(f"- [{box}] {md_text(item.text, 500)} (owner: {owner})")
    else:
        add(f'- None recorded yet (add one with `task {inc.id} "..." --owner USER`).')
    add("")
    if pending:
        add("## Not yet delivered when this draft was written")
        add("")
        for p in pending:
            detail = f": {md_text(p.detail, 200)}" if p.detail else ""
            add(f"- {md_text(p.provider, 40)}: {md_code(p.op, 40)} {md_text(p.state, 20)}{detail}")
        add("")
    if inc.provider_ids:
        add("## Links")
        add("")
        for provider, rid in sorted(inc.provider_ids.items()):
            add(f"- {md_text(provider, 40)}: {md_code(rid, 80)}")
        add("")
    for heading, prompt in (
        ("Root cause", "What made this happen, and why then?"),
        ("What went well", "What helped us find and fix it?"),
        ("What to improve", "What slowed us down? Each answer becomes an action item."),
    ):
        add(f"## {heading}")
        add("")
        add(f"_{prompt}_")
        add("")
    return "\n".join(out)


def _summary(inc: Incident, events: Sequence[Event], people: Mapping[str, str], now) -> str:
    declared = _first(events, "declared")
    opened = _first(events, "opened")
    parts = []
    where = f" on {md_text(inc.service, 120)}" if inc.service else ""
    origin = f" (from {md_text(opened.origin, 20)})" if opened and opened.origin != "local" else ""
    parts.append(f"{inc.id} opened {_utc(inc.created_at)}{origin}{where}.")
    if declared is not None:
        parts.append(
            f"Declared SEV{declared.data.get('severity')} at {_utc(declared.at)} "
            f"by {md_text(declared.author, 80)}; commander "
            f"{_person(inc.roles.get('commander'), people)}."
        )
    if inc.acknowledged_at:
        parts.append(f"Acknowledged {_utc(inc.acknowledged_at)}.")
    if inc.resolved_at and not inc.is_open:
        resolver = next((e for e in reversed(events) if e.kind == "resolved"), None)
        by = f" by {md_text(resolver.author, 80)}" if resolver else ""
        parts.append(
            f"Resolved {_utc(inc.resolved_at)}{by}, "
            f"{duration_words(_between(inc.created_at, inc.resolved_at))} after it opened."
        )
    else:
        parts.append(
            f"Still {inc.status} when this draft was written, "
            f"{duration_words(_between(inc.created_at, now))} after it opened."
        )
    return " ".join(parts)


def _customers(impact: _Impact) -> str:
    if impact.public is None and not impact.page_updates:
        return "No public impact declared (no status-page incident)."
    words = []
    if impact.public is not None:
        words.append(f"public impact {md_text(impact.public.get('impact', '?'), 20)}")
    if impact.page_updates:
        statuses = " → ".join(str(e.data.get("status", "?")) for e in impact.page_updates)
        n = len(impact.page_updates)
        words.append(f"{n} status-page post{'s' if n != 1 else ''} ({md_text(statuses, 200)})")
    text = "; ".join(words)
    return text[:1].upper() + text[1:] + ". How many customers, and which: to fill in."


def _tta(inc: Incident) -> str:
    if inc.acknowledged_at is None:
        return "not acknowledged"
    return duration_words(_between(inc.created_at, inc.acknowledged_at))


def _ttr(inc: Incident) -> str:
    if inc.resolved_at is None or inc.is_open:
        return "not resolved yet"
    return duration_words(_between(inc.created_at, inc.resolved_at))
