"""The sync engine over a fake PagerDuty on 127.0.0.1: delivery, faults, conflicts, holds,
pull, drills and read-only. Waiting happens on a FixedClock, so nothing really sleeps."""

from __future__ import annotations

import pytest

from console.domain.clock import iso
from console.providers.fakes import Fault
from console.providers.fakes.base import writes
from console.sync.engine import SyncEngine, SyncRefused
from console.sync.wiring import drill_providers
from tests.providers.worlds import PagerDutyWorld
from tests.sync.helpers import act, open_incident


def engine(store, pd, clock, **kw):
    kw.setdefault("seed", 7)
    return SyncEngine(store, [pd.adapter], clock, **kw)


def records(store, provider="pagerduty"):
    return {i: store.deliveries.get((i, provider), {}).get("state") for i in store.intents}


def test_open_ack_note_reach_pagerduty_once_and_link_the_incident(make_store, pd, clock):
    store = make_store()
    inc = open_incident(store, clock)
    act(store, clock, "incident.ack", inc, kind="acknowledged")
    act(store, clock, "incident.note", inc, kind="note", text="Rolled back")
    eng = engine(store, pd, clock)
    report = eng.drain()
    assert report.sent == 3 and set(records(store).values()) == {"sent"}
    rid = store.state.get(inc).provider_ids["pagerduty"]
    assert pd.fake.incidents[rid]["status"] == "acknowledged"
    assert len(pd.fake.notes[rid]) == 1
    kinds = [e.kind for e in store.state.timeline(inc)]
    assert "provider_linked" in kinds
    # a second drain sends nothing more
    before = len(pd.fake.writes())
    eng.drain()
    assert len(pd.fake.writes()) == before


def test_server_errors_back_off_through_the_clock_then_succeed(make_store, pd, clock):
    store = make_store()
    inc = open_incident(store, clock)
    pd.fake.inject(Fault.server_error(503, match=writes, times=3))
    eng = engine(store, pd, clock)
    start = clock.now()
    first = eng.run_once()
    assert first.sent == 0
    (rec,) = [store.deliveries[(i, "pagerduty")] for i in store.intents]
    assert rec["state"] == "retrying" and rec["health"] == "backing_off" and "503" in rec["detail"]
    assert "backing off" in eng.status()[0].text and "1 queued" in eng.status()[0].text
    eng.drain()
    assert records(store)[next(iter(store.intents))] == "sent"
    waited = (clock.now() - start).total_seconds()
    assert 0.5 * (1 + 2 + 4) <= waited <= 1 + 2 + 4 + 1  # exponential, jittered
    assert store.state.get(inc).provider_ids["pagerduty"]


def test_rate_limit_waits_as_long_as_retry_after_says(make_store, pd, clock):
    store = make_store()
    open_incident(store, clock)
    pd.fake.inject(Fault.rate_limited(retry_after=30, match=writes))
    start = clock.now()
    engine(store, pd, clock).drain()
    assert set(records(store).values()) == {"sent"}
    assert 30 <= (clock.now() - start).total_seconds() < 31


def test_401_pauses_the_provider_and_says_so(make_store, pd, clock):
    store = make_store()
    open_incident(store, clock)
    pd.fake.token = "rotated"
    eng = engine(store, pd, clock)
    eng.drain()
    assert eng.status()[0].text == "pagerduty: paused-401, 1 queued"
    assert eng.status()[0].level == "error"
    asked = len(pd.fake.requests)
    eng.drain()
    assert len(pd.fake.requests) == asked  # paused: nothing more is tried


def test_final_refusal_is_recorded_on_the_timeline_and_not_retried(make_store, pd, clock):
    store = make_store()
    inc = open_incident(store, clock, service="billing")  # no such PagerDuty service
    eng = engine(store, pd, clock)
    report = eng.drain()
    assert report.failed == 1
    (rec,) = store.deliveries.values()
    assert rec["state"] == "failed" and "[services.billing] pagerduty_id" in rec["detail"]
    failed = [e for e in store.state.timeline(inc) if e.kind == "sync_failed"]
    assert failed and failed[0].origin == "sync"
    eng.drain()
    assert [e.kind for e in store.state.timeline(inc)].count("sync_failed") == 1
    assert "1 failed" in eng.status()[0].text


def test_ack_on_an_incident_resolved_elsewhere_is_superseded_with_both_sides(make_store, pd, clock):
    store = make_store()
    inc = open_incident(store, clock)
    eng = engine(store, pd, clock)
    eng.drain()
    rid = store.state.get(inc).provider_ids["pagerduty"]
    clock.advance(60)
    pd.fake.web_set_status(rid, "resolved", pd.ids["grace"])
    ack = act(store, clock, "incident.ack", inc, kind="acknowledged")
    eng.run_once(poll=False)
    assert store.deliveries[(ack["id"], "pagerduty")]["state"] == "superseded"
    timeline = store.state.timeline(inc)
    local_ack = [e for e in timeline if e.kind == "acknowledged" and e.origin == "local"]
    remote = [e for e in timeline if e.kind == "resolved" and e.origin == "provider"]
    conflict = [e for e in timeline if e.kind == "sync_conflict"]
    assert local_ack and conflict and remote[0].author == "Grace Hopper"
    assert store.state.get(inc).status == "resolved"
    assert pd.fake.incidents[rid]["status"] == "resolved"
    # the poll of the same resolve adds nothing: the remote side is already recorded
    eng.run_once()
    assert len([e for e in store.state.timeline(inc) if e.kind == "resolved"]) == 1


