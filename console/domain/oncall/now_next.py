"""The On-call pane's rows: per schedule and per policy, who is on call now and who is next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pendulum import DateTime

from console.domain.oncall.team import Team, load_team
from console.domain.oncall.times import DAY, seconds, to_datetime
from console.domain.settings import Settings

# how far ahead to look for the next handoff before saying "no change"
HORIZON_DAYS = 60
_MAX_STEPS = 20_000


@dataclass(frozen=True)
class OnCallRow:
    """One row: `kind` 'schedule' or 'policy', its config key and name, who now and next.

    For a policy, `now`/`next` are the people its first rule pages (who gets the page if an
    incident starts). `handoff_at` is when `now` gives way to `next` (None: no change within
    the horizon). Handles are config keys; `Team.label` gives display names.
    """

    kind: str
    key: str
    name: str
    now: tuple[str, ...]
    next: tuple[str, ...]
    handoff_at: DateTime | None

    def to_json(self, team: Team) -> dict:
        return {
            "kind": self.kind,
            "key": self.key,
            "name": self.name,
            "now": [{"handle": h, "name": team.label(h)} for h in self.now],
            "next": [{"handle": h, "name": team.label(h)} for h in self.next],
            "handoff_at": self.handoff_at.in_tz("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
            if self.handoff_at
            else None,
        }


def _policy_row(team: Team, key: str, at: float) -> OnCallRow:
    policy = team.policies[key]
    if not policy.rules:
        return OnCallRow("policy", key, policy.name, (), (), None)
    rule = policy.rules[0]
    now = team.notified(rule, at)
    # the first rule's answer can change only where one of its schedules' answers changes
    scheds = [
        team.schedules[t.id]
        for t in rule.targets
        if t.kind == "schedule" and t.id in team.schedules
    ]
    t, limit = at, at + HORIZON_DAYS * DAY
    for _ in range(_MAX_STEPS):
        bounds = [b for s in scheds if (b := s.next_boundary(t)) is not None]
        if not bounds or min(bounds) > limit:
            break
        t = min(bounds)
        after = team.notified(rule, t)
        if after != now:
            return OnCallRow("policy", key, policy.name, now, after, to_datetime(t))
    return OnCallRow("policy", key, policy.name, now, now, None)


def _schedule_row(team: Team, key: str, at: datetime) -> OnCallRow:
    sched = team.schedules[key]
    now = sched.on_call(at)
    hand = sched.handoffs(at, 1, HORIZON_DAYS)
    now_t = (now,) if now else ()
    if not hand:
        return OnCallRow("schedule", key, sched.name, now_t, now_t, None)
    nxt = (hand[0].after,) if hand[0].after else ()
    return OnCallRow("schedule", key, sched.name, now_t, nxt, hand[0].at)


def oncall_now_next(settings: Settings, at: datetime) -> list[OnCallRow]:
    """Schedules first (in config order), then policies: who is on call now, who next, when."""
    team = load_team(settings)
    rows = [_schedule_row(team, key, at) for key in team.schedules]
    t = seconds(at)
    rows += [_policy_row(team, key, t) for key in team.policies]
    return rows
