"""Who gets paged when: notification plans and the escalation timers of open incidents.

Semantics (PagerDuty's):

- An incident triggered at T pages its service's policy's first rule at T; if nobody
  acknowledges within that rule's `escalation_delay_in_minutes` it moves to the next rule,
  and after the last rule it starts again at the first, `num_loops` more times, then stops.
- Acknowledging stops escalation. The service's `acknowledgement_timeout` returns an
  acknowledged, unresolved incident to triggered that many seconds after its latest
  acknowledgement, and escalation starts again at the first rule.
- The service's `auto_resolve_timeout` resolves an incident left open that long (counted
  from when it was opened or last reopened).
- A manual escalation (an "escalated" event with `data.manual = True`) moves the incident to
  that level, within the pass it was in, and the timers run on from there. A reassignment
  ("reassigned") pages the new assignee and restarts the current level's delay.

`timed_events` turns those rules into timeline events that are due, with ids that depend
only on the timeline (never on the caller), so two processes firing the same escalation
add one event: `State.apply` ignores an id it has seen.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pendulum import UTC as _PENDULUM_UTC
from pendulum import DateTime

from console.domain.clock import timestamp
from console.domain.model import Event, Incident, State
from console.domain.oncall.policy import Policy
from console.domain.oncall.team import Team, load_team
from console.domain.oncall.times import seconds, to_datetime
from console.domain.settings import Settings

AUTHOR = "escalation"
_OPEN_KINDS = ("opened", "reopened", "unacknowledged")
_CLOSE_KINDS = ("resolved", "merged_into")
_TIMER_KINDS = frozenset({*_OPEN_KINDS, *_CLOSE_KINDS, "acknowledged", "escalated", "reassigned"})


class EscalationError(ValueError):
    """A manual escalation that cannot be made; the message says why in one sentence."""


@dataclass(frozen=True)
class Page:
    """One step of a plan: at `at`, level `level` of pass `loop` pages `users` (handles)."""

    at: DateTime
    level: int
    loop: int
    users: tuple[str, ...]


@dataclass(frozen=True)
class PlanEntry:
    """One person notified: the plan's rows, one per person per step."""

    at: DateTime
    level: int
    loop: int
    user: str


@dataclass(frozen=True)
class Outlook:
    """What happens to an incident if nobody acts: pages to come and its timers."""

    pages: tuple[Page, ...] = ()
    unacknowledge_at: DateTime | None = None
    auto_resolve_at: DateTime | None = None


# -- plans ---------------------------------------------------------------------------


def _steps(policy: Policy, start: float, level: int, loop: int) -> list[tuple[float, int, int]]:
    """(instant, level, loop) of every step from (level, loop) at `start` to the end."""
    if not policy.rules:
        return []
    level = max(1, min(level, len(policy.rules)))
    out = [(start, level, loop)]
    t, pos = start, (level, loop)
    while (nxt := policy.step_after(*pos)) is not None:
        t += policy.rules[pos[0] - 1].delay_seconds
        pos = nxt
        out.append((t, pos[0], pos[1]))
    return out


class _Plan:
    """The steps of a policy from an anchor on (as `_steps`), worked out only when asked.

    Intake needs the first step and the next deadline of each new incident, not the whole
    policy's passes: a plan is its length (counted, not walked) and the steps asked so far.
    """

    __slots__ = ("_count", "_known", "_rules", "_policy")

    def __init__(self, policy: Policy | None, start: float, level: int, loop: int) -> None:
        rules = policy.rules if policy is not None else ()
        self._policy = policy
        self._rules = rules
        if not rules:
            self._count, self._known = 0, []
            return
        n = len(rules)
        level = max(1, min(level, n))
        self._known = [(start, level, loop)]
        # the rest of this pass, then every later pass whole (see Policy.step_after)
        assert policy is not None
        self._count = (n - level + 1) + max(0, policy.passes - loop) * n

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, i: int) -> tuple[float, int, int]:
        known = self._known
        if i >= self._count or i < 0:
            raise IndexError(i)
        while len(known) <= i:
            t, level, loop = known[-1]
            nxt = self._policy.step_after(level, loop)  # type: ignore[union-attr]
            assert nxt is not None  # i < the counted length
            known.append((t + self._rules[level - 1].delay_seconds, nxt[0], nxt[1]))
        return known[i]


def notification_plan(
    team: Team, policy: Policy, start: datetime, level: int = 1, loop: int = 1
) -> list[Page]:
    """Every step of `policy` for an incident triggered at `start` that nobody acknowledges."""
    return [
        Page(to_datetime(t), lv, lp, team.notified(policy.rules[lv - 1], t))
        for t, lv, lp in _steps(policy, seconds(start), level, loop)
    ]


