"""Lines that matter are folded or cut where a reader can still see what counts (QA Q3,
Q4): the handoff time and the next person in the On call pane at 120x40."""

from __future__ import annotations

import pytest

from tests.ui.conftest import settle

pytestmark = pytest.mark.anyio


def _rows(widget) -> list[str]:
    return [
        "".join(seg.text for seg in widget.render_line(y)).rstrip()
        for y in range(widget.size.height)
    ]


async def test_on_call_pane_folds_the_handoff_onto_a_second_line_at_120x40(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.screen.pane("oncall")
        assert pane.display and pane.size.width < 60  # the narrow column of this layout
        rows = _rows(pane)
        head = next(i for i, r in enumerate(rows) if r.startswith("  Payments primary: "))
        assert "→" not in rows[head]
        assert rows[head + 1].startswith("    → ")
        assert "(in " in rows[head + 1] and " at " in rows[head + 1]
        pages = [r for r in rows if r.startswith("  L")]
        assert pages and all(r.endswith(")") for r in pages)  # each page's time whole


async def test_status_pane_cuts_the_title_not_the_last_update_at_80x24(
    app_factory, ui_store, ui_settings, ui_clock
):
    from console.actions import execute_line

    title = "Checkout: HTTP 5xx on 9% of order submissions in every region we serve"
    execute_line(ui_store, f'declare sev2 "{title}" --service payments', ui_settings, ui_clock)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        pane = app.screen.pane("status")
        rows = [r for r in _rows(pane) if r.startswith("  INC-") or r.startswith("  ⚠ INC-")]
        assert len(rows) == 4, rows
        for row in rows:
            assert row.endswith(("ago", "just now")) and "  last update " in row, row
        [long] = [r for r in rows if "INC-4" in r]
        assert "Checkout: HTTP 5xx on" in long and "…  last update" in long


async def test_the_resolve_message_shows_where_the_draft_went_at_80x24(app_factory, ui_store):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r", "y")
        for _ in range(40):  # the draft is written in a background thread
            await pilot.pause(0.05)
            if "postmortem draft" in str(app.screen.query_one("#message").render()):
                break
        line = _rows(app.screen.query_one("#message"))[0]
        assert line.strip().startswith("✓ INC-2 resolved · postmortem draft: ")
        assert line.endswith("/postmortems/INC-2.md"), line


async def test_a_long_pending_line_wraps_under_its_text(app_factory):
    from rich.style import Style

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.screen.pane("timeline")
        text = "pagerduty: incident.open retrying (pagerduty: server error (503): injected fault)"
        lines = [t.plain for t in pane._pending_lines(text, 60, Style())]
        assert lines[0].startswith(" ↻ pending  pagerduty: incident.open")
        assert len(lines) == 2 and lines[1] == " " * 12 + "server error (503): injected fault)"


def test_a_squeezed_line_folds_its_tail_rather_than_leave_the_title_a_stub():
    from rich.console import Console
    from rich.text import Text

    from console.ui.line_view import Squeezed

    line = Squeezed(
        Text("  INC-1 identified: "),
        Text("Checkout: HTTP 5xx on 9% of order submissions"),
        Text("  last update just now"),
        min_middle=20,
    )
    console = Console(width=80)
    wide = [t.plain for t in line.fit(78, console)]
    assert wide == [
        "  INC-1 identified: Checkout: HTTP 5xx on 9% of order s…  last update just now"
    ]
    narrow = [t.plain for t in line.fit(45, console)]
    assert narrow == ["  INC-1 identified: Checkout: HTTP 5xx on 9%…", "    last update just now"]


async def test_with_nothing_to_work_out_the_on_call_pane_says_so_in_the_first_frame(
    ui_store, ui_clock, monkeypatch
):
    # no [schedules] and no [policies]: no worker is started for an empty answer (its
    # late arrival filled the empty pane and repainted the whole screen)
    from console.domain.settings import settings_from_dict
    from console.ui.app import make_app
    from console.ui.main_screen import MainScreen

    started: list[str] = []
    monkeypatch.setattr(MainScreen, "compute_oncall", lambda screen: started.append("worker"))
    app = make_app(ui_store, settings_from_dict({}, source="empty.toml"), ui_clock, ticking=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = " ".join(_rows(app.screen.pane("oncall")))
        assert "No schedules or escalation policies configured yet" in " ".join(text.split())
        await settle(pilot)
    assert started == []
