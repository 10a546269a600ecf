"""The live console's background: escalations fire on time, the outbox drains to providers."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.actions import execute_line
from console.config import load_settings
from console.domain.clock import FixedClock
from console.store import Store
from console.ui.live_background import LiveBackground
from console.ui.store_link import StoreLink

ACME = Path(__file__).resolve().parents[2] / "sample_data" / "config" / "acme.toml"


def _link(tmp_path, settings, clock):
    store = Store.open(tmp_path / "store")
    return StoreLink(store, settings, clock)


def test_due_escalations_are_written_once_and_only_when_due(tmp_path):
    settings = load_settings(ACME)
    clock = FixedClock("2026-12-01T14:00:00Z")
    link = _link(tmp_path, settings, clock)
    execute_line(
        link.store, 'declare sev2 "Card payments failing" --service payments', settings, clock
    )
    bg = LiveBackground(link, ACME)
    assert bg.fire_timers() == 1  # the first rule pages at once
    assert bg.fire_timers() == 0  # and nothing more is due yet
    clock.advance(6 * 3600)
    fired = bg.fire_timers()
    assert fired >= 1
    kinds = [e.kind for e in link.store.state.timeline("INC-1")]
    assert "escalated" in kinds or "resolved" in kinds
    assert bg.fire_timers() == 0  # the same timers never fire twice
    # a second console on the same store firing the same timers changes nothing
    other = LiveBackground(_link(tmp_path, settings, clock), ACME)
    other.store.refresh()
    assert other.fire_timers() == 0


def test_read_only_console_fires_nothing(tmp_path):
    settings = load_settings(ACME)
    clock = FixedClock("2026-12-01T14:00:00Z")
    store = Store.open(tmp_path / "store")
    execute_line(store, 'declare sev2 "x" --service payments', settings, clock)
    ro = StoreLink(Store.open(tmp_path / "store", read_only=True), settings, clock, read_only=True)
    clock.advance(6 * 3600)
    assert LiveBackground(ro, ACME).fire_timers() == 0


def test_the_outbox_drains_to_a_provider_while_the_console_is_open(tmp_path, monkeypatch):
    from console.domain.settings import settings_from_dict
    from tests.providers.worlds import PagerDutyWorld

    clock = FixedClock("2026-03-01T12:00:00Z")
    world = PagerDutyWorld(clock)
    try:
        for name, value in world_env(world).items():
            monkeypatch.setenv(name, value)
        settings = settings_from_dict(
            {
                "user": {"name": "Ada Lovelace", "email": "ada@example.com"},
                "services": {"payments": {"paging": ["pagerduty"]}},
            }
        )
        link = _link(tmp_path, settings, clock)
        execute_line(
            link.store, 'declare sev2 "Payments degraded" --service payments', settings, clock
        )
        execute_line(link.store, "ack", settings, clock)
        bg = LiveBackground(link, None)
        rounds = iter(range(3))
        bg.run(lambda: next(rounds, None) is None)
        assert link.provider_names == ["pagerduty"]
        (remote,) = world.fake.incidents.values()
        assert remote["status"] == "acknowledged"
        link.poll()
        assert any(
            k == "provider_linked" for k in (e.kind for e in link.store.state.timeline("INC-1"))
        )
    finally:
        world.close()


def world_env(world) -> dict[str, str]:
    from tests.providers.worlds import PD_TOKEN

    return {
        "PAGERDUTY_API_URL": world.served.url,
        "PAGERDUTY_API_TOKEN": PD_TOKEN,
        "PAGERDUTY_FROM": "ada@example.com",
    }


@pytest.fixture(autouse=True)
def _no_ambient_credentials(monkeypatch):
    for name in (
        "PAGERDUTY_API_TOKEN",
        "PAGERDUTY_ROUTING_KEY",
        "STATUSPAGE_API_KEY",
        "STATUSPAGE_PAGE_ID",
        "OPSGENIE_API_KEY",
        "SLACK_WEBHOOK_URL",
    ):
        monkeypatch.delenv(name, raising=False)
