"""The on-call hot path's shortcuts give exactly what the slow, obvious way gives.

Intake works out each new incident's first page in the same write as its opening, so the
escalation engine avoids pendulum arithmetic and walks a policy's steps only as far as it
is asked. These tests pin the shortcuts to the plain computations they replace.
"""

from __future__ import annotations

import math

import pendulum
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from console.domain.oncall.escalation import _Plan, _steps
from console.domain.oncall.policy import Policy, Rule, Target
from console.domain.oncall.times import to_datetime


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
