"""Fixed data for the screen's tests: a store of a few incidents at a fixed time."""

from __future__ import annotations

import pytest

from console.actions import execute_line
from console.domain.clock import FixedClock
from console.domain.settings import settings_from_dict
from console.store import Store
from console.ui.app import make_app

T0 = "2026-11-30T09:00:00Z"

UI_TEAM = {
    "user": {"name": "Ada Lovelace", "email": "ada@example.com", "handle": "ada"},
    "users": {
        "ada": {"name": "Ada Lovelace", "email": "ada@example.com"},
        "grace": {"name": "Grace Hopper", "email": "grace@example.com"},
    },
    "services": {
        "payments": {"components": ["Payment Processing"], "escalation_policy": "payments"},
        "database": {"components": ["Dashboard"]},
    },
    "schedules": {
        "primary": {
            "name": "Payments primary",
            "time_zone": "UTC",
            "layers": [
                {
                    "name": "Shifts",
                    "start": "2026-11-01T00:00:00Z",
                    "rotation_virtual_start": "2026-11-01T00:00:00Z",
                    "rotation_turn_length_seconds": 28800,
                    "users": ["ada", "grace"],
                }
            ],
        }
    },
    "policies": {
        "payments": {
            "name": "Payments escalation",
            "rules": [
                {
                    "escalation_delay_in_minutes": 15,
                    "targets": [{"type": "schedule", "id": "primary"}],
                },
                {"escalation_delay_in_minutes": 15, "targets": [{"type": "user", "id": "grace"}]},
            ],
        }
    },
    "status": {
        "components": [{"name": "Payment Processing"}, {"name": "Dashboard"}, {"name": "API"}]
    },
}

SEED = [
    (0, 'declare sev2 "Payments degraded" --service payments'),
    (60, 'declare sev1 "Checkout returns 500 for EU cards" --service payments'),
    (120, 'declare sev3 "Dashboard slow" --service database'),
    (180, "ack INC-3"),
    (240, 'note INC-1 "Error rate 12%, started after deploy 4812"'),
]


def seed_store(path, clock: FixedClock, settings, lines=SEED):
    store = Store.open(path)
    start = clock.now()
    for offset, line in lines:
        clock.set(start.add(seconds=offset))
        execute_line(store, line, settings, clock)
    clock.set(start.add(minutes=10))
    return store


@pytest.fixture
def ui_settings():
    return settings_from_dict(UI_TEAM, source="ui-test.toml")


@pytest.fixture
def ui_clock():
    return FixedClock(T0)


@pytest.fixture
def ui_store(tmp_path, ui_clock, ui_settings):
    store = seed_store(tmp_path / "store", ui_clock, ui_settings)
    yield store
    store.close()


@pytest.fixture
def app_factory(ui_store, ui_settings, ui_clock):
    """Builds the App over the seeded store: no bell, no ticking (snapshots hold still)."""

    def build(**kw):
        kw.setdefault("ticking", False)
        kw.setdefault("bell", False)
        return make_app(kw.pop("store", ui_store), kw.pop("settings", ui_settings), ui_clock, **kw)

    return build


async def settle(pilot):
    """Let workers finish and their messages land (snapshots and assertions wait on it)."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def anyio_backend():
    """Pilot tests run on asyncio through anyio's pytest plugin (httpx brings anyio)."""
    return "asyncio"
