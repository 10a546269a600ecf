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


BODIES = st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(ops=OPS, sizes=BODIES, grouping=GROUPING)
def test_alerts_sent_together_do_what_they_do_one_by_one(ops, sizes, grouping):
    """Intake folds a body's earlier alerts before it takes the later ones: the same
    alerts in one call or in one call each give the same events and intents."""
    from console.domain.intake.alert import parse_body
    from console.domain.intake.engine import intake_alerts
    from tests.unit.intake.helpers import counter_ids
    from tests.unit.intake.helpers import settings as make_settings

    doc = {
        "services": {
            "payments": {
                "integration_keys": ["KEY-PAY"],
                "alert_grouping": grouping,
                "escalation_policy": "p",
            }
        },
        "users": {"ada": {"name": "Ada"}},
        "policies": {
            "p": {
                "rules": [
                    {"escalation_delay_in_minutes": 5, "targets": [{"type": "user", "id": "ada"}]}
                ]
            }
        },
    }
    conf = make_settings(doc)
    bodies = [trigger(key) if op == "trigger" else action(op, key) for op, key in ops]

    def run(arrivals: list[tuple[int, list[dict]]]) -> tuple[list, list]:
        """Intake of each (minute, bodies) in turn, at that minute."""
        state, ids, events, intents = State(), counter_ids(), [], []
        for step, bodies_now in arrivals:
            at = T0.add(seconds=60 * step)
            alerts = [a for body in bodies_now for a in parse_body(body, at)]
            res = intake_alerts(state, conf, alerts, at, ids=ids)
            for ev in res.events:
                state.apply(ev)
            # a body's pages are worked out once for the whole body (an incident opened
            # and acknowledged by one body is never paged): alerts' events only
            events += [
                (e.kind, e.incident, e.text, e.data)
                for e in res.events
                if e.origin != "escalation" and e.author != "escalation"
            ]
            intents += [(i["op"], i["incident"], i["args"]) for i in res.intents]
        return events, intents

    chunks: list[list[dict]] = []
    rest = list(bodies)
    for size in sizes:
        if rest:
            chunks.append(rest[:size])
            rest = rest[size:]
    if rest:
        chunks.append(rest)
    together = run(list(enumerate(chunks)))
    # one by one, each at the instant its body arrived
    separately = run([(step, [b]) for step, c in enumerate(chunks) for b in c])
    assert together == separately
