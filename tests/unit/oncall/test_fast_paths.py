"""The on-call hot path's shortcuts give exactly what the slow, obvious way gives.

Intake works out each new incident's first page in the same write as its opening, so the
escalation engine avoids pendulum arithmetic and walks a policy's steps only as far as it
is asked. These tests pin the shortcuts to the plain computations they replace.
"""

from __future__ import annotations

import math

import pendulum
from hypothesis import example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from console.domain.model import Event, State
from console.domain.oncall import load_team, timed_events, timed_events_of_new
from console.domain.oncall.escalation import _Plan, _steps
from console.domain.oncall.policy import Policy, Rule, Target
from console.domain.oncall.times import to_datetime

from .helpers import config, layer, rule, schedule, settings, weekly


def _pendulum_way(t: float) -> pendulum.DateTime:
    whole = math.floor(t)
    micro = round((t - whole) * 1_000_000)
    return pendulum.from_timestamp(whole, tz="UTC").add(microseconds=micro)


@hsettings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=-2_000_000_000, max_value=4_000_000_000),
    st.sampled_from([0.0, 0.5, 0.123456, 0.9999994, 0.9999996, 0.0000004]),
)
def test_to_datetime_is_pendulums_utc_instant_to_the_microsecond(whole, fraction):
    t = whole + fraction
    got, want = to_datetime(t), _pendulum_way(t)
    assert got == want
    assert got.isoformat() == want.isoformat()  # the same fields, offset and precision
    assert type(got) is pendulum.DateTime
    assert got.tzinfo is pendulum.UTC


def test_to_datetime_carries_a_fraction_that_rounds_up_into_the_next_second():
    got = to_datetime(59.9999999)
    assert (got.second, got.microsecond) == (0, 0) and got.minute == 1


def _policy(delays: list[int], num_loops: int) -> Policy:
    rules = tuple(Rule(d, (Target("user", f"u{i}"),)) for i, d in enumerate(delays))
    return Policy("p", "P", num_loops, rules)


@hsettings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=90), min_size=0, max_size=5),
    st.integers(min_value=0, max_value=9),
    st.integers(min_value=-1, max_value=7),
    st.integers(min_value=-1, max_value=12),
)
def test_a_plan_asked_step_by_step_is_the_whole_walk(delays, num_loops, level, loop):
    policy = _policy(delays, num_loops)
    start = 1_780_000_000.25
    whole = _steps(policy, start, level, loop)
    plan = _Plan(policy, start, level, loop)
    assert len(plan) == len(whole)
    assert bool(plan) == bool(whole)
    # asked out of order, as the timers do (the next step, then a position before it)
    for i in reversed(range(len(whole))):
        assert plan[i] == whole[i]
    assert [plan[i] for i in range(len(plan))] == whole


def _schedule_config():
    weekdays = weekly(1, "00:00:00", 432000)
    weekends = weekly(6, "00:00:00", 172800)
    sched = schedule(
        [
            layer(["a", "b"], "2026-01-05T09:00:00-05:00", 604800, restrictions=[weekdays]),
            layer(["c", "d"], "2026-01-03T00:00:00-05:00", 604800, restrictions=[weekends]),
            layer(["e"], "2026-03-01T12:00:00Z", 8 * 3600, end="2026-04-01T12:00:00Z"),
        ],
        tz="America/New_York",
        overrides=[{"start": "2026-03-20T00:00:00Z", "end": "2026-03-22T06:00:00Z", "user": "f"}],
    )
    return settings(config(schedules={"s": sched}, users=["a", "b", "c", "d", "e", "f"]))


@hsettings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=120 * 86400), min_size=1, max_size=12))
def test_a_remembered_stretch_answers_as_the_layers_do(offsets):
    """`user_at` and `next_boundary` with a stretch remembered equal the plain answers."""
    sched = load_team(_schedule_config()).schedules["s"]
    base = 1_771_000_000.0  # mid-February 2026: the reach spans New York's clock change
    for off in offsets:
        for t in (base + off, base + off + 1800, base + off + 0.5):
            assert sched.user_at(t) == sched.who(t)[0]
            assert sched.next_boundary(t) == sched._next_boundary(t)


