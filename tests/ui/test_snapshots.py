"""What a person sees, as SVG snapshots: fixed clock, fixed data, nothing blinking.

Update with `pytest tests/ui/test_snapshots.py --snapshot-update`, then look at every
changed SVG before committing it.
"""

from __future__ import annotations

import pytest

from tests.ui.conftest import settle


def keys(*presses, line: str | None = None, then: tuple[str, ...] = ()):
    """Press keys; with `line`, put it in the ':' or '/' line and press `then`."""

    async def run_before(pilot):
        await settle(pilot)
        for key in presses:
            await pilot.press(key)
            await settle(pilot)
        if line is not None:
            pilot.app.screen.query_one("#command-line").value = line
            await pilot.pause()
            for key in then:
                await pilot.press(key)
            await settle(pilot)

    return run_before


def test_main_screen_80x24(snap_compare, app_factory):
    assert snap_compare(app_factory(), terminal_size=(80, 24), run_before=keys())


def test_main_screen_160x48(snap_compare, app_factory):
    assert snap_compare(app_factory(), terminal_size=(160, 48), run_before=keys())


@pytest.mark.parametrize("theme", ["light", "high-contrast", "monochrome", "colorblind"])
def test_themes(snap_compare, app_factory, theme):
    assert snap_compare(app_factory(theme=theme), terminal_size=(120, 40), run_before=keys())


def test_help_screen(snap_compare, app_factory):
    assert snap_compare(app_factory(), terminal_size=(80, 24), run_before=keys("question_mark"))


def test_declare_form(snap_compare, app_factory):
    assert snap_compare(app_factory(), terminal_size=(80, 24), run_before=keys("d"))


def test_command_line_error(snap_compare, app_factory):
    before = keys("colon", line="escalate --level x", then=("enter",))
    assert snap_compare(app_factory(), terminal_size=(80, 24), run_before=before)


def test_filter_applied(snap_compare, app_factory):
    before = keys("slash", line="sev:1 checkout", then=("enter",))
    assert snap_compare(app_factory(), terminal_size=(80, 24), run_before=before)


def test_status_pane_at_80x24(snap_compare, app_factory):
    assert snap_compare(app_factory(), terminal_size=(80, 24), run_before=keys("4"))