def test_a_note_whose_answer_was_lost_is_not_posted_twice(make_store, pd, clock):
    store = make_store()
    inc = open_incident(store, clock)
    eng = engine(store, pd, clock)
    eng.drain()
    note = act(store, clock, "incident.note", inc, kind="note", text="DB failover started")
    pd.fake.inject(Fault("drop", apply=True, match=writes))
    eng.run_once(poll=False)
    rec = store.deliveries[(note["id"], "pagerduty")]
    assert rec["state"] == "retrying" and rec["ambiguous"] is True
    eng.drain()
    rid = store.state.get(inc).provider_ids["pagerduty"]
    assert len(pd.fake.notes[rid]) == 1
    assert "found" in store.deliveries[(note["id"], "pagerduty")]["detail"]


def test_a_crash_between_send_and_record_is_looked_up_on_restart(make_store, pd, clock):
    store = make_store()
    inc = open_incident(store, clock)
    engine(store, pd, clock).drain()
    note = act(store, clock, "incident.note", inc, kind="note", text="checking replicas")
    # the first engine dies after its 'sending' mark and after the note landed remotely
    eng = engine(store, pd, clock)
    original = eng._send_chunk.__func__

    class Crash(Exception):
        pass

    def crashing(self, provider, chunk, report):
        provider.deliver(chunk[0][0], self._context(provider, chunk[0][0], False, 1))
        self.store.transact(
            lambda _s: __import__("tests.sync.helpers", fromlist=["Made"]).Made(
                deliveries=[
                    {
                        "intent": chunk[0][0]["id"],
                        "provider": provider.name,
                        "state": "retrying",
                        "at": iso(clock.now()),
                        "detail": "sending",
                        "remote_id": None,
                        "ambiguous": True,
                    }
                ]
            )
        )
        raise Crash

    eng._send_chunk = crashing.__get__(eng)
    with pytest.raises(Crash):
        eng.run_once(poll=False)
    eng._send_chunk = original.__get__(eng)
    engine(store, pd, clock).drain()
    rid = store.state.get(inc).provider_ids["pagerduty"]
    assert len(pd.fake.notes[rid]) == 1
    assert store.deliveries[(note["id"], "pagerduty")]["state"] == "sent"


def test_old_triggers_are_held_until_sent_on_purpose(make_store, pd, clock):
    store = make_store()
    inc = open_incident(store, clock)
    act(store, clock, "incident.note", inc, kind="note", text="behind the trigger")
    clock.advance(20 * 60)
    eng = engine(store, pd, clock)
    report = eng.run_once(poll=False)
    assert report.sent == 0 and len(report.held) == 1
    assert pd.fake.writes() == []
    assert "1 held" in eng.status()[0].text
    assert eng.idle()
    report = eng.drain(send_held=True)
    assert report.sent == 2 and pd.fake.incidents


def test_pull_brings_other_peoples_actions_and_new_incidents(make_store, pd, clock):
    store = make_store()
    inc = open_incident(store, clock)
    eng = engine(store, pd, clock)
    eng.drain()
    rid = store.state.get(inc).provider_ids["pagerduty"]
    clock.advance(30)
    pd.fake.web_set_status(rid, "acknowledged", pd.ids["grace"])
    pd.fake.web_note(rid, pd.ids["grace"], "On it")
    other = pd.fake.web_create("Search latency", pd.ids["service"], pd.ids["grace"])
    eng.run_once()
    timeline = store.state.timeline(inc)
    ack = [e for e in timeline if e.kind == "acknowledged"]
    assert ack and ack[0].author == "Grace Hopper" and ack[0].origin == "provider"
    assert [e.text for e in timeline if e.kind == "note"] == ["On it"]
    assert store.state.get(inc).status == "acknowledged"
    new = [i for i in store.state.incidents.values() if i.provider_ids.get("pagerduty") == other]
    assert new and new[0].title == "Search latency" and new[0].service == "payments"
    count = sum(len(t) for t in store.state.timelines.values())
    eng.run_once()
    clock.advance(10)
    eng.run_once()
    assert sum(len(t) for t in store.state.timelines.values()) == count


def test_a_drill_store_accepts_a_fake_on_loopback(make_store, pd, clock):
    drill = make_store("drill")
    SyncEngine(drill, [pd.adapter], clock)  # 127.0.0.1 cannot be a real provider