_KINDS = [
    "opened",
    "alert_triggered",
    "acknowledged",
    "resolved",
    "reopened",
    "unacknowledged",
    "merged_into",
    "declared",
    "escalated",
    "reassigned",
    "note",
]


def _escalating_settings():
    return settings(
        config(
            schedules={
                "sun": schedule([layer(["ada", "grace", "kenji"], "2026-01-01T00:00:00Z", 28800)])
            },
            policies={
                "p": {
                    "num_loops": 1,
                    "rules": [rule(10, ("schedule", "sun")), rule(5, ("user", "ada"))],
                },
                "q": {"rules": [rule(7, ("user", "grace"))]},
            },
            services={
                "pay": {"escalation_policy": "p", "acknowledgement_timeout": 1200},
                "web": {"escalation_policy": "q", "auto_resolve_timeout": 3600},
            },
        )
    )


_event = st.tuples(
    st.sampled_from(_KINDS),
    st.sampled_from(["INC-1", "INC-2", None]),
    st.integers(min_value=0, max_value=150),  # minutes after the first
    st.integers(min_value=0, max_value=30),  # the id (repeats: State folds an id once)
    st.sampled_from(["pay", "web", "", None]),
    st.integers(min_value=0, max_value=3),  # a manual escalation's level (0: automatic)
)


@hsettings(max_examples=200, deadline=None)
@given(st.lists(_event, max_size=14), st.integers(min_value=0, max_value=240))
# merged after its first escalation fell due: not open, so nothing more fires
@example([("opened", "INC-1", 0, 1, "pay", 0), ("merged_into", "INC-1", 60, 2, None, 0)], 120)
# moved to another service by a declaration
@example([("opened", "INC-2", 0, 1, "web", 0), ("declared", "INC-2", 1, 2, "pay", 0)], 30)
def test_the_new_incidents_path_equals_timed_events_on_a_folded_state(specs, now_minutes):
    base = pendulum.datetime(2026, 8, 20, 10, 0, tz="UTC")
    events = []
    for kind, inc, minutes, ident, service, level in specs:
        data = {}
        if kind in ("opened", "declared") and service is not None:
            data["service"] = service
        if kind == "escalated" and level:
            data.update(manual=True, level=level)
        at = base.add(minutes=minutes)
        events.append(Event(f"e{ident}", at, kind, "x", "o", "", inc, data))
    conf = _escalating_settings()
    now = base.add(minutes=now_minutes)
    state = State()
    for ev in events:
        state.apply(ev)
    want = timed_events(state, conf, now, origin="intake")
    assert timed_events_of_new(conf, events, now, origin="intake") == want


_AFTER_OPENING = st.tuples(
    st.sampled_from(_KINDS[1:]),  # anything but another opening
    st.integers(min_value=0, max_value=90),  # seconds after the opening
    st.integers(min_value=0, max_value=2),  # a manual escalation's level (0: automatic)
)