def plan_entries(pages: Iterable[Page]) -> list[PlanEntry]:
    """The plan as (time, level, loop, user): one entry per person notified."""
    return [PlanEntry(p.at, p.level, p.loop, u) for p in pages for u in p.users]


# -- the timers of one incident --------------------------------------------------------


class _Track:
    """What the timers of one incident need, folded from its timeline."""

    # a plain class with slots: intake makes one for every incident it opens
    __slots__ = (
        "inc",
        "team",
        "policy",
        "ack_timeout",
        "auto_resolve",
        "status",
        "cycle",
        "reopens",
        "open_since",
        "last_ack",
        "steps",
        "n_steps",
        "pending",
        "seen",
        "clock",
        "_due",
    )

    def __init__(
        self,
        inc: str,
        team: Team,
        policy: Policy | None,
        ack_timeout: int | None,
        auto_resolve: int | None,
    ) -> None:
        self.inc = inc
        self.team = team
        self.policy = policy
        self.ack_timeout = ack_timeout
        self.auto_resolve = auto_resolve
        self.status = "none"
        self.cycle = -1
        self.reopens = 0
        self.open_since = 0.0
        self.last_ack: Event | None = None
        self.steps: _Plan | list[tuple[float, int, int]] = []
        self.n_steps = 0  # len(steps), kept: asked on every turn of the simulation
        self.pending = 0  # index into steps of the next step to fire
        self.seen: set[str] = set()
        self.clock = -math.inf  # the latest instant folded so far
        # (instant, id) of the steps of this cycle asked so far, by index
        self._due: dict[int, tuple[float, str]] = {}

    def position(self, t: float) -> tuple[int, int]:
        """(level, loop) the incident is at by instant t."""
        steps = self.steps
        # steps come in time order (every delay is at least a minute): the latest one
        # before the next to fire that is due by t
        for j in range(min(max(self.pending, 1), len(steps)) - 1, -1, -1):
            if steps[j][0] <= t:
                return steps[j][1], steps[j][2]
        return (steps[0][1], steps[0][2]) if steps else (1, 1)

    def _anchor(self, t: float, level: int, loop: int, notify: bool) -> None:
        self.cycle += 1
        self.steps = plan = _Plan(self.policy, t, level, loop)
        self.n_steps = len(plan)
        self._due = {}
        self.pending = 0 if notify else 1

    def step_id(self, i: int) -> str:
        return self._step(i)[1]

    def _step(self, i: int) -> tuple[float, str]:
        """(instant, event id) of step i of this cycle (each step is asked several times)."""
        due = self._due.get(i)
        if due is None:
            t, level, loop = self.steps[i]
            due = self._due[i] = (t, f"{self.inc}:esc:{self.cycle}:{level}:{loop}")
        return due

    def apply(self, ev: Event, t: float | None = None) -> None:
        """Fold one event (`t`: its instant, when the caller has it already)."""
        if ev.id in self.seen:
            return
        self.seen.add(ev.id)
        if t is None:
            t = timestamp(ev.at)
        self.clock = max(self.clock, t)
        kind = ev.kind
        if kind in _OPEN_KINDS:
            if kind != "unacknowledged":
                self.open_since = t
            if kind == "reopened":
                self.reopens += 1
            self.status = "triggered"
            self._anchor(t, 1, 1, notify=True)
        elif kind == "acknowledged":
            self.status = "acknowledged"
            self.last_ack = ev
        elif kind in _CLOSE_KINDS:
            self.status = "resolved"
        elif kind == "escalated":
            if ev.data.get("manual"):
                level = int(ev.data.get("level") or 1)
                loop = int(ev.data.get("loop") or self.position(t)[1])
                self._anchor(t, level, loop, notify=False)
            elif self.pending < self.n_steps and ev.id == self._step(self.pending)[1]:
                self.pending += 1
        elif kind == "reassigned" and self.steps:
            level, loop = self.position(t)
            self._anchor(t, level, loop, notify=False)

    def next_due(self) -> tuple[float, int, str] | None:
        """(instant, kind, id) of the earliest timed event this incident will get if
        nothing else happens; kind 0 auto-resolve, 1 acknowledgement timeout, 2 escalation.

        Only ids are worked out here: the event itself (who is paged, its text) is made
        by `event` for the one timer that fires, not for every timer that is looked at.
        """
        status = self.status
        if status == "none" or status == "resolved":
            return None
        best: tuple[float, int, str] | None = None
        seen = self.seen
        # a timer whose event is already on the timeline is spent (e.g. the incident was
        # acknowledged after it auto-resolved: the same auto-resolve must not fire again)
        if self.auto_resolve is not None:
            eid = f"{self.inc}:autoresolve:{self.reopens}"
            if eid not in seen:
                best = (self.open_since + self.auto_resolve, 0, eid)
        if status == "acknowledged" and self.ack_timeout is not None and self.last_ack:
            eid = f"{self.inc}:unack:{self.last_ack.id}"
            t = timestamp(self.last_ack.at) + self.ack_timeout
            if eid not in seen and (best is None or t < best[0]):
                best = (t, 1, eid)
        if status == "triggered" and self.pending < self.n_steps:
            t, eid = self._step(self.pending)
            if eid not in seen and (best is None or t < best[0]):
                best = (t, 2, eid)
        return best

    # -- the events ------------------------------------------------------------------

    def event(
        self, due: tuple[float, int, str], at: float, origin: str, when: DateTime | None = None
    ) -> Event:
        """The event of timer `due` (from next_due), firing at instant `at` (`when`: that
        instant as a DateTime, when the caller has it already)."""
        _, kind, eid = due
        if kind == 0:
            hours = _span(self.auto_resolve or 0)
            return self._event(
                eid, at, origin, "resolved", f"Auto-resolved: open for {hours}", REASON_AUTO
            )
        if kind == 1:
            span = _span(self.ack_timeout or 0)
            text = f"Acknowledgement timed out after {span}: triggered again, escalation restarts at level 1"
            return self._event(eid, at, origin, "unacknowledged", text, REASON_ACK)
        return self._escalated(self.pending, eid, at, origin, when)

    def _event(
        self,
        eid: str,
        t: float,
        origin: str,
        kind: str,
        text: str,
        data: dict[str, Any],
        when: DateTime | None = None,
    ) -> Event:
        # Event's fields in order; `data` copied: the reasons are shared constants
        at = to_datetime(t) if when is None else when
        return Event(eid, at, kind, AUTHOR, origin, text, self.inc, dict(data))

    def _escalated(
        self, i: int, eid: str, at: float, origin: str, when: DateTime | None = None
    ) -> Event:
        assert self.policy is not None
        t, level, loop = self.steps[i]
        # who is on call when the step falls due (it may fire later, never earlier)
        notified = self.team.notified(self.policy.rules[level - 1], t)
        who = ", ".join(self.team.label(h) for h in notified) or "nobody (no one on call)"
        passes = f"pass {loop} of {self.policy.passes}"
        head = f"Paged level {level}" if i == 0 else f"Escalated to level {level}"
        data = {"level": level, "loop": loop, "notified": list(notified), "policy": self.policy.key}
        if i == 0:
            data["first"] = True  # the incident's first page, not an escalation
        text = f"{head} ({passes}) of {self.policy.name}: {who}"
        return self._event(eid, at, origin, "escalated", text, data, when)


