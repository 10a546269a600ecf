"""The PagerDuty Condition Language subset: every form, true and false, and parse errors."""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.intake.alert import Alert
from console.domain.intake.condition import ConditionError, compile_condition

T = pendulum.datetime(2026, 8, 19, 12, 0, tz="UTC")  # a Wednesday
ALERT = Alert(
    format="events_v2",
    action="trigger",
    dedup_key="srv01/mysql",
    summary="DISK at 99% on prod-db-03",
    source="db-03.example.com",
    severity="critical",
    component="mysql",
    group="prod-datapipe",
    event_class="disk",
    custom_details={
        "free space": "1%",
        "team": "storage",
        "load": 0.75,
        "hosts": ["a-1", "b-2"],
        "nested": {"k": "v"},
    },
)


@pytest.mark.parametrize(
    "condition, expected",
    [
        # matches (exact, case-sensitive)
        ("event.severity matches 'critical'", True),
        ("event.severity matches 'Critical'", False),
        ("event.severity matches 'crit'", False),
        ('event.component matches "mysql"', True),
        # matches part (contains, case-insensitive)
        ("event.summary matches part 'disk'", True),
        ("event.summary matches part 'PROD-DB'", True),
        ("event.summary matches part 'memory'", False),
        # matches regex (searched anywhere)
        ("event.source matches regex 'db-\\d+'", True),
        ("event.source matches regex '^db-0[0-2]'", False),
        ("event.summary matches regex '9\\d%'", True),
        # exists
        ("event.group exists", True),
        ("event.class exists", True),
        ("event.custom_details.team exists", True),
        ("event.custom_details.owner exists", False),
        # every field
        ("event.group matches 'prod-datapipe'", True),
        ("event.class matches 'disk'", True),
        ("event.dedup_key matches 'srv01/mysql'", True),
        ("event.custom_details.team matches 'storage'", True),
        ("event.custom_details['free space'] matches '1%'", True),
        ("event.custom_details.load matches '0.75'", True),
        ("event.custom_details.hosts matches 'b-2'", True),
        ("event.custom_details.hosts[0] matches 'a-1'", True),
        ("event.custom_details.hosts[1] matches 'a-1'", False),
        ("event.custom_details.nested.k matches 'v'", True),
        # boolean forms and precedence (not > and > or)
        ("event.severity matches 'critical' and event.component matches 'mysql'", True),
        ("event.severity matches 'critical' and event.component matches 'redis'", False),
        ("event.severity matches 'info' or event.component matches 'mysql'", True),
        ("event.severity matches 'info' or event.component matches 'redis'", False),
        ("not event.severity matches 'info'", True),
        ("not event.group exists", False),
        ("not not event.group exists", True),
        (
            "event.severity matches 'info' or event.group exists and event.class matches 'disk'",
            True,
        ),
        (
            "(event.severity matches 'info' or event.group exists) and event.class matches 'cpu'",
            False,
        ),
        (
            "event.severity matches 'info' and event.group exists or event.class matches 'disk'",
            True,
        ),
        ("NOT event.severity MATCHES PART 'INFO' AND event.source EXISTS", True),
        # a missing field never matches
        ("event.custom_details.owner matches part ''", False),
        ("not event.custom_details.owner matches 'x'", True),
        # quotes and escapes
        ("event.summary matches part 'it\\'s'", False),
        ('event.summary matches part "99%"', True),
    ],
)
def test_condition_forms(condition, expected):
    assert compile_condition(condition)(ALERT) is expected
    assert compile_condition(condition)(ALERT, T) is expected  # no time in it: now is irrelevant


@pytest.mark.parametrize(
    "condition, needle",
    [
        ("", "empty"),
        ("event.summary", "expected 'matches' or 'exists'"),
        ("event.summary matches", "expected a quoted string"),
        ("event.summary matches part", "expected a quoted string"),
        ("event.summary matches 'x' and", "expected a field"),
        ("event.sumary matches 'x'", "unknown field 'event.sumary'"),
        ("event.custom_details matches 'x'", "needs a name"),
        ("event.summary.x matches 'x'", "has no sub-fields"),
        ("summary matches 'x'", "expected a field"),
        ("event matches 'x'", "must be followed by a field"),
        ("event.summary matches 'x", "unterminated string"),
        ("event.summary matches regex '(['", "bad regular expression"),
        ("(event.summary exists", "expected ')'"),
        ("event.summary exists event.source exists", "expected 'and', 'or' or the end"),
        ("event.summary equals 'x'", "expected 'matches' or 'exists'"),
        ("event.summary matches 'x' & event.group exists", "unexpected '&'"),
        ("event.custom_details[x] exists", "expected [N] or ['name']"),
    ],
)
def test_condition_errors_say_what_and_where(condition, needle):
    with pytest.raises(ConditionError) as exc:
        compile_condition(condition)
    assert needle in str(exc.value)


