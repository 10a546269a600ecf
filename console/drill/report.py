"""The after-action report: score, times, escalations, alerts, sync and the timeline.

One document, two renderings: `data` (JSON-ready) and `markdown`. Text from alerts,
customers and responders is made inert (no control or escape characters, bounded) and
table-safe before it reaches the Markdown.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pendulum import DateTime

from console.domain.clock import iso
from console.domain.model import Event
from console.domain.text import inert
from console.drill.score import evaluate, milestones, span

if TYPE_CHECKING:
    from console.drill.session import DrillSession

ALERT_KINDS = {
    "alert_triggered": "booked on an incident",
    "alert_updated": "deduplicated (repeat of an open alert)",
    "alert_suppressed": "suppressed (maintenance window or rule)",
    "alert_dropped": "dropped",
    "alert_unrouted": "unrouted",
    "alert_acknowledged": "acknowledged by the monitor",
    "alert_resolved": "resolved by the monitor",
}
# the Markdown timeline stops here; the JSON keeps every entry
MARKDOWN_TIMELINE_ROWS = 150


@dataclass
class Report:
    """`markdown` and `data`; unpacks as `(markdown, data)`."""

    markdown: str
    data: dict[str, Any]

    def __iter__(self):
        return iter((self.markdown, self.data))

    @property
    def all_met(self) -> bool:
        return all(o["met"] for o in self.data["objectives"])


def offset(at: DateTime, start: DateTime) -> str:
    s = int((at - start).total_seconds())
    sign = "-" if s < 0 else "+"
    s = abs(s)
    if s >= 3600:
        return f"{sign}{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return f"{sign}{s // 60:02d}:{s % 60:02d}"


def cell(text: Any, limit: int = 200) -> str:
    """Plain, one-line, bounded text that cannot break a Markdown table."""
    return inert(text, limit).replace("\\", "\\\\").replace("|", "\\|").replace("`", "'")


def build_report(session: DrillSession) -> Report:
    sc = session.scenario
    state = session.store.state
    start = sc.start
    now = session.finished_at or session.clock.now()
    results = [evaluate(o, state, start) for o in sc.objectives]
    incidents = sorted(state.incidents.values(), key=lambda i: i.number)
    stones = {i.id: milestones(state, i.id) for i in incidents}
    timeline = sorted(state.log, key=lambda e: e.at)
    alerts = Counter(e.kind for e in timeline if e.kind in ALERT_KINDS)
    reports = [e for e in timeline if e.kind == "customer_report"]
    chat = [e for e in timeline if e.kind == "chat_posted"]
    escalations = [
        (inc_id, e) for inc_id, m in stones.items() if m is not None for e in m.escalations
    ]
    sync = session.remote.summary()
    data: dict[str, Any] = {
        "scenario": {
            "name": sc.name,
            "title": sc.title,
            "summary": sc.summary,
            "start": iso(start),
            "duration_seconds": sc.duration,
        },
        "finished": session.finished,
        "ended_at": iso(now),
        "elapsed_seconds": (now - start).total_seconds(),
        "score": {
            "met": sum(1 for r in results if r.met),
            "total": len(results),
        },
        "objectives": [r.to_json() for r in results],
        "incidents": {
            inc.id: {
                "status": inc.status,
                "severity": inc.severity_label if inc.severity else None,
                "service": inc.service,
                **stones[inc.id].to_json(),  # type: ignore[union-attr]
            }
            for inc in incidents
        },
        "escalations": [
            {
                "at": iso(e.at),
                "incident": inc_id,
                "level": e.data.get("level"),
                "loop": e.data.get("loop"),
                "notified": list(e.data.get("notified", [])),
                "text": inert(e.text),
            }
            for inc_id, e in escalations
        ],
        "alerts": {kind: alerts.get(kind, 0) for kind in ALERT_KINDS},
        "customer_reports": [
            {"at": iso(e.at), "from": inert(e.author, 200), "text": inert(e.text)} for e in reports
        ],
        "chat": [
            {"at": iso(e.at), "incident": e.incident, "text": inert(e.data.get("text", e.text))}
            for e in chat
        ],
        "sync": sync,
        "script": [
            {"at": iso(f.at), "command": f.line, "refused": f.why, "where": f.where}
            for f in session.failures
        ],
        "timeline": [_entry(e, start) for e in timeline],
    }
    return Report(_markdown(data, results, timeline, start), data)


def _target(seconds: int) -> str:
    """A target as the scenario wrote it: 20m, 1h, 90s."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def _entry(e: Event, start: DateTime) -> dict[str, Any]:
    return {
        "at": iso(e.at),
        "offset": offset(e.at, start),
        "incident": e.incident,
        "kind": e.kind,
        "author": inert(e.author, 200),
        "origin": e.origin,
        "text": inert(e.text),
    }


