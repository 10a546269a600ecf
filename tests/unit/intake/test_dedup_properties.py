"""Dedup's algebra, over random sequences of triggers, acks and resolves."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.model import State
from tests.unit.intake.helpers import T0, Feed, action, trigger

KEYS = ("a", "b", "c", "d")
OPS = st.lists(
    st.tuples(st.sampled_from(("trigger", "acknowledge", "resolve")), st.sampled_from(KEYS)),
    max_size=40,
)
GROUPING = st.sampled_from(
    ({"type": "none"}, {"type": "time", "timeout": 0}, {"type": "time", "timeout": 120})
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(ops=OPS, grouping=GROUPING)
def test_open_alerts_follow_a_simple_model(ops, grouping):
    f = Feed(
        {"services": {"payments": {"integration_keys": ["KEY-PAY"], "alert_grouping": grouping}}}
    )
    open_keys: set[str] = set()
    for step, (op, key) in enumerate(ops):
        at = T0.add(seconds=60 * step)
        res = f.send(trigger(key) if op == "trigger" else action(op, key), at=at)
        kinds = f.kinds(res)
        if op == "trigger":
            assert kinds[-1] == ("alert_updated" if key in open_keys else "alert_triggered")
            if grouping["type"] == "none" and key not in open_keys:
                assert kinds[0] == "opened"
            open_keys.add(key)
        elif key not in open_keys:
            assert kinds == ["alert_dropped"]
        elif op == "resolve":
            open_keys.discard(key)
            assert kinds[0] == "alert_resolved"
        # the book holds exactly the open keys, each on an open incident
        assert {e.key for e in f.state.alerts.open_entries()} == open_keys
        for k in open_keys:
            inc = f.state.get(f.state.alerts.entry(k).incident)
            assert inc.is_open
        # an incident is open exactly while it holds an open alert (no one resolves by hand)
        for inc in f.state.incidents.values():
            assert inc.is_open == bool(f.state.alerts.keys_of(inc.id))
    # one intent per incident opened, and one resolve intent per incident resolved
    opened = [i for i in f.intents if i["op"] == "incident.open"]
    assert len(opened) == len(f.state.incidents)
    resolved = [i for i in f.intents if i["op"] == "incident.resolve"]
    assert len(resolved) == sum(1 for i in f.state.incidents.values() if not i.is_open)
    # folding the same events again (a journal replay) rebuilds the same book
    again = State()
    for ev in f.events + f.events:
        again.apply(ev)
    assert sorted(again.alerts.open_entries(), key=lambda e: e.key) == sorted(
        f.state.alerts.open_entries(), key=lambda e: e.key
    )
