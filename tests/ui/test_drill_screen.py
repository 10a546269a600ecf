"""The screen over a real drill session: p, >, <, . and the drill's own door for keys."""

from __future__ import annotations

import pytest

from console.ui.app import make_app
from tests.ui.conftest import settle

pytestmark = pytest.mark.anyio


@pytest.fixture
def drill(tmp_path):
    from console.drill import start_drill

    session = start_drill("welcome", root=tmp_path, paused=True)
    session.clock.advance(30)  # the first alert (at +8s) is due
    session.tick()
    yield session
    session.close()


def drill_app(drill):
    return make_app(drill.store, drill.settings, drill.clock, drill=drill, ticking=False)


async def test_drill_keys_drive_the_simulated_clock(drill):
    app = drill_app(drill)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.snapshot.kind == "drill"
        assert screen.check_action("drill_pause", ()) is True
        before = drill.clock.now()
        await pilot.press("full_stop")
        assert (drill.clock.now() - before).total_seconds() == 60
        await pilot.press("greater_than_sign")
        assert drill.clock.speed == 10
        await pilot.press("greater_than_sign", "greater_than_sign")
        assert drill.clock.speed == 60
        await pilot.press("less_than_sign")
        assert drill.clock.speed == 10
        await pilot.press("p")
        assert not drill.clock.paused
        await pilot.press("p")
        assert drill.clock.paused
        await pilot.press("a")
        await settle(pilot)
        assert drill.store.state.incidents["INC-1"].status == "acknowledged"


async def test_the_status_bar_shows_the_drill_fakes_real_state(drill):
    """Lead's list 9: not a fixed "in-process fakes", but what the drill's engine sees."""
    from console.providers.fakes.base import Fault, writes

    app = drill_app(drill)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one("#providers")
        assert str(bar.render()) == "drill fakes: all ok"
        drill.remote.fakes["pagerduty"].inject(Fault.server_error(times=50, match=writes))
        await pilot.press("a")
        await settle(pilot)
        text = str(bar.render())
        assert text.startswith("drill fakes · pagerduty: "), text
        assert "queued" in text or "backing off" in text, text
        assert "statuspage" not in text  # only the ones in trouble are named


async def test_the_drill_fakes_back_off_counts_down_with_the_simulated_clock(drill):
    """A back-off's seconds move with the drill's clock even when nothing is written."""
    from console.providers.fakes.base import Fault, writes

    app = drill_app(drill)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        link = app.screen.link
        drill.remote.fakes["pagerduty"].inject(Fault.server_error(times=50, match=writes))
        await pilot.press("a")
        await settle(pilot)
        for _ in range(5):  # the drill's ticks try PagerDuty, which answers 503
            link.poll()
            words = " ".join(p[1] for p in link.snapshot().providers)
            if "backing off" in words:
                break
            drill.clock.advance(1)
        assert "pagerduty: backing off" in words, words
        drill._finished = True  # no more ticks (no writes): only the clock moves now
        link.snapshot()
        version = drill.store.version
        drill.clock.advance(2)
        assert link.poll() is True and drill.store.version == version  # nothing written
        later = " ".join(p[1] for p in link.snapshot().providers)
        assert later != words, (words, later)  # counted down (or over)
