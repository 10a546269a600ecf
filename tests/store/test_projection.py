"""Opening a compacted store from its projection equals folding every stored event."""

from __future__ import annotations

import random

import pendulum

from console.domain.model import Event, State
from console.store import Batch, Store

T0 = pendulum.datetime(2026, 11, 30, 9, tz="UTC")


def _history(seed: int) -> list[Event]:
    """A varied history: alerts, groups, acks, roles, tasks, snoozes, merges, reopenings."""
    rng = random.Random(seed)
    evs: list[Event] = []
    n = 0

    def ev(inc, kind, text="", **data):
        nonlocal n
        n += 1
        evs.append(
            Event(
                id=f"e{n}",
                at=T0.add(seconds=n, microseconds=rng.randint(0, 999_999)),
                kind=kind,
                author=rng.choice(["alice", "bob"]),
                origin="local",
                text=text or kind,
                incident=inc,
                data=data,
            )
        )

    ev(None, "component_status", component="API", status="degraded_performance")
    ev(
        None,
        "maintenance_scheduled",
        service="db",
        start="2026-12-01T00:00:00Z",
        end="2026-12-01T02:00:00Z",
    )
    ev("INC-99", "note", "before its incident exists: kept in the log only")
    for i in range(1, 41):
        inc = f"INC-{i}"
        ev(
            inc,
            "opened",
            title=f"incident {i}",
            severity=rng.randint(1, 5),
            group=f"g{i % 3}",
            service="db",
        )
        ev(inc, "alert_triggered", dedup_key=f"k{i}", summary="cpu")
        for _ in range(rng.randint(0, 4)):
            kind = rng.choice(
                [
                    "note",
                    "acknowledged",
                    "role_assigned",
                    "task_added",
                    "snoozed",
                    "severity_changed",
                    "provider_linked",
                    "status_page_update",
                ]
            )
            data = {
                "role_assigned": {"role": "commander", "user": "alice"},
                "task_added": {"text": "fix it", "owner": "bob"},
                "snoozed": {"until": "2026-11-30T10:00:00Z"},
                "severity_changed": {"severity": 2},
                "provider_linked": {"provider": "pagerduty", "id": f"P{i}"},
                "status_page_update": {"status": "identified"},
            }.get(kind, {})
            ev(inc, kind, **data)
        roll = rng.random()
        if roll < 0.3:
            ev(inc, "resolved")
        elif roll < 0.4 and i > 1:
            ev(inc, "merged_into", into="INC-1")
        elif roll < 0.5:
            ev(inc, "resolved")
            ev(inc, "reopened")
    ev("INC-5", "opened", title="opened again: a new timeline")
    ev(None, "component_status", component="API", status="operational")
    return evs


def _same(a: State, b: State) -> None:
    assert a.incidents == b.incidents
    assert a.last_number == b.last_number
    assert a.event_ids == b.event_ids
    assert {k: list(v) for k, v in a.timelines.items()} == {
        k: list(v) for k, v in b.timelines.items()
    }
    assert a.log == b.log
    assert a.store_events == b.store_events
    assert a.components == b.components
    assert a.maintenance == b.maintenance
    for name in ("_entries", "_keys", "_groups", "_resolved"):
        assert getattr(a.alerts, name) == getattr(b.alerts, name), name


def test_a_compacted_store_opens_to_the_folded_state(tmp_path):
    history = _history(7)
    folded = State()
    for e in history:
        folded.apply(e)
    store = Store.open(tmp_path / "s")
    store.transact(lambda s: Batch(events=history))
    store.compact()
    store.close()

    reopened = Store.open(tmp_path / "s", read_only=True)
    assert reopened.state.timelines.raw, "timelines stay records until read"
    # one timeline read by id, before anything else: only that one becomes Events
    assert reopened.state.timeline("INC-3") == folded.timeline("INC-3")
    assert "INC-3" not in reopened.state.timelines.raw
    _same(reopened.state, folded)


def test_new_events_after_the_snapshot_land_after_the_stored_ones(tmp_path):
    history = _history(11)
    store = Store.open(tmp_path / "s")
    store.transact(lambda s: Batch(events=history))
    store.compact()
    store.close()

    store = Store.open(tmp_path / "s")
    later = Event(
        id="late",
        at=T0.add(hours=2),
        kind="acknowledged",
        author="carol",
        origin="local",
        text="ack",
        incident="INC-2",
    )
    store.transact(lambda s: Batch(events=[later]))
    replay = Event(
        id=history[5].id,
        at=T0,
        kind="note",
        author="x",
        origin="local",
        text="dup",
        incident="INC-2",
    )
    store.transact(lambda s: Batch(events=[replay]))  # an id already stored changes nothing

    folded = State()
    for e in [*history, later, replay]:
        folded.apply(e)
    assert store.state.timeline("INC-2")[-1].id == "late"
    _same(store.state, folded)
    # and the same again from disk, snapshot plus journal
    _same(Store.open(tmp_path / "s", read_only=True).state, folded)


def test_a_copy_of_the_timelines_holds_whole_timelines(tmp_path):
    history = _history(3)
    store = Store.open(tmp_path / "s")
    store.transact(lambda s: Batch(events=history))
    store.compact()
    state = Store.open(tmp_path / "s", read_only=True).state
    copied = dict(state.timelines)
    assert all(isinstance(e, Event) for t in copied.values() for e in t)
    folded = State()
    for e in history:
        folded.apply(e)
    assert copied == folded.timelines