def _markdown(data: dict[str, Any], results: list, timeline: list[Event], start: DateTime) -> str:
    sc = data["scenario"]
    score = data["score"]
    out: list[str] = []
    add = out.append
    add(f"# After-action report: {cell(sc['title'])}")
    add("")
    state = "finished" if data["finished"] else "in progress"
    add(
        f"Scenario `{cell(sc['name'])}`, started {sc['start']}, {state} after "
        f"{span(data['elapsed_seconds'])} of simulated time."
    )
    add("")
    add(f"## Score: {score['met']} of {score['total']} objectives met")
    add("")
    if results:
        add("| Objective | Target | Actual | Result |")
        add("|---|---|---|---|")
        for r in results:
            within = r.objective.within
            target = _target(within) if within is not None else "by the end"
            mark = "met" if r.met else "MISSED"
            add(
                f"| {cell(r.objective.label)} | {target} | {span(r.actual)} | "
                f"{mark}: {cell(r.detail)} |"
            )
    else:
        add("This scenario sets no objectives.")
    add("")
    add("## Incidents")
    add("")
    if data["incidents"]:
        add("| Incident | Title | Status | Acknowledged | Declared | First update | Resolved |")
        add("|---|---|---|---|---|---|---|")
        for inc_id, m in data["incidents"].items():
            ack = span(m["time_to_acknowledge"])
            if m["acknowledged_by"]:
                ack += f" ({cell(m['acknowledged_by'], 40)})"
            sev = f" {m['severity']}" if m["severity"] else ""
            add(
                f"| {inc_id} | {cell(m['title'], 60)} | {m['status']}{sev} | {ack} | "
                f"{span(m['time_to_declare'])} | {span(m['time_to_first_update'])} | "
                f"{span(m['time_to_resolve'])} |"
            )
        add("")
        add("Times are counted from the incident's opening; the first update from declaring.")
    else:
        add("No incident was opened.")
    add("")
    add("## Escalations that fired")
    add("")
    if data["escalations"]:
        for e in data["escalations"]:
            add(f"- {e['at']} {e['incident']}: {cell(e['text'])}")
    else:
        add("None: every page was answered at its first level.")
    add("")
    alerts = data["alerts"]
    if any(alerts.values()):
        add("## Alerts")
        add("")
        for kind, label in ALERT_KINDS.items():
            if alerts[kind]:
                add(f"- {alerts[kind]} {label}")
        add("")
    if data["customer_reports"]:
        add("## Customer reports")
        add("")
        for r in data["customer_reports"]:
            add(f"- {r['at']} {cell(r['text'])}")
        add("")
    if data["chat"]:
        add("## Messages to stakeholders (chat)")
        add("")
        for c in data["chat"]:
            add(f"- {c['at']} {c['incident'] or ''}: {cell(c['text'])}")
        add("")
    add("## Providers")
    add("")
    sync = data["sync"]
    for f in sync["faults"]:
        add(f"- Fault at {f['at']}: {cell(f['text'])}")
    if sync["engine"]:
        for provider, counts in sorted(sync["deliveries"].items()):
            parts = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
            add(f"- {provider}: {parts}")
        if not sync["deliveries"]:
            add(f"- {sync['intents']} outbox intents; none concerned a provider")
        if sync["at_end"]:
            add(f"- At the end: {cell('; '.join(sync['at_end']), 400)}")
    else:
        add(
            f"- No sync engine in this build: {sync['intents']} outbox intents stayed queued "
            "(a drill never reaches a real provider either way)"
        )
    add("")
    if data["script"]:
        add("## Script lines refused")
        add("")
        for s in data["script"]:
            add(f"- {s['at']} `{cell(s['command'])}`: {cell(s['refused'])} ({cell(s['where'])})")
        add("")
    add("## Timeline")
    add("")
    add("| Time | +T | Incident | Who (origin) | What |")
    add("|---|---|---|---|---|")
    repeats = 0
    rows = 0
    for e in timeline:
        if e.kind == "alert_updated":
            repeats += 1
            continue
        rows += 1
        if rows > MARKDOWN_TIMELINE_ROWS:
            continue
        add(
            f"| {iso(e.at)[11:19]} | {offset(e.at, start)} | {e.incident or ''} | "
            f"{cell(e.author, 40)} ({e.origin}) | {cell(e.text)} |"
        )
    if rows > MARKDOWN_TIMELINE_ROWS:
        add("")
        add(f"{rows - MARKDOWN_TIMELINE_ROWS} more entries are in the JSON report.")
    if repeats:
        add("")
        add(f"{repeats} repeated alerts (deduplicated) are left out of this table.")
    add("")
    return "\n".join(out)
