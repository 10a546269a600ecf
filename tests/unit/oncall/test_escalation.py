"""Escalation timers of open incidents: timed_events, next_pages, manual escalation."""

from __future__ import annotations

import pytest

from console.domain.model import Event, State
from console.domain.oncall import (
    EscalationError,
    incident_outlook,
    manual_escalation,
    next_pages,
    timed_events,
)

from .helpers import at, config, layer, rule, schedule, settings

T0 = at("2026-01-10T10:00:00Z")


def team_settings(ack=1800, auto=4 * 3600, loops=1, policy="p"):
    doc = config(
        schedules={"s": schedule([layer(["b"], "2025-01-01T00:00:00Z", 86400)])},
        policies={
            "p": {
                "name": "Pay",
                "num_loops": loops,
                "rules": [
                    rule(10, ("user", "a")),
                    rule(15, ("schedule", "s")),
                    rule(20, ("user", "c")),
                ],
            }
        },
        services={
            "pay": {
                "escalation_policy": policy,
                "acknowledgement_timeout": ack,
                "auto_resolve_timeout": auto,
            },
            "bare": {},
        },
        users=["a", "b", "c"],
    )
    return settings(doc)


def ev(eid, minutes, kind, inc="INC-1", **data):
    return Event(
        id=eid,
        at=T0.add(minutes=minutes),
        kind=kind,
        author="tester",
        origin="local",
        text="",
        incident=inc,
        data=data,
    )


def state_with(*events, service="pay"):
    s = State()
    s.apply(
        Event(
            id="o1",
            at=T0,
            kind="opened",
            author="tester",
            origin="local",
            text="",
            incident="INC-1",
            data={"title": "x", "service": service},
        )
    )
    for e in events:
        s.apply(e)
    return s


