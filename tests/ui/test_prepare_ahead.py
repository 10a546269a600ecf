"""Once the cursor rests, the rows next to it are made ready: a first move to one builds
no timeline line and draws no cursor row on the spot (console.ui.prepare_ahead)."""

from __future__ import annotations

import asyncio

import pytest

from console.ui import prepare_ahead
from console.ui.incidents_pane import IncidentsPane
from console.ui.prepare_ahead import neighbours
from console.ui.timeline_pane import TimelinePane
from tests.ui.conftest import settle
from tests.ui.test_timeline_reads import _make, _many, _timeline_text

pytestmark = pytest.mark.anyio


def test_neighbours_are_the_rows_nearest_the_cursor_first():
    assert neighbours(10, 0) == [1, 2, 3, 4]
    assert neighbours(10, 5) == [6, 4, 7, 3, 8, 2, 9, 1]
    assert neighbours(3, 2) == [1, 0]
    assert neighbours(1, 0) == []
    assert neighbours(0, 0) == []
    assert neighbours(5, 7) == []  # a cursor past the rows (a shrinking list)


class Counted:
    """Counts the timeline lines built and the incident rows drawn."""

    def __init__(self, monkeypatch) -> None:
        self.lines = 0
        self.rows = 0
        real_lines, real_row = TimelinePane._event_lines, IncidentsPane._row_strip

        def event_lines(pane, *args):
            self.lines += 1
            return real_lines(pane, *args)

        def row_strip(pane, *args):
            self.rows += 1
            return real_row(pane, *args)

        monkeypatch.setattr(TimelinePane, "_event_lines", event_lines)
        monkeypatch.setattr(IncidentsPane, "_row_strip", row_strip)


async def _rest(pilot) -> None:
    await settle(pilot)
    await asyncio.sleep(prepare_ahead.AFTER_SECONDS * 2)
    await settle(pilot)


async def test_a_move_after_a_rest_finds_its_lines_made(
    tmp_path, ui_clock, ui_settings, monkeypatch
):
    path = tmp_path / "store"
    _many(path, 30)
    counted = Counted(monkeypatch)
    # long enough that the frame after a move is drawn before the next round starts
    monkeypatch.setattr(prepare_ahead, "AFTER_SECONDS", 0.25)
    store, app = _make(path, ui_settings, ui_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await _rest(pilot)
        pane = app.screen.incidents
        for step in (1, 1, -1, 1, 1, 1):
            counted.lines = counted.rows = 0
            pane.action_cursor(step)  # what the key does, and all it does at once
            await pilot.pause()  # the frame: its rows drawn (before preparing starts again)
            assert (counted.lines, counted.rows) == (0, 0), step
            selected = app.screen.selected
            assert selected == pane.selected.id
            assert f"first note on {selected}" in _timeline_text(app)
            await _rest(pilot)
        # without the rest, a move to a row not prepared yet makes its lines on the spot
        counted.lines = 0
        pane.action_cursor(5)
        assert counted.lines == 2
    store.close()


async def test_keys_pressed_while_preparing_are_not_held_up(
    tmp_path, ui_clock, ui_settings, monkeypatch
):
    # preparing goes a step per turn of the event loop; a move drops what was left
    path = tmp_path / "store"
    _many(path, 30)
    store, app = _make(path, ui_settings, ui_clock)
    steps: list[int] = []
    real = TimelinePane.prepare

    def prepare(pane, events, chunk=50):
        steps.append(len(events))
        yield from real(pane, events, chunk=1)  # a step per event: many steps

    monkeypatch.setattr(TimelinePane, "prepare", prepare)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await asyncio.sleep(prepare_ahead.AFTER_SECONDS * 4)  # preparing has begun
        await pilot.press("down", "down", "down")
        await settle(pilot)
        pane = app.screen.incidents
        assert pane.cursor == 3 and app.screen.selected == pane.rows[3].id
        assert steps  # it did prepare, and the moves went through meanwhile
    store.close()