REASON_AUTO = {"reason": "auto_resolve"}
REASON_ACK = {"reason": "acknowledgement_timeout"}


def _span(total: int) -> str:
    if total % 3600 == 0:
        return f"{total // 3600}h"
    if total % 60 == 0:
        return f"{total // 60}m"
    return f"{total}s"


def _track_for(team: Team, inc: Incident) -> _Track:
    return _track_of(team, inc.id, inc.service)


def _track_of(team: Team, inc_id: str, service: str | None) -> _Track:
    svc = team.services.get(service or "")
    return _Track(
        inc_id,
        team,
        team.policy_of(service),
        svc.acknowledgement_timeout if svc else None,
        svc.auto_resolve_timeout if svc else None,
    )


def _simulate(track: _Track, timeline: list[Event], until: float, origin: str) -> list[Event]:
    """Fold the timeline in time order, firing each timer that falls due by `until`.

    A timer due at the same instant as a recorded event fires after it (an acknowledgement
    made at the very second of an escalation wins). Returns the new events, in time order.
    """
    # only these kinds move a timer: notes, alerts and updates are skipped before sorting,
    # so an alert storm on one incident costs a scan, not a sort of its whole timeline;
    # each instant is read once (a stable sort keeps same-instant events in fold order)
    existing = [(timestamp(e.at), e) for e in timeline if e.kind in _TIMER_KINDS]
    if len(existing) > 1:
        existing.sort(key=_first)
    known = {e.id for _, e in existing}
    out: list[Event] = []
    i = 0
    n = len(existing)
    for _ in range(100_000):  # a guard: every pass consumes an event or fires a timer
        next_existing = existing[i][0] if i < n else math.inf
        due = track.next_due()
        # a timer whose moment passed while it could not fire (the incident was resolved,
        # then acknowledged) fires when it becomes possible, never back-dated before it
        fire_at = max(due[0], track.clock) if due is not None else math.inf
        if fire_at <= until and fire_at < next_existing:
            assert due is not None
            ev = track.event(due, fire_at, origin)
            if ev.id not in known:
                out.append(ev)
            track.apply(ev)  # at its stored instant, to the microsecond
        elif i < n:
            track.apply(existing[i][1], existing[i][0])
            i += 1
        else:
            break
    return out


