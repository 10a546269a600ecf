"""A stateful property test: random local actions, random faults (429 with and without
headers, 503, answers lost after or before the change, dropped connections), random
passes; after the outbox drains, every intent took effect exactly once: one PagerDuty
incident per open, one note per note intent, and each incident's final status in
PagerDuty is the local one. None lost, none doubled."""

from __future__ import annotations

import dataclasses
import uuid

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from console.domain.clock import FixedClock
from console.domain.model import Event
from console.providers.credentials import Credentials, Secret
from console.providers.fakes import FakeTransport, Fault
from console.providers.fakes.base import writes
from console.providers.fakes.pagerduty import FakePagerDuty
from console.providers.pagerduty import build_pagerduty
from console.providers.ratelimit import Limiters
from console.sync.engine import SyncEngine
from tests.sync.helpers import Made, make_intent
from tests.sync.memory_store import MemoryStore

FAULTS = [
    Fault.rate_limited(retry_after=5),
    Fault.rate_limited(),
    Fault.server_error(503),
    Fault.server_error(500),
    Fault("slow", apply=True),
    Fault("slow", apply=False),
    Fault("drop", apply=True),
    Fault("drop", apply=False),
]


class OutboxMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock("2026-03-01T12:00:00Z")
        self.fake = FakePagerDuty(self.clock, token="t" * 20)
        self.ids = self.fake.seed()
        creds = Credentials(
            values={
                "pagerduty": {
                    "api_token": Secret("t" * 20),
                    "from": "ada@example.com",
                    "routing_key": None,
                }
            }
        )
        self.adapter = build_pagerduty(
            {"services": {"payments": {}}},
            creds,
            self.clock,
            Limiters(self.clock),
            env={"PAGERDUTY_API_URL": "https://pagerduty.fake.invalid"},
            rest_transport=FakeTransport(self.fake),
        )
        self.store = MemoryStore()
        self.engine = SyncEngine(self.store, [self.adapter], self.clock, seed=1, hold_seconds=10**9)
        self.local: dict[str, str] = {}  # incident -> status here
        self.notes: dict[str, list[str]] = {}  # incident -> note intent ids
        self.opens = 0

    def _write(self, inc: str, kind: str, op: str, **args) -> None:
        def fn(state):
            ev = Event(
                id=uuid.uuid4().hex,
                at=self.clock.now(),
                kind=kind,
                author="Ada",
                origin="local",
                text=kind,
                incident=inc,
                data=dict(args) if kind != "opened" else {"title": inc, "service": "payments"},
            )
            return Made(events=[ev], intents=[make_intent(op, inc, self.clock.now(), **args)])

        self.store.transact(fn)

    @rule()
    def open_incident(self):
        inc = self.store.state.next_incident_id()
        self._write(
            inc,
            "opened",
            "incident.open",
            title=f"t {inc}",
            service="payments",
            severity=2,
            urgency="high",
            priority=None,
            dedup_key=None,
        )
        self.local[inc] = "triggered"
        self.notes[inc] = []
        self.opens += 1

    @precondition(lambda self: self.local)
    @rule(data=st.data())
    def note(self, data):
        self.act(data, "note")

    @precondition(lambda self: self.local)
    @rule(data=st.data(), action=st.sampled_from(["ack", "resolve", "reopen"]))
    def act(self, data, action):
        inc = data.draw(st.sampled_from(sorted(self.local)))
        status = self.local[inc]
        if action == "ack" and status != "resolved":
            self._write(inc, "acknowledged", "incident.ack")
            self.local[inc] = "acknowledged"
        elif action == "resolve" and status != "resolved":
            self._write(inc, "resolved", "incident.resolve", note=None)
            self.local[inc] = "resolved"
        elif action == "reopen" and status == "resolved":
            self._write(inc, "reopened", "incident.reopen")
            self.local[inc] = "triggered"
        elif action == "note":
            before = set(self.store.intents)
            self._write(inc, "note", "incident.note", text=f"note {len(self.notes[inc])}")
            self.notes[inc].append((set(self.store.intents) - before).pop())

    @rule(
        fault=st.sampled_from(FAULTS),
        reads_too=st.booleans(),
        times=st.integers(1, 3),
        now=st.booleans(),
    )
    def inject(self, fault, reads_too, times, now):
        """Queue a fault for the next requests (and, half the time, make them at once)."""
        self.fake.inject(
            dataclasses.replace(fault, times=times, match=None if reads_too else writes, delay=0.0)
        )
        if now:
            self.clock.advance(600)  # past any back-off, so the pass really sends
            self.engine.run_once(poll=False)

    @rule()
    def sync_pass(self):
        self.engine.run_once(poll=False)

    @rule(seconds=st.sampled_from([1, 5, 30, 120]))
    def time_passes(self, seconds):
        self.clock.advance(seconds)

    @invariant()
    def nothing_is_ever_doubled(self):
        assert len(self.fake.incidents) <= self.opens
        for rid, notes in self.fake.notes.items():
            markers = [n["content"].rsplit(" ", 1)[-1] for n in notes]
            assert len(markers) == len(set(markers)), f"a note was posted twice on {rid}"

    def teardown(self):
        self.fake.faults.clear()
        self.engine.drain(max_seconds=3600)
        assert self.engine.idle()
        assert len(self.fake.incidents) == self.opens
        states = {d["state"] for d in self.store.deliveries.values()}
        assert states <= {"sent"}, states
        for inc, status in self.local.items():
            rid = self.store.state.get(inc).provider_ids["pagerduty"]
            assert self.fake.incidents[rid]["status"] == status, inc
            posted = [n["content"] for n in self.fake.notes[rid]]
            wanted = sorted(f"[ic:{i[:12]}]" for i in self.notes[inc])
            assert sorted(p.rsplit(" ", 1)[-1] for p in posted) == wanted
        self.adapter.close()


OutboxMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestExactlyOnce = OutboxMachine.TestCase