def summary(events):
    return [
        (
            e.kind,
            int((e.at - T0).total_seconds() // 60),
            e.data.get("level"),
            e.data.get("loop"),
            tuple(e.data.get("notified", ())),
        )
        for e in events
    ]


def test_the_first_level_is_paged_at_trigger_time():
    out = timed_events(state_with(), team_settings(), T0)
    assert summary(out) == [("escalated", 0, 1, 1, ("a",))]
    assert out[0].id == "INC-1:esc:0:1:1"
    assert (out[0].author, out[0].origin, out[0].incident) == ("escalation", "local", "INC-1")
    assert out[0].data["policy"] == "p"


def test_unacknowledged_it_escalates_through_every_level_and_loop_then_stops():
    out = timed_events(state_with(), team_settings(auto=None), T0.add(hours=3))
    assert summary(out) == [
        ("escalated", 0, 1, 1, ("a",)),
        ("escalated", 10, 2, 1, ("b",)),
        ("escalated", 25, 3, 1, ("c",)),
        ("escalated", 45, 1, 2, ("a",)),
        ("escalated", 55, 2, 2, ("b",)),
        ("escalated", 70, 3, 2, ("c",)),
    ]
    assert len({e.id for e in out}) == 6


def test_only_what_is_due_and_applying_twice_changes_nothing():
    cfg = team_settings()
    s = state_with()
    first = timed_events(s, cfg, T0.add(minutes=12))
    assert [e.data["level"] for e in first] == [1, 2]
    for e in first + first:
        s.apply(e)
    assert s.incidents["INC-1"].escalation_level == 2
    assert len(s.timeline("INC-1")) == 3
    assert timed_events(s, cfg, T0.add(minutes=12)) == []
    # a second process computing the same tick produces the same ids
    assert [e.id for e in timed_events(state_with(), cfg, T0.add(minutes=12))] == [
        e.id for e in first
    ]


def test_the_origin_is_the_callers():
    out = timed_events(state_with(), team_settings(), T0, origin="drill")
    assert out[0].origin == "drill"


def test_acknowledging_stops_escalation():
    s = state_with(
        ev("INC-1:esc:0:1:1", 0, "escalated", level=1, loop=1), ev("ack", 5, "acknowledged")
    )
    assert timed_events(s, team_settings(ack=None, auto=None), T0.add(hours=5)) == []


def test_an_ack_at_the_very_second_of_an_escalation_wins():
    s = state_with(ev("ack", 10, "acknowledged"))
    out = timed_events(s, team_settings(ack=None, auto=None), T0.add(hours=1))
    assert summary(out) == [("escalated", 0, 1, 1, ("a",))]


def test_the_acknowledgement_timeout_triggers_again_and_restarts_at_level_one():
    s = state_with(ev("ack", 12, "acknowledged"))
    out = timed_events(s, team_settings(auto=None), T0.add(hours=3))
    kinds = summary(out)
    assert kinds[:2] == [("escalated", 0, 1, 1, ("a",)), ("escalated", 10, 2, 1, ("b",))]
    assert kinds[2][:2] == ("unacknowledged", 42)
    assert out[2].id == "INC-1:unack:ack"
    assert kinds[3:] == [
        ("escalated", 42, 1, 1, ("a",)),
        ("escalated", 52, 2, 1, ("b",)),
        ("escalated", 67, 3, 1, ("c",)),
        ("escalated", 87, 1, 2, ("a",)),
        ("escalated", 97, 2, 2, ("b",)),
        ("escalated", 112, 3, 2, ("c",)),
    ]
    assert out[3].id == "INC-1:esc:1:1:1"
    state = state_with(ev("ack", 12, "acknowledged"))
    for e in out[:3]:
        state.apply(e)
    assert state.incidents["INC-1"].status == "triggered"


def test_a_second_acknowledgement_restarts_the_timeout():
    s = state_with(ev("ack1", 5, "acknowledged"), ev("ack2", 30, "acknowledged"))
    out = timed_events(s, team_settings(auto=None), T0.add(minutes=59))
    assert [e.kind for e in out] == ["escalated"]
    out = timed_events(s, team_settings(auto=None), T0.add(minutes=60))
    assert out[-2].id == "INC-1:unack:ack2"


def test_auto_resolve_after_the_timeout_even_if_acknowledged():
    s = state_with(ev("ack", 1, "acknowledged"))
    out = timed_events(s, team_settings(ack=None, auto=3600), T0.add(hours=2))
    assert [(e.kind, e.data) for e in out][-1] == ("resolved", {"reason": "auto_resolve"})
    assert out[-1].at == T0.add(hours=1)
    assert out[-1].id == "INC-1:autoresolve:0"


def test_auto_resolve_stops_the_escalation_that_would_follow():
    out = timed_events(state_with(), team_settings(auto=20 * 60), T0.add(hours=3))
    assert summary(out)[-1][:2] == ("resolved", 20)
    assert [e.data.get("level") for e in out] == [1, 2, None]


def test_a_reopened_incident_escalates_afresh_and_resolves_again():
    s = state_with(ev("r", 30, "resolved"), ev("re", 60, "reopened"))
    out = timed_events(s, team_settings(ack=None, auto=3600), T0.add(hours=3))
    assert out[0].id == "INC-1:esc:0:1:1"
    reopened = [e for e in out if e.at >= T0.add(minutes=60)]
    assert reopened[0].id == "INC-1:esc:1:1:1"
    assert reopened[-1].id == "INC-1:autoresolve:1"
    assert reopened[-1].at == T0.add(minutes=120)


def test_manual_escalation_moves_to_that_level_and_continues_from_there():
    s = state_with(
        ev("INC-1:esc:0:1:1", 0, "escalated", level=1, loop=1),
        ev("m", 5, "escalated", level=3, manual=True),
    )
    out = timed_events(s, team_settings(ack=None, auto=None), T0.add(hours=3))
    assert summary(out) == [
        ("escalated", 25, 1, 2, ("a",)),
        ("escalated", 35, 2, 2, ("b",)),
        ("escalated", 50, 3, 2, ("c",)),
    ]
    assert out[0].id == "INC-1:esc:1:1:2"


def test_reassignment_restarts_the_current_levels_delay():
    s = state_with(ev("r", 5, "reassigned", assignee="c"))
    out = timed_events(s, team_settings(ack=None, auto=None), T0.add(minutes=20))
    assert summary(out) == [("escalated", 0, 1, 1, ("a",)), ("escalated", 15, 2, 1, ("b",))]


def test_a_spent_timer_never_fires_twice():
    # reopened while open, auto-resolved, reopened, auto-resolved, then acknowledged (the
    # fold lets a resolved incident be acknowledged): nothing is due again
    s = state_with(
        ev("x0", 7, "reopened"), ev("x1", 108, "reopened"), ev("x2", 175, "acknowledged")
    )
    cfg = team_settings(ack=None, auto=3600, loops=3)
    out = timed_events(s, cfg, T0.add(minutes=300))
    assert [e.id for e in out if e.kind == "resolved"] == [
        "INC-1:autoresolve:1",
        "INC-1:autoresolve:2",
    ]
    for e in out:
        s.apply(e)
    assert timed_events(s, cfg, T0.add(minutes=600)) == []


def test_incidents_without_a_policy_or_closed_get_nothing():
    assert timed_events(state_with(service="bare"), team_settings(), T0.add(hours=9)) == []
    assert timed_events(state_with(service=None), team_settings(), T0.add(hours=9)) == []
    assert timed_events(state_with(ev("r", 1, "resolved")), team_settings(), T0.add(hours=9)) == []


def test_a_service_naming_a_missing_policy_only_auto_resolves():
    out = timed_events(state_with(), team_settings(policy="gone", auto=60), T0.add(hours=1))
    assert [e.kind for e in out] == ["resolved"]


def test_several_incidents_come_back_in_time_order():
    s = state_with()
    s.apply(
        Event(
            id="o2",
            at=T0.add(minutes=3),
            kind="opened",
            author="t",
            origin="local",
            text="",
            incident="INC-2",
            data={"service": "pay"},
        )
    )
    out = timed_events(s, team_settings(), T0.add(minutes=12))
    assert [(e.incident, e.data["level"]) for e in out] == [
        ("INC-1", 1),
        ("INC-2", 1),
        ("INC-1", 2),
    ]


def test_next_pages_from_the_timeline():
    cfg = team_settings(auto=None)
    s = state_with()
    for e in timed_events(s, cfg, T0.add(minutes=12)):
        s.apply(e)
    inc = s.incidents["INC-1"]
    pages = next_pages(cfg, inc, T0.add(minutes=12), s.timeline("INC-1"))
    assert [(int((p.at - T0).total_seconds() // 60), p.level, p.loop, p.users) for p in pages] == [
        (25, 3, 1, ("c",)),
        (45, 1, 2, ("a",)),
        (55, 2, 2, ("b",)),
        (70, 3, 2, ("c",)),
    ]
    # without the timeline, the incident's fields stand in: past steps are taken as done
    assert next_pages(cfg, inc, T0.add(minutes=12)) == pages


def test_outlook_of_an_acknowledged_incident():
    cfg = team_settings()
    s = state_with(ev("ack", 12, "acknowledged"))
    out = incident_outlook(cfg, s.incidents["INC-1"], T0.add(minutes=20), s.timeline("INC-1"))
    assert out.unacknowledge_at == T0.add(minutes=42)
    assert out.auto_resolve_at == T0.add(hours=4)
    assert out.pages[-1].at == T0.add(minutes=112)


def test_manual_escalation_data():
    cfg = team_settings()
    s = state_with()
    for e in timed_events(s, cfg, T0.add(minutes=50)):
        s.apply(e)
    data = manual_escalation(cfg, s.incidents["INC-1"], 2, T0.add(minutes=50), s.timeline("INC-1"))
    assert data == {"level": 2, "loop": 2, "notified": ["b"], "policy": "p", "manual": True}
    with pytest.raises(EscalationError, match="levels 1 to 3"):
        manual_escalation(cfg, s.incidents["INC-1"], 4, T0)
    bare = state_with(service="bare")
    with pytest.raises(EscalationError, match="no escalation policy"):
        manual_escalation(cfg, bare.incidents["INC-1"], 1, T0)


# -- properties: ticking often or catching up once gives the same timeline ----------------

from hypothesis import given  # noqa: E402
from hypothesis import settings as hsettings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

actions = st.lists(
    st.tuples(st.integers(0, 240), st.sampled_from(["acknowledged", "resolved", "reopened"])),
    max_size=5,
)


@hsettings(max_examples=25, deadline=None)
@given(
    acts=actions,
    ack=st.sampled_from([None, 600, 1800]),
    auto=st.sampled_from([None, 3600, 3 * 3600]),
    loops=st.integers(0, 3),
)
def test_ticking_or_catching_up_gives_the_same_events(acts, ack, auto, loops):
    # Ticks fall on every minute, as recorded events and timers do here: a tick sees each
    # event once its moment has come, before the timers due at that moment (so the
    # State's arrival order is time order). An event recorded between a timer's moment and
    # the tick that fires it would be folded after the timer's event by State.
    tick = 1
    cfg = team_settings(ack=ack, auto=auto, loops=loops)
    recorded = [ev(f"x{i}", m, kind) for i, (m, kind) in enumerate(sorted(acts))]
    end = T0.add(minutes=300)

    once = state_with()
    for e in recorded:
        once.apply(e)
    caught_up = timed_events(once, cfg, end)

    ticking = state_with()
    fired = []
    minute = 0
    pending = list(recorded)
    while minute <= 300:
        now = T0.add(minutes=minute)
        while pending and pending[0].at <= now:
            ticking.apply(pending.pop(0))
        # what a tick sees: only events recorded by now (later ones have not happened yet)
        for e in timed_events(ticking, cfg, now):
            ticking.apply(e)
            fired.append(e)
        minute += tick
    for e in timed_events(ticking, cfg, end):
        fired.append(e)
    if not once.incidents["INC-1"].is_open:
        # an incident someone already resolved gets nothing backfilled
        assert caught_up == []
        return
    assert {e.id: e.at for e in fired} == {e.id: e.at for e in caught_up}
    # and a second answer at the same instant adds nothing
    for e in caught_up:
        once.apply(e)
    assert timed_events(once, cfg, end) == []
