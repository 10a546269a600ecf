"""The PagerDuty Condition Language subset: every form, true and false, and parse errors."""

from __future__ import annotations

import pytest

from console.domain.intake.alert import Alert
from console.domain.intake.condition import ConditionError, compile_condition

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
