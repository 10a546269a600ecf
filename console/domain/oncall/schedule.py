"""Schedules: layers, restrictions and overrides, with PagerDuty's semantics.

- A layer rotates its ordered users in turns of `rotation_turn_length_seconds`, counted from
  `rotation_virtual_start` in the schedule's time zone: turns are measured on the wall clock,
  so a daily 09:00 handoff stays at 09:00 local across daylight-saving changes (that day's
  turn is an hour shorter or longer).
- Restrictions (daily or weekly windows, also on the local wall clock, possibly crossing
  midnight) mask a layer: outside every window the layer has nobody on call. The rotation
  keeps counting underneath, so the turn owner at a window is whoever's turn it is then.
- Nobody is on call from a layer before its `start` or from its `end` on.
- A higher layer (listed later) covers the lower ones wherever it has someone on call.
- Overrides win over every layer; where overrides overlap, the one listed last wins.

Who is on call at an instant costs the same however many turns have passed since the
rotation started: the turn index is computed, never stepped to (see bench/bench_oncall.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import cached_property

from pendulum import DateTime

from console.domain.oncall.times import (
    DAY,
    WEEK,
    local_frame,
    seconds,
    to_datetime,
    to_instant,
)

# 1970-01-01, wall day 0, was a Thursday (ISO day 4): weekly windows are placed from it.
_EPOCH_ISO_WEEKDAY = 4
# Layers whose turns reach further than this always convert wall times exactly: probing
# the offset that far for every answer would cost more than it saves.
_STEADY_SPAN_LIMIT = 60 * DAY
# Guard for walks over boundaries: a schedule with many layers and short turns still
# changes at most a few hundred times a day.
_MAX_STEPS = 200_000


@dataclass(frozen=True)
class Restriction:
    """A window of the day (`daily_restriction`) or week (`weekly_restriction`)."""

    kind: str
    start_time_of_day: int  # seconds after local midnight
    duration_seconds: int
    start_day_of_week: int | None = None  # 1 = Monday .. 7 = Sunday (weekly only)

    @property
    def period(self) -> int:
        return DAY if self.kind == "daily_restriction" else WEEK

    @property
    def offset(self) -> int:
        """Wall seconds from wall day 0 to the first window's start."""
        if self.kind == "daily_restriction":
            return self.start_time_of_day
        day = ((self.start_day_of_week or 1) - _EPOCH_ISO_WEEKDAY) % 7
        return day * DAY + self.start_time_of_day

    def _windows(
        self, w: float, tz: tzinfo, off: float | None, before: int, after: int
    ) -> Iterator[tuple[float, float]]:
        period, offset = self.period, self.offset
        index = math.floor((w - offset) / period)
        for i in range(index - before, index + after + 1):
            ws = offset + i * period
            yield to_instant(ws, tz, off), to_instant(ws + self.duration_seconds, tz, off)

    def contains(self, t: float, w: float, tz: tzinfo, off: float | None = None) -> bool:
        """Whether instant `t` (wall seconds `w`) falls inside one of the windows."""
        if off is not None:  # a steady offset: wall and instants move together
            return (w - self.offset) % self.period < self.duration_seconds
        return any(s <= t < e for s, e in self._windows(w, tz, off, 1, 1))

    def next_edge(self, t: float, w: float, tz: tzinfo, off: float | None = None) -> float:
        """The first window start or end strictly after `t`."""
        if off is not None:
            into = (w - self.offset) % self.period
            if into < self.duration_seconds:
                return w + (self.duration_seconds - into) - off
            return w + (self.period - into) - off
        return min(x for s, e in self._windows(w, tz, off, 1, 2) for x in (s, e) if x > t)


@dataclass(frozen=True)
class Layer:
    """One rotation. Times are POSIX seconds; `virtual_start_wall` is wall seconds in `tz`."""

    name: str
    start: float
    end: float | None
    virtual_start_wall: float
    turn_seconds: int
    users: tuple[str, ...]
    restrictions: tuple[Restriction, ...]
    tz: tzinfo

    def _turn_start(self, k: int, off: float | None = None) -> float:
        return to_instant(self.virtual_start_wall + k * self.turn_seconds, self.tz, off)

    def _turn_index(self, t: float, w: float, off: float | None = None) -> int:
        k = math.floor((w - self.virtual_start_wall) / self.turn_seconds)
        if off is not None:
            return k  # a steady offset: wall and instant order agree
        # the wall clock repeats or skips an hour at DST changes: settle on instants
        while self._turn_start(k + 1) <= t:
            k += 1
        while self._turn_start(k) > t:
            k -= 1
        return k

    @property
    def probe_span(self) -> float | None:
        """How far from an instant this layer's arithmetic reaches (see times.local_frame)."""
        # back to the current turn's start, ahead to the next turn or restriction edge
        reach = max(self.turn_seconds, WEEK) + DAY
        return reach if reach <= _STEADY_SPAN_LIMIT else None

    def frame(self, t: float) -> tuple[float, float | None]:
        return local_frame(t, self.tz, self.probe_span)

    def user_at(self, t: float, w: float | None = None, off: float | None = None) -> str | None:
        """The layer's user on call at instant `t`, or None.

        `w` and `off` are `local_frame(t)`, passed in by a schedule asking all its layers.
        """
        if t < self.start or (self.end is not None and t >= self.end) or not self.users:
            return None
        if w is None:
            w, off = self.frame(t)
        tz = self.tz
        if self.restrictions and not any(r.contains(t, w, tz, off) for r in self.restrictions):
            return None
        return self.users[self._turn_index(t, w, off) % len(self.users)]

    def next_boundary(
        self, t: float, w: float | None = None, off: float | None = None
    ) -> float | None:
        """The first instant after `t` at which this layer's answer may change."""
        if not self.users or (self.end is not None and t >= self.end):
            return None
        if t < self.start:
            return self.start
        if w is None:
            w, off = self.frame(t)
        best = self._turn_start(self._turn_index(t, w, off) + 1, off)
        for r in self.restrictions:
            best = min(best, r.next_edge(t, w, self.tz, off))
        if self.end is not None:
            best = min(best, self.end)
        return best