@hsettings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.lists(_AFTER_OPENING, max_size=4),
    st.sampled_from([None, 0, 1, 3600]),  # the service's auto_resolve_timeout
    st.sampled_from([None, 60]),  # its acknowledgement_timeout
    st.sampled_from(["p", "q", "none", None]),  # its policy (none: a policy with no rules)
    st.sampled_from([0, 0, 0, 30, 600]),  # now, seconds after the opening
    st.booleans(),  # the opening's id is the first page's own
)
def test_an_incident_paged_as_it_opens_gets_what_the_simulation_gives(
    later, auto_resolve, ack_timeout, policy, now_after, clash
):
    """The first page worked out directly (an incident opened at the instant asked about,
    nothing on its timeline moving a timer) equals the full simulation's answer; any other
    timeline goes to the simulation."""
    import console.domain.oncall.escalation as esc

    service: dict = {}
    if policy is not None:
        service["escalation_policy"] = policy
    if auto_resolve is not None:
        service["auto_resolve_timeout"] = auto_resolve
    if ack_timeout is not None:
        service["acknowledgement_timeout"] = ack_timeout
    conf = settings(
        config(
            schedules={"sun": schedule([layer(["ada", "grace"], "2026-01-01T00:00:00Z", 28800)])},
            policies={
                "p": {
                    "num_loops": 1,
                    "rules": [rule(10, ("schedule", "sun")), rule(5, ("user", "ada"))],
                },
                "q": {"rules": [rule(1, ("user", "grace"))]},
                "none": {"rules": []},
            },
            services={"pay": service},
        )
    )
    base = pendulum.datetime(2026, 8, 20, 10, 0, 0, 250000, tz="UTC")
    opened_id = "INC-1:esc:0:1:1" if clash else "e0"
    events = [Event(opened_id, base, "opened", "x", "intake", "", "INC-1", {"service": "pay"})]
    for n, (kind, seconds, level) in enumerate(later, start=1):
        data = {"manual": True, "level": level} if kind == "escalated" and level else {}
        events.append(Event(f"e{n}", base.add(seconds=seconds), kind, "x", "o", "", "INC-1", data))
    now = base.add(seconds=now_after)
    state = State()
    for ev in events:
        state.apply(ev)
    taken = []
    plain = esc._first_page

    def counted(*args):
        page = plain(*args)
        taken.append(page is not None)
        return page

    esc._first_page = counted
    try:
        got = timed_events_of_new(conf, events, now, origin="intake")
    finally:
        esc._first_page = plain
    assert got == timed_events(state, conf, now, origin="intake")
    only_alerts = all(
        e.kind
        not in (
            "acknowledged",
            "resolved",
            "reopened",
            "unacknowledged",
            "merged_into",
            "escalated",
            "reassigned",
        )
        for e in events[1:]
    )
    if now_after == 0 and only_alerts and policy in ("p", "q") and auto_resolve != 0 and not clash:
        assert taken == [True]  # the shortcut was the one that answered
    elif taken:
        assert taken == [False]


def test_the_shortcut_answers_most_openings():
    """A plain alert's incident (the storm's shape) takes the shortcut."""
    import console.domain.oncall.escalation as esc

    conf = _escalating_settings()
    base = pendulum.datetime(2026, 8, 20, 10, 0, tz="UTC")
    events = [
        Event("e1", base, "opened", "x", "intake", "", "INC-1", {"service": "pay"}),
        Event("e2", base, "alert_triggered", "x", "intake", "", "INC-1", {}),
    ]
    calls = []
    plain = esc._simulate
    esc._simulate = lambda *a: calls.append(a) or plain(*a)
    try:
        [page] = timed_events_of_new(conf, events, base, origin="intake")
    finally:
        esc._simulate = plain
    assert calls == [] and page.kind == "escalated" and page.data["first"] is True


@hsettings(max_examples=500, deadline=None)
@given(
    st.integers(min_value=0, max_value=2**33 - 1),
    st.integers(min_value=0, max_value=999_999),
)
@example(2**33 - 1, 999_999)
@example(1_787_220_000, 10_000)
def test_a_utc_instant_comes_back_from_its_seconds_as_itself(whole, micro):
    """The first page reuses its opening's DateTime instead of building it again from
    the float seconds: for a UTC instant in the range it does that in, the same one."""
    from console.domain.clock import timestamp
    from console.domain.oncall.escalation import _same_again

    at = pendulum.from_timestamp(whole, tz="UTC").add(microseconds=micro)
    at = pendulum.instance(at, tz=pendulum.UTC) if at.tzinfo is not pendulum.UTC else at
    t = timestamp(at)
    assert _same_again(at, t)
    assert to_datetime(t) == at
    assert (to_datetime(t).microsecond, to_datetime(t).second) == (at.microsecond, at.second)