def test_drill_refusal_names_the_provider(make_store, clock):
    from console.providers.credentials import load_credentials
    from console.providers.pagerduty import build_pagerduty
    from console.providers.ratelimit import Limiters

    drill = make_store("drill")
    creds = load_credentials({}, None, {"PAGERDUTY_API_TOKEN": "x" * 20, "PAGERDUTY_FROM": "a@b.c"})
    real = build_pagerduty({}, creds, clock, Limiters(clock), env={})
    with pytest.raises(SyncRefused, match="pagerduty"):
        SyncEngine(drill, [real], clock)
    wiring = drill_providers({"services": {"payments": {}}}, clock)
    eng = SyncEngine(drill, wiring.providers, clock)
    inc = open_incident(drill, clock)
    act(drill, clock, "incident.ack", inc, kind="acknowledged")
    eng.drain()
    fake = wiring.fakes["pagerduty"]
    (remote,) = fake.incidents.values()
    assert remote["status"] == "acknowledged"
    real.close()


def test_read_only_adapters_send_no_write_at_all(make_store, clock):
    world = PagerDutyWorld(clock, read_only=True)
    try:
        store = make_store()
        inc = open_incident(store, clock)
        act(store, clock, "incident.note", inc, kind="note", text="x")
        eng = SyncEngine(store, [world.adapter], clock)
        eng.drain(max_seconds=60)
        assert world.fake.writes() == [] and world.events_fake.writes() == []
        assert "sent" not in records(store).values()
        assert "read-only" in eng.status()[0].text
    finally:
        world.close()


def test_a_read_only_store_is_refused_before_anything_is_sent(pd, clock):
    from tests.sync.memory_store import MemoryStore

    store = MemoryStore(read_only=True)
    with pytest.raises(SyncRefused, match="read-only"):
        SyncEngine(store, [pd.adapter], clock).run_once()


def test_a_drill_reaches_every_fake_and_nothing_else(make_store, clock):
    config = {
        "services": {"payments": {"components": ["Payment Processing"]}},
        "status": {"components": [{"name": "Payment Processing"}]},
    }
    drill = make_store("drill")
    wiring = drill_providers(config, clock, chat=True)
    assert sorted(p.name for p in wiring.providers) == [
        "chat",
        "opsgenie",
        "pagerduty",
        "statuspage",
    ]
    eng = SyncEngine(drill, wiring.providers, clock, seed=1)
    inc = open_incident(drill, clock)
    act(drill, clock, "chat.post", inc, text="War room is #inc-1")
    eng.drain(max_seconds=600)
    assert wiring.fakes["pagerduty"].incidents
    assert any("War room" in str(p) for p in wiring.fakes["chat"].posts)


def test_one_held_trigger_can_be_released_alone(make_store, pd, clock):
    store = make_store()
    first = open_incident(store, clock, title="A")
    open_incident(store, clock, title="B")
    clock.advance(20 * 60)
    eng = engine(store, pd, clock)
    eng.run_once(poll=False)
    held = eng.held()
    assert [h["incident"] for h in held] == [first, "INC-2"]
    eng.release(held[0]["intent"])
    eng.run_once(poll=False)
    assert [i["title"] for i in pd.fake.incidents.values()] == ["A"]
    assert [h["incident"] for h in eng.held()] == ["INC-2"]


def test_on_calls_reported_by_the_provider_are_recorded_when_they_change(make_store, pd, clock):
    store = make_store()
    eng = engine(store, pd, clock)
    eng.run_once()
    eng.run_once()
    reports = [e for e in store.state.store_events if e.kind == "oncall_reported"]
    assert len(reports) == 1 and reports[0].text == "PagerDuty says on call: Ada Lovelace"
    pd.fake.oncalls[0]["user"] = pd.fake.user_ref(pd.ids["grace"])
    clock.advance(60)
    eng.run_once()
    reports = [e for e in store.state.store_events if e.kind == "oncall_reported"]
    assert [r.text for r in reports][-1] == "PagerDuty says on call: Grace Hopper"


def test_the_loop_tells_what_each_pass_did(make_store, pd, clock):
    store = make_store()
    open_incident(store, clock)
    eng = engine(store, pd, clock)
    reports = []
    eng.run_forever(stop=lambda: len(reports) >= 2, on_pass=reports.append)
    assert [r.sent for r in reports] == [1, 0]  # the open, then a quiet pass


def test_the_loop_sends_what_another_process_queues_within_seconds(make_store, pd, clock):
    from tests.sync.helpers import real_store_class

    cls = real_store_class()
    if cls is None:
        pytest.skip("needs the real store: another process's write")
    store = make_store()
    open_incident(store, clock)
    eng = engine(store, pd, clock, poll_seconds=60)
    other = cls.open(store.path)  # `exec` in a second pane
    reports, wrote = [], []
    slept = clock.sleep

    def sleep(seconds):
        if reports and not wrote:  # after the first pass, as the loop starts to wait
            open_incident(other, clock)
            wrote.append(clock.now())
        slept(seconds)

    clock.sleep = sleep
    passes = []

    def on_pass(report):
        reports.append(report)
        passes.append(clock.now())

    eng.run_forever(stop=lambda: len(reports) >= 2, on_pass=on_pass)
    other.close()
    assert [r.sent for r in reports] == [1, 1]
    assert (passes[1] - wrote[0]).total_seconds() <= 2  # not at the next poll, 60s on
