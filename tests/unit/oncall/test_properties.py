"""Property tests: coverage, who can be on call, the turn formula, the size of a plan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from console.domain.oncall import load_team, notification_plan, plan_entries

from .helpers import config, daily, layer, rule, schedule, settings, weekly

ZONES = [
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",
]
HANDLES = ["a", "b", "c", "d", "e"]
BASE = datetime(2026, 1, 1, tzinfo=UTC)
FAST = hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

instants = st.integers(min_value=0, max_value=3 * 365 * 86400).map(
    lambda s: BASE + timedelta(seconds=s)
)
turns = st.sampled_from(
    [3600, 4 * 3600, 8 * 3600, 12 * 3600, 86400, 2 * 86400, 604800, 1209600]
) | st.integers(min_value=600, max_value=3 * 604800)
users = st.lists(st.sampled_from(HANDLES), min_size=1, max_size=5)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


restriction = st.one_of(
    st.builds(
        lambda h, m, d: daily(f"{h:02d}:{m:02d}:00", d),
        st.integers(0, 23),
        st.sampled_from([0, 30]),
        st.integers(600, 86400),
    ),
    st.builds(
        lambda day, h, d: weekly(day, f"{h:02d}:00:00", d),
        st.integers(1, 7),
        st.integers(0, 23),
        st.integers(3600, 604800),
    ),
)


def _one(tz, layers, overrides=None):
    doc = config(schedules={"s": schedule(layers, tz, overrides)}, users=HANDLES)
    return load_team(settings(doc)).schedules["s"]


@FAST
@given(
    tz=st.sampled_from(ZONES),
    start=instants,
    lead=st.integers(0, 400 * 86400),
    turn=turns,
    people=users,
    offset=st.integers(0, 500 * 86400),
)
def test_a_layer_without_restrictions_leaves_no_gap_after_its_start(
    tz, start, lead, turn, people, offset
):
    vstart = start - timedelta(seconds=lead)
    s = _one(tz, [layer(people, _iso(start), turn, vstart=_iso(vstart))])
    begin = start + timedelta(seconds=offset)
    assert s.gaps(begin, begin + timedelta(days=30)) == []
    assert s.on_call(start) is not None
    assert s.on_call(start - timedelta(seconds=1)) is None


@FAST
@given(
    tz=st.sampled_from(ZONES),
    layers=st.lists(
        st.tuples(instants, turns, users, st.lists(restriction, max_size=2)), min_size=1, max_size=3
    ),
    overrides=st.lists(
        st.tuples(instants, st.integers(60, 5 * 86400), st.sampled_from(HANDLES)), max_size=3
    ),
    when=instants,
)
def test_the_person_on_call_comes_from_a_layer_or_an_override(tz, layers, overrides, when):
    s = _one(
        tz,
        [layer(p, _iso(st_), turn, restrictions=r) for st_, turn, p, r in layers],
        [
            {"start": _iso(o), "end": _iso(o + timedelta(seconds=d)), "user": u}
            for o, d, u in overrides
        ],
    )
    user, source = s.who(when.timestamp())
    if user is None:
        return
    if source == "override":
        assert any(o.start <= when.timestamp() < o.end and o.user == user for o in s.overrides)
    else:
        chosen = next(layer_ for layer_ in s.layers if layer_.name == source)
        assert user in chosen.users


@FAST
@given(
    tz=st.sampled_from(ZONES),
    start=instants,
    turn=turns,
    people=users,
    restrictions=st.lists(restriction, max_size=2),
    begin=instants,
)
def test_handoffs_agree_with_who_is_on_call(tz, start, turn, people, restrictions, begin):
    s = _one(tz, [layer(people, _iso(start), turn, restrictions=restrictions)])
    hand = s.handoffs(begin, 5, horizon_days=30)
    previous = begin
    for h in hand:
        assert h.at > previous
        assert s.on_call(h.at - timedelta(microseconds=1)) == h.before
        assert s.on_call(h.at) == h.after
        previous = h.at


@FAST
@given(
    tz=st.sampled_from(ZONES),
    start=instants,
    turn=st.integers(3600, 3 * 86400),
    people=st.lists(st.sampled_from(HANDLES), min_size=2, max_size=5, unique=True),
    steps=st.integers(1, 300),
)
def test_the_turn_formula_matches_counting_turns_one_by_one(tz, start, turn, people, steps):
    s = _one(tz, [layer(people, _iso(start), turn)])
    lay = s.layers[0]
    # walk the turns from the start, the slow way, and ask the fast way at each turn's middle
    t = lay.start
    for k in range(steps):
        nxt = lay._turn_start(k + 1)
        assert nxt > t
        middle = (t + nxt) / 2
        assert lay.user_at(middle) == people[k % len(people)]
        t = nxt


@FAST
@given(
    delays=st.lists(st.integers(1, 120), min_size=1, max_size=6),
    loops=st.integers(0, 9),
    kinds=st.lists(st.booleans(), min_size=6, max_size=6),
    start=instants,
)
def test_with_single_user_targets_and_full_coverage_the_plan_has_rules_times_passes_entries(
    delays, loops, kinds, start
):
    # each rule targets one user, directly or through a schedule that always has someone
    schedules = {
        f"s{i}": schedule([layer([h], "2025-01-01T00:00:00Z", 86400)], "Europe/Berlin")
        for i, h in enumerate(HANDLES)
    }
    rules = [
        rule(d, ("schedule", f"s{i % 5}") if kinds[i] else ("user", HANDLES[i % 5]))
        for i, d in enumerate(delays)
    ]
    doc = config(
        schedules=schedules, policies={"p": {"num_loops": loops, "rules": rules}}, users=HANDLES
    )
    team = load_team(settings(doc))
    entries = plan_entries(notification_plan(team, team.policies["p"], start))
    assert len(entries) == len(delays) * (loops + 1)
    assert [e.level for e in entries] == list(range(1, len(delays) + 1)) * (loops + 1)
    assert all(x.at <= y.at for x, y in zip(entries, entries[1:], strict=False))
    assert (entries[-1].at - entries[0].at).total_seconds() == 60 * (
        sum(delays) * (loops + 1) - delays[-1]
    )


ODD_ZONES = ZONES + [
    "Africa/Casablanca",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "America/Santiago",
    "Asia/Tehran",
]


@FAST
@given(
    tz=st.sampled_from(ODD_ZONES),
    start=instants,
    turn=turns,
    people=users,
    restrictions=st.lists(restriction, max_size=2),
    when=st.integers(min_value=0, max_value=4 * 365 * 86400).map(
        lambda s: BASE + timedelta(seconds=s)
    ),
)
def test_the_steady_offset_shortcut_agrees_with_exact_conversion(
    tz, start, turn, people, restrictions, when
):
    from console.domain.oncall.times import wall_of

    lay = _one(tz, [layer(people, _iso(start), turn, restrictions=restrictions)]).layers[0]
    t = when.timestamp()
    exact_w = wall_of(t, lay.tz)
    assert lay.user_at(t) == lay.user_at(t, exact_w, None)
    assert lay.next_boundary(t) == lay.next_boundary(t, exact_w, None)