def test_condition_must_be_text():
    with pytest.raises(ConditionError):
        compile_condition(42)  # type: ignore[arg-type]


BERLIN_NIGHT = "now in Mon,Tue,Wed,Thu,Fri,Sat,Sun 01:00:00 to 03:00:00 Europe/Berlin"


@pytest.mark.parametrize(
    "condition, at, expected",
    [
        # Berlin is UTC+2 in August
        (BERLIN_NIGHT, "2026-08-19T23:00:00Z", True),  # 01:00 local: start inclusive
        (BERLIN_NIGHT, "2026-08-20T00:59:59Z", True),
        (BERLIN_NIGHT, "2026-08-20T01:00:00Z", False),  # 03:00 local: end exclusive
        (BERLIN_NIGHT, "2026-08-19T22:59:59Z", False),
        # weekdays only, Sat and Sun out
        ("now in Mon,Tue,Wed,Thu,Fri 09:00 to 17:00 UTC", "2026-08-19T12:00:00Z", True),
        ("now in Mon,Tue,Wed,Thu,Fri 09:00 to 17:00 UTC", "2026-08-22T12:00:00Z", False),
        ("now in monday 09:00 to 17:00 UTC", "2026-08-17T09:00:00Z", True),
        # over midnight: Friday 22:00 to Saturday 06:00
        ("now in Fri 22:00:00 to 06:00:00 UTC", "2026-08-21T23:00:00Z", True),
        ("now in Fri 22:00:00 to 06:00:00 UTC", "2026-08-22T05:59:00Z", True),
        ("now in Fri 22:00:00 to 06:00:00 UTC", "2026-08-22T06:00:00Z", False),
        ("now in Fri 22:00:00 to 06:00:00 UTC", "2026-08-21T05:00:00Z", False),  # Friday morning
        # a one-off span
        (
            "now in 2026-08-19 10:00:00 to 2026-08-19 14:00:00 America/New_York",
            "2026-08-19T15:00:00Z",
            True,
        ),
        (
            "now in 2026-08-19 10:00:00 to 2026-08-19 14:00:00 America/New_York",
            "2026-08-19T13:59:59Z",
            False,
        ),
        # combined with fields
        (f"event.component matches 'mysql' and {BERLIN_NIGHT}", "2026-08-19T23:30:00Z", True),
        (f"event.component matches 'redis' and {BERLIN_NIGHT}", "2026-08-19T23:30:00Z", False),
        (f"not {BERLIN_NIGHT}", "2026-08-19T12:00:00Z", True),
    ],
)
def test_time_conditions(condition, at, expected):
    cond = compile_condition(condition)
    assert cond(ALERT, pendulum.parse(at)) is expected


def test_a_time_condition_without_a_time_does_not_match():
    assert compile_condition(BERLIN_NIGHT)(ALERT) is False


@pytest.mark.parametrize(
    "condition, needle",
    [
        ("now in Mon 09:00 to 17:00 Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
        ("now in Funday 09:00 to 17:00 UTC", "'Funday' is not a day"),
        ("now in Mon 25:00 to 17:00 UTC", "'25:00' is not a time of day"),
        ("now in Mon 09:00 until 17:00 UTC", "expected 'now in Mon,Tue"),
        ("now in 2026-08-19 10:00:00 to 2026-08-19 09:00:00 UTC", "ends before it starts"),
    ],
)
def test_time_condition_errors(condition, needle):
    with pytest.raises(ConditionError) as exc:
        compile_condition(condition)
    assert needle in str(exc.value)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    path=st.one_of(
        st.tuples(
            st.sampled_from(
                (
                    "summary",
                    "source",
                    "severity",
                    "component",
                    "group",
                    "class",
                    "dedup_key",
                    "nope",
                )
            )
        ),
        st.tuples(st.just("custom_details"), st.sampled_from(("a", "b", "c"))),
        st.tuples(
            st.just("custom_details"),
            st.sampled_from(("a", "b")),
            st.one_of(st.sampled_from(("a", "x")), st.integers(-3, 3)),
        ),
    ),
    text=st.sampled_from(("", "db-1", "x y")),
    details=st.one_of(
        st.dictionaries(
            st.sampled_from(("a", "b")),
            st.one_of(
                st.none(),
                st.text(max_size=3),
                st.integers(),
                st.lists(st.text(max_size=2), max_size=3),
                st.dictionaries(st.sampled_from(("a", "x")), st.text(max_size=2), max_size=2),
            ),
            max_size=2,
        ),
        st.just("not a dict"),
    ),
)
def test_a_field_reader_reads_what_field_value_reads(path, text, details):
    from console.domain.intake.alert import Alert, field_reader

    alert = Alert(
        "events_v2",
        "trigger",
        text or None,
        summary=text,
        source=text,
        severity=text,
        component=text,
        group=text,
        event_class=text,
        custom_details=details,  # type: ignore[arg-type]
    )
    assert field_reader(path)(alert) == alert.field_value(path)
