"""The Timeline follows new events: the newest event's text is on screen after a note."""

from __future__ import annotations

import pytest

from tests.ui.conftest import settle

pytestmark = pytest.mark.anyio


def _visible(widget) -> str:
    return "\n".join(
        "".join(seg.text for seg in widget.render_line(y)) for y in range(widget.size.height)
    )


async def test_each_new_note_is_visible_at_the_bottom_at_80x24(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        timeline = app.screen.pane("timeline")
        for i in range(3):  # past the pane's 10 rows: the view must scroll
            await pilot.press("n", *f"step {i} done", "enter")
            await settle(pilot)
            await pilot.pause()
            assert f"step {i} done" in _visible(timeline), _visible(timeline)
