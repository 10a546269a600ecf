"""The drill on the console screen: snapshots mid-incident and of the report, and the
report coming up by itself when the drill ends."""

from __future__ import annotations

import pytest

from console.drill import start_drill
from console.ui.app import make_app
from console.ui.drill_report_screen import DrillReportScreen, report_message
from tests.drill.conftest import responses


def _mid_incident(root):
    """payments-degraded at +17m: paged, escalated to level 2, acknowledged, one note."""
    session = start_drill(
        "payments-degraded",
        root=root,
        paused=True,
        responses=responses("payments-degraded", "meets"),
    )
    for _ in range(35):  # the screen's worker ticks as the clock runs: every 30 s here
        session.clock.advance(30)
        session.tick()
    return session


def _app(session, **kw):
    return make_app(session.store, session.settings, session.clock, drill=session, bell=False, **kw)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_drill_screen_mid_incident(snap_compare, size, drill_root):
    session = _mid_incident(drill_root)
    assert session.store.state.get("INC-1").status == "acknowledged"
    try:
        assert snap_compare(_app(session, ticking=False), terminal_size=size)
    finally:
        session.close()


def test_drill_report_screen(snap_compare, drill_root):
    session = start_drill(
        "payments-degraded",
        root=drill_root,
        headless=True,
        responses=responses("payments-degraded", "meets"),
    )
    session.run_headless()
    message = report_message(session)
    assert message.saved == tuple(str(p) for p in session.report_paths)
    # where the report went depends on the machine; the snapshot shows a fixed one
    message.saved = ("~/.local/share/incident-console/drills/payments-degraded-001.report.md",)

    async def show(pilot):
        pilot.app.push_screen(DrillReportScreen(message))
        await pilot.pause()

    try:
        assert snap_compare(_app(session, ticking=False), terminal_size=(100, 40), run_before=show)
    finally:
        session.close()


@pytest.mark.anyio
async def test_the_report_comes_up_when_the_drill_ends(drill_root):
    session = start_drill(
        "welcome", root=drill_root, headless=True, responses=responses("welcome", "meets")
    )
    session.run_headless()
    assert session.finished and all(p.exists() for p in session.report_paths)
    app = _app(session, ticking=True)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(40):
            await pilot.pause(0.05)
            if isinstance(app.screen, DrillReportScreen):
                break
        assert isinstance(app.screen, DrillReportScreen)
        text = str(app.screen.text)
        assert "Drill over: 4 of 4 objectives met" in text
        assert str(session.report_paths[0]) in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DrillReportScreen)
    session.close()


@pytest.fixture
def anyio_backend():
    return "asyncio"