@dataclass(frozen=True)
class Override:
    """`user` is on call from `start` (inclusive) to `end` (exclusive), above every layer."""

    start: float
    end: float
    user: str


@dataclass(frozen=True)
class Handoff:
    """The on-call person changes at `at` from `before` to `after` (None: nobody)."""

    at: DateTime
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Shift:
    """`user` (None: nobody) is on call from `start` to `end`."""

    start: DateTime
    end: DateTime
    user: str | None


@dataclass(frozen=True)
class Schedule:
    """A schedule: layers listed lowest first, then overrides."""

    key: str
    name: str
    time_zone: str
    tz: tzinfo
    layers: tuple[Layer, ...]
    overrides: tuple[Override, ...] = ()
    # (from, until, user): the last stretch `user_at` worked out, where the answer holds.
    # Incidents opened near each other ask about the same stretch; replaced whole (one
    # assignment) so threads sharing the schedule read a consistent triple.
    _stretch: tuple[float, float, str | None] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @cached_property
    def probe_span(self) -> float | None:
        """The widest reach of any layer's arithmetic (None: always convert exactly)."""
        spans = [layer.probe_span for layer in self.layers]
        if not spans or any(s is None for s in spans):
            return None
        return max(s for s in spans if s is not None)

    # -- the answer at one instant -------------------------------------------------

    def who(self, t: float) -> tuple[str | None, str]:
        """(user, source) at instant `t`; source is 'override', a layer's name, or ''."""
        for o in reversed(self.overrides):
            if o.start <= t < o.end:
                return o.user, "override"
        w, off = local_frame(t, self.tz, self.probe_span)
        for layer in reversed(self.layers):
            user = layer.user_at(t, w, off)
            if user is not None:
                return user, layer.name
        return None, ""

    def on_call(self, when: datetime) -> str | None:
        """The handle of the person on call at `when`, or None."""
        return self.who(seconds(when))[0]

    def user_at(self, t: float) -> str | None:
        """`who(t)[0]`, remembering the stretch of time the answer holds for.

        Paging asks the same schedules about instants close together (every incident of
        a storm pages its policy's first rule): within the stretch the answer is a
        comparison, not the layers' arithmetic. A miss costs `who` and `next_boundary`.
        """
        stretch = self._stretch  # one read: another thread may replace it
        if stretch is not None and stretch[0] <= t < stretch[1]:
            return stretch[2]
        user = self.who(t)[0]
        nb = self._next_boundary(t)
        object.__setattr__(self, "_stretch", (t, math.inf if nb is None else nb, user))
        return user

    def next_boundary(self, t: float) -> float | None:
        """The first instant after `t` at which the answer may change (None: never)."""
        stretch = self._stretch
        if stretch is not None and stretch[0] <= t < stretch[1]:
            # no boundary lies inside a remembered stretch: its end is the next one
            return None if stretch[1] == math.inf else stretch[1]
        return self._next_boundary(t)

    def _next_boundary(self, t: float) -> float | None:
        w, off = local_frame(t, self.tz, self.probe_span)
        best: float | None = None
        for layer in self.layers:
            b = layer.next_boundary(t, w, off)
            if b is not None and (best is None or b < best):
                best = b
        for o in self.overrides:
            for x in (o.start, o.end):
                if x > t and (best is None or x < best):
                    best = x
        return best

    # -- walks over time -----------------------------------------------------------

    def segments(self, start: float, end: float) -> Iterator[tuple[float, float, str | None]]:
        """Maximal stretches of one answer covering [start, end), in order."""
        if end <= start:
            return
        seg_start = start
        user = self.who(start)[0]
        t = start
        for _ in range(_MAX_STEPS):
            nb = self.next_boundary(t)
            if nb is None or nb >= end:
                break
            t = nb
            now = self.who(t)[0]
            if now != user:
                yield seg_start, t, user
                seg_start, user = t, now
        yield seg_start, end, user

    def shifts(self, start: datetime, end: datetime) -> list[Shift]:
        """Who is on call over [start, end), as consecutive shifts (None for gaps)."""
        return [
            Shift(to_datetime(s), to_datetime(e), u)
            for s, e, u in self.segments(seconds(start), seconds(end))
        ]

    def gaps(self, start: datetime, end: datetime) -> list[tuple[DateTime, DateTime]]:
        """The stretches of [start, end) with nobody on call."""
        return [
            (to_datetime(s), to_datetime(e))
            for s, e, u in self.segments(seconds(start), seconds(end))
            if u is None
        ]

    def handoffs(self, when: datetime, count: int = 1, horizon_days: int = 400) -> list[Handoff]:
        """The next `count` changes of the on-call person after `when`, within the horizon."""
        t = seconds(when)
        limit = t + horizon_days * DAY
        found: list[Handoff] = []
        user = self.who(t)[0]
        for _ in range(_MAX_STEPS):
            if len(found) >= count:
                break
            nb = self.next_boundary(t)
            if nb is None or nb > limit:
                break
            t = nb
            now = self.who(t)[0]
            if now != user:
                found.append(Handoff(to_datetime(t), user, now))
                user = now
        return found

    def users(self) -> set[str]:
        """Every handle the schedule can put on call."""
        people = {u for layer in self.layers for u in layer.users}
        return people | {o.user for o in self.overrides}
