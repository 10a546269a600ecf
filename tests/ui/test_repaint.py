"""A cursor move repaints only what changed, and the panes that follow it keep up at once."""

from __future__ import annotations

import pytest
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from console.actions import execute_line
from console.ui.incidents_pane import IncidentsPane
from console.ui.oncall_pane import OnCallPane
from console.ui.repaint import changed_until
from console.ui.timeline_pane import TimelinePane

A, B = Style(color="red"), Style(color="blue")


def strip(*runs: tuple[str, Style]) -> Strip:
    return Strip([Segment(text, style) for text, style in runs])


@pytest.mark.parametrize(
    "old, new, cells",
    [
        (strip(("abc", A), ("def", B)), strip(("abc", A), ("def", B)), 0),
        (strip(("abc", A), ("def", B)), strip(("abd", A), ("def", B)), 3),
        (strip(("abc", A), ("def", B)), strip(("xbc", A), ("def", B)), 1),
        (strip(("abc", A), ("def", B)), strip(("abc", B), ("def", B)), 3),  # style only
        (strip(("abcdef", A)), strip(("abc", A), ("def", B)), 6),
        (strip(("a", A), ("界x", B)), strip(("a", A), ("界y", B)), 4),  # wide characters
        (strip(("a", A), ("x界", B)), strip(("a", A), ("y界", B)), 2),
        (strip(("ab", A)), strip(("abcd", A)), 4),  # another width: all of it
    ],
)
def test_changed_until_counts_cells_up_to_the_last_difference(old, new, cells):
    assert changed_until(old, new) == cells


@pytest.fixture
def many(ui_store, ui_settings, ui_clock):
    """The seeded store plus enough incidents to scroll the list at 120x40."""
    for i in range(40):
        execute_line(
            ui_store, f'declare sev3 "Filler {i}" --service database', ui_settings, ui_clock
        )
    return ui_store


@pytest.fixture
def refreshes(monkeypatch):
    """Every Widget.refresh(*regions) call, as (widget, regions)."""
    calls: list[tuple[Widget, tuple[Region, ...]]] = []
    original = Widget.refresh

    def spy(self, *regions, **kwargs):
        calls.append((self, regions))
        return original(self, *regions, **kwargs)

    monkeypatch.setattr(Widget, "refresh", spy)
    return calls


pytestmark = pytest.mark.anyio


async def settle(app, pilot):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_move_follows_in_the_timeline_and_on_call_before_the_next_frame(app_factory, many):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        pane = screen.query_one(IncidentsPane)
        before = pane.selected.id
        # the cursor's watcher, not a message a frame later, moves the other panes
        pane.action_cursor(1)
        after = pane.selected.id
        assert after != before and screen.selected == after
        assert screen.query_one(TimelinePane).incident == after
        assert screen.query_one(TimelinePane).border_title == f"Timeline {after}"
        oncall = "\n".join(t.plain for t in screen.query_one(OnCallPane)._lines)
        assert f"{after} pages next" in oncall


async def test_the_list_has_no_horizontal_scrollbar_and_scrolls_its_rows_only(
    app_factory, many, refreshes
):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        pane = app.screen.query_one(IncidentsPane)
        assert pane.show_vertical_scrollbar and not pane.show_horizontal_scrollbar
        visible = pane.size.height - 1
        for _ in range(visible - 1):
            await pilot.press("down")
        await settle(app, pilot)
        assert pane.scroll_offset.y == 0
        refreshes.clear()
        await pilot.press("down")  # the first move that scrolls
        assert pane.scroll_offset.y == 1
        mine = [regions for widget, regions in refreshes if widget is pane]
        rows_width = pane.scrollable_content_region.width
        # the rows below the header, never the header, the border or the scrollbar's cells
        assert mine and all(r.y >= 1 and r.right <= rows_width for rs in mine for r in rs)
        assert pane.vertical_scrollbar.position == pane.scroll_y  # kept, if not repainted
        refreshes.clear()
        await pilot.press("up")  # within the screen: the two rows whose selection changed
        mine = [regions for widget, regions in refreshes if widget is pane]
        assert sorted(r.height for rs in mine for r in rs) == [1, 1]


async def test_a_new_title_repaints_its_border_line_only(app_factory, refreshes):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        timeline = app.screen.query_one(TimelinePane)
        refreshes.clear()
        timeline.set_border_title("Timeline INC-12345")
        (regions,) = [regions for widget, regions in refreshes if widget is timeline]
        (region,) = regions
        assert region.height == 1 and region.y == -timeline.content_offset.y
        assert region.width < timeline.outer_size.width  # up to the end of the title
        refreshes.clear()
        timeline.set_border_title("Timeline INC-12345")  # the same: nothing
        assert not [w for w, _ in refreshes if w is timeline]


async def test_new_lines_repaint_up_to_their_last_changed_cell(app_factory, refreshes):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        pane = app.screen.query_one(OnCallPane)
        pane.set_lines([Text("same line"), Text("note on INC-1"), Text("INC-1 tail same")])
        await pilot.pause()
        refreshes.clear()
        pane.set_lines([Text("same line"), Text("note on INC-2"), Text("INC-2 tail same")])
        regions = [r for widget, rs in refreshes if widget is pane for r in rs]
        assert sorted((r.y, r.width) for r in regions) == [(1, 13), (2, 5)]


async def test_the_minute_repaints_rows_up_to_their_changed_age_only(app_factory, refreshes):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        pane = app.screen.query_one(IncidentsPane)
        refreshes.clear()
        pane.tick(pane.now_ts)  # the same minute: nothing
        assert not [w for w, _ in refreshes if w is pane]
        pane.tick(pane.now_ts + 60)  # 9m -> 10m and so on: the age cells, not the padding
        regions = [r for widget, rs in refreshes if widget is pane for r in rs]
        assert len(regions) == len(pane.rows)
        assert all(
            r.height == 1 and r.right < pane.scrollable_content_region.width for r in regions
        )


async def test_the_id_column_fits_ids_past_ten_thousand(app_factory):
    import dataclasses

    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        pane = app.screen.query_one(IncidentsPane)
        snap = pane.snapshot
        rows = tuple(r._replace(id=f"INC-1000{i}") for i, r in enumerate(snap.rows))
        pane.show(dataclasses.replace(snap, rows=rows), pane.now_ts)
        await pilot.pause()
        texts = [pane.render_line(y).text for y in range(1, len(rows) + 1)]
        assert all(f"INC-1000{i} " in t for i, t in enumerate(texts))
        assert "…" not in "".join(t[:14] for t in texts)
