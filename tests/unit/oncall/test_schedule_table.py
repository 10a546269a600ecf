"""Who is on call: table tests across DST, restrictions, overrides and layers."""

from __future__ import annotations

import pytest

from console.domain.oncall import load_team

from .helpers import at, config, daily, layer, schedule, settings, weekly

USERS = ["a", "b", "c", "d"]


def sched(layers, tz="UTC", overrides=None):
    doc = config(schedules={"s": schedule(layers, tz, overrides)}, users=USERS)
    return load_team(settings(doc)).schedules["s"]


def who(s, text):
    return s.on_call(at(text))


BERLIN_SPRING = sched([layer(["a", "b", "c"], "2026-03-27T09:00:00+01:00", 86400)], "Europe/Berlin")
BERLIN_AUTUMN = sched([layer(["a", "b", "c"], "2026-10-23T09:00:00+02:00", 86400)], "Europe/Berlin")
NEW_YORK_SPRING = sched(
    [layer(["a", "b"], "2026-03-02T09:00:00-05:00", 604800)], "America/New_York"
)
NEW_YORK_AUTUMN = sched(
    [layer(["a", "b"], "2026-10-26T09:00:00-04:00", 604800)], "America/New_York"
)
# handoffs at a wall time that does not exist (02:30 on the spring-forward day) or happens twice
NEW_YORK_SKIPPED = sched(
    [layer(["a", "b"], "2026-03-06T02:30:00-05:00", 86400)], "America/New_York"
)
NEW_YORK_REPEATED = sched(
    [layer(["a", "b"], "2026-10-30T01:30:00-04:00", 86400)], "America/New_York"
)
OVERNIGHT = sched(
    [layer(["a"], "2026-01-01T00:00:00Z", 86400, restrictions=[daily("22:00:00", 8 * 3600)])]
)
OVERNIGHT_TWO = sched(
    [layer(["a", "b"], "2026-01-01T00:00:00Z", 86400, restrictions=[daily("22:00:00", 8 * 3600)])]
)
OVERNIGHT_NY = sched(
    [layer(["a"], "2026-01-01T00:00:00-05:00", 86400, restrictions=[daily("22:00:00", 8 * 3600)])],
    "America/New_York",
)
WEEKEND_NY = sched(
    [
        layer(
            ["a"],
            "2026-01-01T00:00:00-05:00",
            604800,
            restrictions=[weekly(6, "00:00:00", 2 * 86400)],
        )
    ],
    "America/New_York",
)
WEEKDAYS = sched(
    [
        layer(
            ["a"],
            "2026-01-01T00:00:00Z",
            604800,
            restrictions=[weekly(d, "09:00:00", 8 * 3600) for d in range(1, 6)],
        )
    ]
)
LAYERED = sched(
    [
        layer(["a"], "2026-01-01T00:00:00Z", 86400, name="base"),
        layer(
            ["b"],
            "2026-01-01T00:00:00Z",
            86400,
            restrictions=[daily("09:00:00", 8 * 3600)],
            name="day",
        ),
        layer(
            ["c"],
            "2026-01-01T00:00:00Z",
            86400,
            end="2026-02-01T00:00:00Z",
            restrictions=[daily("12:00:00", 3600)],
            name="lunch",
        ),
    ]
)
ENDED = sched([layer(["a", "b"], "2026-01-05T00:00:00Z", 86400, end="2026-01-10T00:00:00Z")])
VIRTUAL = sched(
    [layer(["a", "b", "c"], "2026-01-03T00:00:00Z", 86400, vstart="2026-01-01T00:00:00Z")]
)
OVERRIDDEN = sched(
    [layer(["a", "b"], "2026-01-01T00:00:00Z", 86400)],
    overrides=[
        {"start": "2026-01-01T10:00:00Z", "end": "2026-01-01T12:00:00Z", "user": "c"},
        {"start": "2026-01-02T20:00:00Z", "end": "2026-01-03T04:00:00Z", "user": "d"},
        {"start": "2026-01-05T00:00:00Z", "end": "2026-01-06T00:00:00Z", "user": "c"},
        {"start": "2026-01-05T06:00:00Z", "end": "2026-01-05T07:00:00Z", "user": "d"},
    ],
)

