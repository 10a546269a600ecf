"""A canary token must never reach the store, the outbox, delivery records, the timeline,
status texts, logs or error messages, whatever the providers answer (even an error
body that echoes the token back)."""

from __future__ import annotations

import json
import logging

from console.providers.fakes import Fault
from console.providers.fakes.base import writes
from console.sync.engine import SyncEngine
from tests.providers.worlds import PD_TOKEN, ROUTING_KEY, PagerDutyWorld
from tests.sync.helpers import act, open_incident

CANARIES = (PD_TOKEN, ROUTING_KEY, PD_TOKEN[:-4], ROUTING_KEY[:-4])


def leaks(text: str) -> list[str]:
    return [c for c in CANARIES if c in text]


def test_the_canary_never_leaves_the_http_layer(make_store, clock, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    world = PagerDutyWorld(clock)
    try:
        store = make_store()
        inc = open_incident(store, clock)
        act(store, clock, "incident.note", inc, kind="note", text="n1")
        echo = {
            "error": {
                "message": f"bad token {PD_TOKEN}",
                "code": 2001,
                "errors": [f"key {ROUTING_KEY}"],
            }
        }
        world.fake.inject(
            Fault("status", status=503, body=echo, match=writes),
            Fault("status", status=429, body=echo, headers={"Retry-After": "1"}, match=writes),
        )
        eng = SyncEngine(store, [world.adapter], clock, seed=3)
        eng.drain(max_seconds=600)
        act(store, clock, "incident.note", inc, kind="note", text="n2")
        world.fake.inject(Fault("status", status=400, body=echo, match=writes))
        report = eng.drain(max_seconds=600)
        world.fake.token = "rotated"  # and a 401
        act(store, clock, "incident.ack", inc, kind="acknowledged")
        eng.drain(max_seconds=600)
        seen = [
            json.dumps(
                [e.to_record() for t in store.state.timelines.values() for e in t], default=str
            ),
            json.dumps([e.to_record() for e in store.state.store_events], default=str),
            json.dumps(list(store.intents.values()), default=str),
            json.dumps(list(store.deliveries.values()), default=str),
            " ".join(s.text for s in eng.status()),
            " ".join(report.lines),
            caplog.text,
            repr(world.adapter.rest.http),
            repr(world.adapter.events.http),
            repr(world.adapter.__dict__),
        ]
        # the real store's files on disk, when the store is the real one
        path = getattr(store, "path", None)
        if path is not None:
            for f in sorted(p for p in path.rglob("*") if p.is_file()):
                seen.append(f.read_bytes().decode("utf-8", "replace"))
        assert any("failed" in s for s in seen[3:4])  # the 400 was recorded...
        for text in seen:
            assert leaks(text) == [], text[:300]
        assert any("…" in d.get("detail", "") for d in store.deliveries.values())  # ...masked
    finally:
        world.close()
