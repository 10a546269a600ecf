"""On call and escalation, computed locally with PagerDuty's semantics (issue 4).

- `load_team(settings)`: the parsed schedules, policies, users and services.
- `Schedule.on_call/handoffs/gaps/shifts`: who is on call at t, the next handoffs, gaps.
- `notification_plan`, `plan_entries`: who a policy pages when, if nobody acknowledges.
- `oncall_now_next(settings, at)`: the On-call pane's rows.
- `next_pages(settings, incident, at, timeline)`, `incident_outlook(...)`: for one incident.
- `timed_events(state, settings, now, origin)`: escalations, acknowledgement timeouts and
  auto-resolves that are due, as timeline events with deterministic ids;
  `timed_events_of_new(settings, new_events, now)`: the same for just-opened incidents.
- `manual_escalation(...)`: the data of a hand-made "escalated" event.
- `lint(settings, at)`: errors and warnings about gaps and mistakes in the config.
"""

from console.domain.oncall.escalation import (
    EscalationError,
    Outlook,
    Page,
    PlanEntry,
    incident_outlook,
    manual_escalation,
    next_pages,
    notification_plan,
    plan_entries,
    timed_events,
    timed_events_of_new,
)
from console.domain.oncall.lint import Finding, lint
from console.domain.oncall.now_next import OnCallRow, oncall_now_next
from console.domain.oncall.policy import Policy, Rule, Target
from console.domain.oncall.schedule import Handoff, Layer, Override, Restriction, Schedule, Shift
from console.domain.oncall.team import OnCallConfigError, Team, load_team, parse_team

__all__ = [
    "EscalationError",
    "Finding",
    "Handoff",
    "Layer",
    "OnCallConfigError",
    "OnCallRow",
    "Outlook",
    "Override",
    "Page",
    "PlanEntry",
    "Policy",
    "Restriction",
    "Rule",
    "Schedule",
    "Shift",
    "Target",
    "Team",
    "incident_outlook",
    "lint",
    "load_team",
    "manual_escalation",
    "next_pages",
    "notification_plan",
    "oncall_now_next",
    "parse_team",
    "plan_entries",
    "timed_events",
    "timed_events_of_new",
]