CASES = [
    # Europe: a daily 09:00 handoff stays at 09:00 local across both changes
    ("berlin spring, day before", BERLIN_SPRING, "2026-03-28T07:59:59Z", "a"),
    ("berlin spring, 09:00 CET", BERLIN_SPRING, "2026-03-28T08:00:00Z", "b"),
    ("berlin spring, 08:59 CEST", BERLIN_SPRING, "2026-03-29T06:59:59Z", "b"),
    ("berlin spring, 09:00 CEST", BERLIN_SPRING, "2026-03-29T07:00:00Z", "c"),
    ("berlin spring, 09:30 CEST", BERLIN_SPRING, "2026-03-29T07:30:00Z", "c"),
    ("berlin autumn, 08:30 CET", BERLIN_AUTUMN, "2026-10-25T07:30:00Z", "b"),
    ("berlin autumn, 09:00 CET", BERLIN_AUTUMN, "2026-10-25T08:00:00Z", "c"),
    # America: a weekly Monday 09:00 handoff
    ("new york spring, 08:30 EDT", NEW_YORK_SPRING, "2026-03-09T12:30:00Z", "a"),
    ("new york spring, 09:00 EDT", NEW_YORK_SPRING, "2026-03-09T13:00:00Z", "b"),
    ("new york autumn, 08:30 EST", NEW_YORK_AUTUMN, "2026-11-02T13:30:00Z", "a"),
    ("new york autumn, 09:00 EST", NEW_YORK_AUTUMN, "2026-11-02T14:00:00Z", "b"),
    ("skipped 02:30 happens at 03:30 EDT", NEW_YORK_SKIPPED, "2026-03-08T07:29:59Z", "b"),
    ("skipped 02:30, after", NEW_YORK_SKIPPED, "2026-03-08T07:30:00Z", "a"),
    ("the next day at 02:30 EDT", NEW_YORK_SKIPPED, "2026-03-09T06:30:00Z", "b"),
    ("repeated 01:30: first occurrence", NEW_YORK_REPEATED, "2026-11-01T05:29:59Z", "b"),
    ("repeated 01:30 EDT", NEW_YORK_REPEATED, "2026-11-01T05:30:00Z", "a"),
    ("next day 01:30 EST", NEW_YORK_REPEATED, "2026-11-02T06:30:00Z", "b"),
    # restrictions crossing midnight
    ("overnight, 23:00", OVERNIGHT, "2026-01-10T23:00:00Z", "a"),
    ("overnight, 05:59 next day", OVERNIGHT, "2026-01-11T05:59:59Z", "a"),
    ("overnight, 06:00 off", OVERNIGHT, "2026-01-11T06:00:00Z", None),
    ("overnight, 21:59 off", OVERNIGHT, "2026-01-11T21:59:59Z", None),
    (
        "overnight, handoff at midnight inside the window: before",
        OVERNIGHT_TWO,
        "2026-01-10T23:00:00Z",
        "b",
    ),
    (
        "overnight, handoff at midnight inside the window: after",
        OVERNIGHT_TWO,
        "2026-01-11T01:00:00Z",
        "a",
    ),
    ("overnight across spring forward: 05:59 EDT", OVERNIGHT_NY, "2026-03-08T09:59:59Z", "a"),
    ("overnight across spring forward: 06:00 EDT off", OVERNIGHT_NY, "2026-03-08T10:00:00Z", None),
    ("overnight across fall back: 22:00 EDT", OVERNIGHT_NY, "2026-10-31T02:00:00Z", "a"),
    ("overnight across fall back: 05:59 EST", OVERNIGHT_NY, "2026-11-01T10:59:59Z", "a"),
    ("overnight across fall back: 06:00 EST off", OVERNIGHT_NY, "2026-11-01T11:00:00Z", None),
    # weekly restrictions: the weekend (crossing the week's end) and weekdays
    ("weekend, Friday noon", WEEKEND_NY, "2026-01-09T17:00:00Z", None),
    ("weekend, Saturday 00:00", WEEKEND_NY, "2026-01-10T05:00:00Z", "a"),
    ("weekend, Sunday 23:59", WEEKEND_NY, "2026-01-12T04:59:59Z", "a"),
    ("weekend, Monday 00:00", WEEKEND_NY, "2026-01-12T05:00:00Z", None),
    ("weekdays, Monday 08:59", WEEKDAYS, "2026-01-12T08:59:59Z", None),
    ("weekdays, Monday 09:00", WEEKDAYS, "2026-01-12T09:00:00Z", "a"),
    ("weekdays, Friday 16:59", WEEKDAYS, "2026-01-16T16:59:59Z", "a"),
    ("weekdays, Friday 17:00", WEEKDAYS, "2026-01-16T17:00:00Z", None),
    ("weekdays, Saturday noon", WEEKDAYS, "2026-01-17T12:00:00Z", None),
    # several layers: the highest with someone on call wins
    ("layers: night is the base", LAYERED, "2026-01-10T03:00:00Z", "a"),
    ("layers: day layer covers", LAYERED, "2026-01-10T10:00:00Z", "b"),
    ("layers: top layer at lunch", LAYERED, "2026-01-10T12:30:00Z", "c"),
    ("layers: top layer ended", LAYERED, "2026-02-10T12:30:00Z", "b"),
    ("layers: evening back to base", LAYERED, "2026-01-10T17:00:00Z", "a"),
    # layers with a start and an end
    ("before the start", ENDED, "2026-01-04T23:59:59Z", None),
    ("at the start", ENDED, "2026-01-05T00:00:00Z", "a"),
    ("last turn", ENDED, "2026-01-09T23:59:59Z", "a"),
    ("at the end", ENDED, "2026-01-10T00:00:00Z", None),
    ("the virtual start sets the order", VIRTUAL, "2026-01-03T01:00:00Z", "c"),
    ("nobody before the start, virtual start or not", VIRTUAL, "2026-01-02T01:00:00Z", None),
    # overrides inside a turn, across a handoff, and overlapping (the later one wins)
    ("override inside a turn", OVERRIDDEN, "2026-01-01T11:00:00Z", "c"),
    ("after the override", OVERRIDDEN, "2026-01-01T12:00:00Z", "a"),
    ("override across a handoff, before", OVERRIDDEN, "2026-01-02T21:00:00Z", "d"),
    ("override across a handoff, after", OVERRIDDEN, "2026-01-03T02:00:00Z", "d"),
    ("after the override across turns", OVERRIDDEN, "2026-01-03T04:00:00Z", "a"),
    ("overlapping overrides: the later listed wins", OVERRIDDEN, "2026-01-05T06:30:00Z", "d"),
    ("overlapping overrides: the outer one resumes", OVERRIDDEN, "2026-01-05T07:00:00Z", "c"),
]