def _first(pair: tuple[float, Event]) -> float:
    return pair[0]


def _first_page(
    track: _Track, timeline: list[Event], until: float, origin: str
) -> list[Event] | None:
    """`_simulate`'s answer, worked out directly, for an incident opened at `until`
    whose timeline moves no other timer: its first page, at once. None for any other
    case (the simulation then runs as usual).

    This is every incident an alert opens (intake asks at the very instant it opened):
    the simulation would fold the opening, fire level 1, fold that, and look at the
    next step to find it later than `until`.
    """
    opened = timeline[0] if timeline else None
    if opened is None or opened.kind != "opened" or track.status != "none":
        return None
    for ev in timeline[1:]:
        if ev.kind in _TIMER_KINDS:
            return None
    t0 = timestamp(opened.at)
    if t0 != until:
        return None
    # an auto-resolve due at the same instant (a zero timeout) would come first
    if track.auto_resolve is not None and track.auto_resolve <= 0:
        return None
    if track.policy is None or not track.policy.rules:
        return None  # nobody to page: the simulation says what happens
    track.apply(opened, t0)
    t, eid = track._step(0)
    if eid in track.seen:
        # an opening whose id is the page's own: left to the simulation, which (the
        # opening already folded, so not folded again) goes on as if from the start
        return None
    # every later step and timer is at least a second after t0 (rules wait a minute or
    # more, timeouts are whole seconds): nothing else falls due by `until`
    fire = max(t, track.clock)
    # the page falls at the opening's instant: its DateTime is the one to_datetime would
    # build again from t0, for a UTC instant the float holds to the microsecond
    when = opened.at if fire == t0 and _same_again(opened.at, t0) else None
    return [track.event((t, 2, eid), fire, origin, when)]


# POSIX seconds below this hold a microsecond instant closely enough that to_datetime
# rounds back to it exactly (the float's spacing stays under a microsecond: 2**33 s is
# the year 2242)
_EXACT_SECONDS = float(2**33)


def _same_again(at: datetime, t: float) -> bool:
    """`to_datetime(t) == at` for `t = timestamp(at)`, known without building it: `at` is
    a pendulum DateTime in UTC (as to_datetime makes) within the exact range."""
    return at.__class__ is DateTime and at.tzinfo is _PENDULUM_UTC and 0 <= t < _EXACT_SECONDS


def timed_events(
    state: State, settings: Settings, now: datetime, origin: str = "local"
) -> list[Event]:
    """The escalation, acknowledgement-timeout and auto-resolve events due by `now`.

    Pure: reads the state and the config, returns events for the caller to apply (in the
    order returned). Ids are deterministic, so applying the same answer twice is harmless.
    """
    team = load_team(settings)
    until = seconds(now)
    out: list[Event] = []
    for inc in state.incidents.values():
        if not inc.is_open:
            continue
        track = _track_for(team, inc)
        out.extend(_simulate(track, state.timeline(inc.id), until, origin))
    return sorted(out, key=lambda e: timestamp(e.at))


# what each kind does to an incident's status as State folds it (console.domain.model)
_STATUS_AFTER = {
    "acknowledged": "acknowledged",
    "resolved": "resolved",
    "merged_into": "resolved",
    "reopened": "triggered",
    "unacknowledged": "triggered",
}


