"""The running drill as the screen drives it: tick by the simulated clock, commands at the
simulated time, other responders and customers, and no network at all."""

from __future__ import annotations

import socket

import pytest

from console.drill import DEFAULT_SCENARIO, start_drill
from tests.drill.conftest import responses


@pytest.fixture
def welcome(drill_root):
    # the screen's worker: a paused clock moved by hand stands in for x1 real time
    session = start_drill(DEFAULT_SCENARIO, root=drill_root, speed=1, paused=True)
    yield session
    session.close()


def _run_for(session, seconds, step=0.25):
    """Tick four times a simulated second, as the screen's worker does at x1."""
    happened = []
    for _ in range(int(seconds / step)):
        session.clock.advance(step)
        happened += session.tick()
    return happened


def test_the_default_drill_is_interesting_within_the_first_minute(welcome):
    assert welcome.clock.now() == welcome.scenario.start
    assert welcome.tick() == []  # nothing yet at 0s
    _run_for(welcome, 10)
    inc = welcome.store.state.get("INC-1")
    assert inc is not None, "an alert arrives within ~10 s"
    assert inc.status == "triggered"
    assert welcome.store.state.timeline("INC-1")[0].origin == "intake"
    _run_for(welcome, 170, step=5)
    kinds = [(e.kind, e.data.get("level")) for e in welcome.store.state.timeline("INC-1")]
    assert ("escalated", 2) in kinds, "the page escalates within a few minutes"
    assert not welcome.finished


def test_commands_run_at_the_simulated_time_as_the_commander(welcome):
    _run_for(welcome, 12)
    welcome.clock.advance(60)
    out = welcome.execute("ack")  # the only open incident
    ev = out.events[0]
    assert ev.kind == "acknowledged" and ev.origin == "local" and ev.author == "You"
    assert ev.at == welcome.clock.now()
    assert welcome.store.state.get("INC-1").status == "acknowledged"


def test_speed_and_pause_drive_the_clock(welcome):
    clock = welcome.clock
    clock.set_speed(60)
    clock.pause(False)
    clock.pause(True)
    before = clock.now()
    clock.advance(1)
    assert (clock.now() - before).total_seconds() == pytest.approx(1)
    assert clock.speed == 60 and clock.paused


def test_an_ack_at_the_second_an_escalation_falls_due_wins(drill_root, tmp_path):
    # welcome's first escalation is due at +8s + 2m = +2m08s
    script = tmp_path / "r.yaml"
    script.write_text('- {at: "+128s", command: "ack INC-1"}\n')
    session = start_drill(DEFAULT_SCENARIO, root=drill_root, headless=True, responses=script)
    session.run_headless()
    levels = [
        e.data.get("level")
        for e in session.store.state.timeline("INC-1")
        if e.kind == "escalated" and e.at <= session.scenario.start.add(seconds=128)
    ]
    assert levels == [1]
    session.close()


def test_other_responders_and_customers_arrive_with_their_origins(drill_root):
    session = start_drill(
        "welcome", root=drill_root, headless=True, responses=responses("welcome", "meets")
    )
    session.run_headless()
    timeline = session.store.state.timeline("INC-1")
    report = next(e for e in timeline if e.kind == "customer_report")
    assert report.origin == "drill" and report.author == "Sam (support desk)"
    note = next(e for e in timeline if e.kind == "note" and e.author == "Kenji Sato")
    assert note.origin == "provider"
    session.close()


def test_finishes_early_once_everything_is_done(drill_root):
    session = start_drill(
        "payments-degraded",
        root=drill_root,
        headless=True,
        responses=responses("payments-degraded", "meets"),
    )
    report = session.run_headless()
    # the last inject (the monitor's resolve) is at +75m of a 90m drill
    assert session.finished and report.data["elapsed_seconds"] == 75 * 60
    assert session.tick() == []  # a finished drill does nothing more
    session.close()


def test_a_drill_opens_no_socket_outside_loopback(drill_root, monkeypatch):
    attempts = []
    real_connect = socket.socket.connect

    def guarded_connect(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        attempts.append(host)
        if host not in ("127.0.0.1", "::1", "localhost") and not str(host).startswith("/"):
            raise OSError(f"network blocked in this test: {host}")
        return real_connect(self, address)

    def guarded_create_connection(address, *args, **kwargs):
        attempts.append(address[0])
        raise OSError(f"network blocked in this test: {address[0]}")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "create_connection", guarded_create_connection)
    for name in ("provider-outage", "welcome"):
        session = start_drill(
            name, root=drill_root, headless=True, responses=responses(name, "meets")
        )
        report = session.run_headless()
        session.close()
        assert report.all_met
    assert [a for a in attempts if a not in ("127.0.0.1", "::1", "localhost")] == []


def test_the_live_store_is_never_touched(drill_root, tmp_path, monkeypatch):
    from console.paths import default_store_path

    session = start_drill("welcome", headless=True, responses=responses("welcome", "meets"))
    session.run_headless()
    assert "drills" in session.store.path.parts
    assert not default_store_path().exists()
    session.close()


def _story(session):
    """What happened, minus the sync engine's own bookkeeping (its passes run at ticks)."""
    return [
        (e.at, e.kind, e.incident, e.origin, e.text)
        for e in sorted(session.store.state.log, key=lambda e: (e.at, e.kind, e.text))
        if e.origin != "sync"
    ]


def test_ticking_every_second_tells_the_same_story_as_jumping(drill_root):
    script = responses("welcome", "meets")
    jumped = start_drill("welcome", root=drill_root, headless=True, responses=script)
    jumped.run_headless()
    ticked = start_drill("welcome", root=drill_root, paused=True, responses=script)
    while not ticked.finished:
        ticked.clock.advance(1)
        ticked.tick()
    assert _story(ticked) == _story(jumped)
    assert ticked.report().data["objectives"] == jumped.report().data["objectives"]
    jumped.close()
    ticked.close()