@pytest.mark.parametrize(
    ("name", "schedule_", "when", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_who_is_on_call(name, schedule_, when, expected):
    assert who(schedule_, when) == expected


def test_handoffs_across_spring_forward_are_at_local_nine():
    hand = BERLIN_SPRING.handoffs(at("2026-03-28T12:00:00Z"), 3)
    assert [(h.at.isoformat(), h.before, h.after) for h in hand] == [
        ("2026-03-29T07:00:00+00:00", "b", "c"),
        ("2026-03-30T07:00:00+00:00", "c", "a"),
        ("2026-03-31T07:00:00+00:00", "a", "b"),
    ]


def test_handoffs_include_overrides_and_skip_non_changes():
    hand = OVERRIDDEN.handoffs(at("2026-01-01T00:00:00Z"), 6)
    assert [(h.at.strftime("%d %H:%M"), h.before, h.after) for h in hand] == [
        ("01 10:00", "a", "c"),
        ("01 12:00", "c", "a"),
        ("02 00:00", "a", "b"),
        ("02 20:00", "b", "d"),
        ("03 04:00", "d", "a"),
        ("04 00:00", "a", "b"),
    ]


def test_handoff_to_and_from_nobody():
    hand = ENDED.handoffs(at("2026-01-01T00:00:00Z"), 10)
    assert (hand[0].before, hand[0].after) == (None, "a")
    assert (hand[-1].at.isoformat(), hand[-1].before, hand[-1].after) == (
        "2026-01-10T00:00:00+00:00",
        "a",
        None,
    )
    assert len(hand) == 6


def test_gaps_of_an_overnight_restriction():
    gaps = OVERNIGHT.gaps(at("2026-01-10T00:00:00Z"), at("2026-01-12T00:00:00Z"))
    assert [(s.isoformat(), e.isoformat()) for s, e in gaps] == [
        ("2026-01-10T06:00:00+00:00", "2026-01-10T22:00:00+00:00"),
        ("2026-01-11T06:00:00+00:00", "2026-01-11T22:00:00+00:00"),
    ]


def test_the_overnight_window_on_the_spring_forward_night_is_seven_hours():
    gaps = OVERNIGHT_NY.gaps(at("2026-03-07T12:00:00Z"), at("2026-03-09T00:00:00Z"))
    covered = [(s, e) for s, e in zip([g[1] for g in gaps], [g[0] for g in gaps[1:]], strict=False)]
    assert [(e - s).total_seconds() / 3600 for s, e in covered] == [7.0]


def test_gaps_before_start_and_after_end():
    gaps = ENDED.gaps(at("2026-01-01T00:00:00Z"), at("2026-01-20T00:00:00Z"))
    assert [(s.day, e.day) for s, e in gaps] == [(1, 5), (10, 20)]


def test_shifts_cover_the_range_without_holes():
    shifts = LAYERED.shifts(at("2026-01-10T00:00:00Z"), at("2026-01-11T00:00:00Z"))
    assert [(s.start.hour, s.user) for s in shifts] == [
        (0, "a"),
        (9, "b"),
        (12, "c"),
        (13, "b"),
        (17, "a"),
    ]
    assert all(x.end == y.start for x, y in zip(shifts, shifts[1:], strict=False))
