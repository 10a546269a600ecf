"""The key bar: the keys that act now, in the first frame, narrow terminals, clicks."""

from __future__ import annotations

import pytest

from console.ui.key_bar import KeyBar

from .conftest import settle

pytestmark = pytest.mark.anyio


def bar_text(app) -> str:
    return app.screen.query_one(KeyBar).render_line(0).text


async def test_keys_and_the_palette_key_at_the_right(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = bar_text(app)
        assert text.startswith(" a Ack  r Resolve  n Note  d Declare  : Command  / Filter ")
        assert " ? Help  q Quit " in text
        assert text.endswith("▏^p palette ") and len(text) == 120


async def test_a_narrow_terminal_keeps_the_keys_and_drops_the_palette_key(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = bar_text(app)
        assert " q Quit " in text and "palette" not in text and len(text) == 80


async def test_read_only_shows_no_key_that_writes(app_factory):
    app = app_factory(read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = bar_text(app)
        assert "Ack" not in text and "Declare" not in text and "Note" not in text
        assert " ? Help " in text


async def test_a_click_on_a_key_presses_it(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = bar_text(app)
        x = text.index(" ? Help") + 2
        await pilot.click(KeyBar, offset=(x, 0))
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"
