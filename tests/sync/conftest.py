"""Fixtures: a store (the real one when it exists) and a fake PagerDuty on loopback."""

from __future__ import annotations

import pytest

from console.domain.clock import FixedClock
from tests.providers.worlds import PagerDutyWorld, check_against_spec
from tests.sync.helpers import real_store_class
from tests.sync.memory_store import MemoryStore


@pytest.fixture
def clock():
    return FixedClock("2026-03-01T12:00:00Z")


@pytest.fixture
def make_store(tmp_path):
    made = []

    def make(kind: str = "live"):
        cls = real_store_class()
        store = (
            cls.open(tmp_path / f"store-{len(made)}", kind=kind) if cls else MemoryStore(kind=kind)
        )
        made.append(store)
        return store

    yield make
    for s in made:
        s.close()


@pytest.fixture
def pd(clock):
    world = PagerDutyWorld(clock)
    yield world
    world.close()
    check_against_spec(world.fake, "pagerduty/rest-api-v2.openapiv3.json")