def timed_events_of_new(
    settings: Settings, new_events: list[Event], now: datetime, origin: str = "intake"
) -> list[Event]:
    """`timed_events` for a State that folded just `new_events`, without building one.

    Intake asks this for the incidents an alert has just opened (their first page goes in
    the same write): only what the timers read is folded, as `State.apply` folds it (an
    incident's timeline, service and whether it is open), not the alert book.
    """
    seen: set[str] = set()
    # incident id -> [service, status, timeline], in the order State keeps its incidents
    found: dict[str, list[Any]] = {}
    for ev in new_events:
        if ev.id in seen:
            continue  # State ignores an id it has folded
        seen.add(ev.id)
        key = ev.incident
        if key is None:
            continue
        if ev.kind == "opened":  # opening (again) starts a new timeline
            found[key] = [ev.data.get("service"), "triggered", [ev]]
            continue
        entry = found.get(key)
        if entry is None:
            continue  # an orphan: on no incident's timeline
        entry[2].append(ev)
        kind = ev.kind
        if kind in _STATUS_AFTER:
            entry[1] = _STATUS_AFTER[kind]
        elif kind == "declared" and ev.data.get("service"):
            entry[0] = ev.data["service"]
    if not found:
        return []
    team = load_team(settings)
    until = seconds(now)
    out: list[Event] = []
    for inc_id, (service, status, _) in found.items():
        if status == "resolved":
            continue
        timeline = found.get(inc_id.upper())  # State.timeline looks ids up upper-cased
        track = _track_of(team, inc_id, service)
        events = timeline[2] if timeline else []
        page = _first_page(track, events, until, origin)
        out.extend(page if page is not None else _simulate(track, events, until, origin))
    if len(out) > 1:
        out.sort(key=lambda e: timestamp(e.at))
    return out


def _timeline_or_synthetic(inc: Incident, timeline: list[Event] | None, at: float) -> list[Event]:
    if timeline is not None:
        return [e for e in timeline if timestamp(e.at) <= at]
    # without the timeline: what the incident's fields say (opened, maybe acknowledged)
    evs = [Event(f"{inc.id}:opened", inc.created_at, "opened", "", "", "", inc.id)]
    if inc.status == "acknowledged" and inc.acknowledged_at is not None:
        evs.append(Event(f"{inc.id}:ack", inc.acknowledged_at, "acknowledged", "", "", "", inc.id))
    if inc.status == "resolved":
        evs.append(
            Event(
                f"{inc.id}:resolved",
                inc.resolved_at or inc.created_at,
                "resolved",
                "",
                "",
                "",
                inc.id,
            )
        )
    return evs


def incident_outlook(
    settings: Settings, incident: Incident, at: datetime, timeline: list[Event] | None = None
) -> Outlook:
    """What happens to `incident` after `at` if nobody acts: pages to come, timers.

    Give the incident's timeline for an exact answer (manual escalations, re-acks); without
    it, the incident's own fields stand in for it.
    """
    team = load_team(settings)
    t = seconds(at)
    track = _track_for(team, incident)
    events = _timeline_or_synthetic(incident, timeline, t)
    overdue = _simulate(track, events, t, "local")
    # steps that fell due unrecorded page on the next tick only if the incident is still
    # triggered; without a timeline nothing says which past steps fired: assume they did
    keep_overdue = timeline is not None and track.status == "triggered"
    future = (overdue if keep_overdue else []) + _simulate(track, [], math.inf, "local")
    timers = overdue + future
    pages = tuple(
        Page(e.at, e.data["level"], e.data["loop"], tuple(e.data["notified"]))
        for e in future
        if e.kind == "escalated"
    )
    future = timers
    unack = next((e.at for e in future if e.kind == "unacknowledged"), None)
    auto = next((e.at for e in future if e.kind == "resolved"), None)
    return Outlook(pages=pages, unacknowledge_at=unack, auto_resolve_at=auto)


def next_pages(
    settings: Settings, incident: Incident, at: datetime, timeline: list[Event] | None = None
) -> list[Page]:
    """Who gets paged next and when, if nobody acknowledges.

    With the timeline, steps that fell due but were never recorded come first (overdue) while
    the incident is still triggered.
    """
    return list(incident_outlook(settings, incident, at, timeline).pages)


def manual_escalation(
    settings: Settings,
    incident: Incident,
    level: int,
    at: datetime,
    timeline: list[Event] | None = None,
) -> dict[str, Any]:
    """The data of an "escalated" event moving `incident` to `level` by hand.

    Raises EscalationError when the incident has no policy or the level does not exist.
    """
    team = load_team(settings)
    policy = team.policy_of(incident.service)
    if policy is None or not policy.rules:
        svc = incident.service or "no service"
        raise EscalationError(
            f"{incident.id} ({svc}) has no escalation policy with rules to escalate through"
        )
    if not 1 <= level <= len(policy.rules):
        raise EscalationError(
            f"{policy.name} has levels 1 to {len(policy.rules)}; there is no level {level}"
        )
    t = seconds(at)
    track = _track_for(team, incident)
    _simulate(track, _timeline_or_synthetic(incident, timeline, t), t, "local")
    loop = track.position(t)[1] if track.steps else 1
    notified = team.notified(policy.rules[level - 1], t)
    return {
        "level": level,
        "loop": loop,
        "notified": list(notified),
        "policy": policy.key,
        "manual": True,
    }
