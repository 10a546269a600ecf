"""Fixtures for provider tests."""

from __future__ import annotations

import pytest

from console.domain.clock import FixedClock
from tests.providers.worlds import PagerDutyWorld, check_against_spec


@pytest.fixture
def clock():
    return FixedClock("2026-03-01T12:00:00Z")


@pytest.fixture
def pd(clock):
    world = PagerDutyWorld(clock)
    yield world
    world.close()
    check_against_spec(world.fake, "pagerduty/rest-api-v2.openapiv3.json")
    check_against_spec(world.events_fake, "pagerduty/events-api-v2.openapiv3.json", strip="/v2")
