"""An Events v2 trigger with nothing to report or clean takes a short path through the
parser: over bodies good, blank, dirty, long and wrongly typed, field by field, it must
answer exactly what the full path answers (the same Alert, or the same errors)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.intake import alert as alert_mod
from console.domain.intake.alert import AlertFormatError, parse_body
from tests.unit.intake.helpers import T0

# texts: clean, blank, padded, with control and bidi characters, long, not text at all
TEXT = st.one_of(
    st.sampled_from(["db-1", "errors on web-3", "", "   ", " padded ", "tab\there", "x" * 300]),
    st.sampled_from(["line\nbreak", "bidi\u202eevil", "zero\u200bwidth", "\x07bell", "é ü"]),
    st.just("y" * 1100),
    st.text(max_size=12),
    st.integers(-3, 3),
    st.none(),
    st.lists(st.just("a"), max_size=2),
)
SEVERITY = st.one_of(st.sampled_from(["critical", "error", "warning", "info", "fatal", ""]), TEXT)
DETAILS = st.one_of(
    st.none(),
    TEXT,
    st.dictionaries(
        st.one_of(TEXT.filter(lambda t: isinstance(t, str)), st.just("k " * 80)),
        st.one_of(TEXT, st.floats(allow_nan=False), st.booleans()),
        max_size=4,
    ),
)
ABSENT = object()
MAYBE = st.one_of(st.just(ABSENT), TEXT)
GOOD = {
    "routing_key": "KEY-PAY",
    "event_action": "trigger",
    "dedup_key": "alert-1",
    "client": "Monitor",
    "payload": "dict",
    "summary": "errors on db-1",
    "source": "db-1",
    "severity": "warning",
    "timestamp": ABSENT,
    "component": "c1",
    "group": ABSENT,
    "class": "disk",
    "custom_details": {"env": "prod", "n": 7},
}
# what each field may be spoiled with
SPOILED = {
    "routing_key": MAYBE,
    "event_action": st.sampled_from(["acknowledge", "resolve", "x", ABSENT]),
    "dedup_key": st.one_of(st.just(" " * 300), st.just("k" * 256), MAYBE),
    "client": st.one_of(st.just("c" * 70), MAYBE),
    "payload": st.sampled_from(["text", ABSENT]),
    "summary": MAYBE,
    "source": MAYBE,
    "severity": st.one_of(st.just(ABSENT), SEVERITY),
    "timestamp": st.sampled_from([None, "", "2026-08-20T10:00:00Z", "soon"]),
    "component": MAYBE,
    "group": MAYBE,
    "class": MAYBE,
    "custom_details": st.one_of(st.just(ABSENT), DETAILS),
}
PAYLOAD_FIELDS = ("summary", "source", "severity", "timestamp", "component", "group", "class")


@st.composite
def bodies(draw) -> dict:
    """A good trigger with none, one or a few of its fields spoiled."""
    fields = dict(GOOD)
    for name in draw(st.lists(st.sampled_from(sorted(SPOILED)), max_size=3, unique=True)):
        fields[name] = draw(SPOILED[name])
    payload = {k: fields[k] for k in (*PAYLOAD_FIELDS, "custom_details") if fields[k] is not ABSENT}
    body = {
        k: fields[k]
        for k in ("routing_key", "event_action", "dedup_key", "client")
        if fields[k] is not ABSENT
    }
    if fields["payload"] == "dict":
        body["payload"] = payload
    elif fields["payload"] == "text":
        body["payload"] = "not an object"
    return body


BODIES = bodies()


def _answer(body: dict):
    try:
        return parse_body(body, T0, "events_v2")
    except AlertFormatError as exc:
        return ("error", exc.errors)


@settings(max_examples=600, deadline=None, derandomize=True)
@given(body=BODIES)
def test_the_short_path_answers_as_the_full_path(body):
    short = _answer(body)
    original = alert_mod._clean_trigger
    alert_mod._clean_trigger = lambda body: None  # the full path, for every body
    try:
        full = _answer(body)
    finally:
        alert_mod._clean_trigger = original
    assert short == full


def test_the_short_path_takes_the_usual_trigger():
    body = {
        "routing_key": "KEY-PAY",
        "event_action": "trigger",
        "dedup_key": "alert-7",
        "payload": {
            "summary": "errors on db-1",
            "source": "db-1",
            "severity": "error",
            "component": "c1",
            "custom_details": {"env": "prod", "n": 7},
        },
    }
    fast = alert_mod._clean_trigger(body)
    assert fast is not None and [fast] == parse_body(body, T0, "events_v2")
    assert fast.client == "events-api" and fast.custom_details == {"env": "prod", "n": 7}
