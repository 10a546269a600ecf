"""Every key, driven through Pilot: the store changed as expected."""

from __future__ import annotations

import pytest

from console.ui.incidents_pane import IncidentsPane

pytestmark = pytest.mark.anyio


async def settle(app, pilot):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def status(store, inc):
    return store.state.incidents[inc].status


def kinds(store, inc):
    return [e.kind for e in store.state.timeline(inc)]


async def test_first_row_is_the_triggered_sev1_and_a_acks_it(app_factory, ui_store):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        pane = app.screen.query_one(IncidentsPane)
        assert [r.id for r in pane.rows] == ["INC-2", "INC-1", "INC-3"]
        await pilot.press("a")
        await settle(app, pilot)
        assert status(ui_store, "INC-2") == "acknowledged"
        # the selection follows INC-2 although it moved down the list
        assert app.screen.selected == "INC-2"


async def test_j_k_g_G_move_the_cursor(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("j")
        assert app.screen.selected == "INC-1"
        await pilot.press("G")
        assert app.screen.selected == "INC-3"
        await pilot.press("k")
        assert app.screen.selected == "INC-1"
        await pilot.press("g")
        assert app.screen.selected == "INC-2"


async def test_r_resolves_after_confirmation_only(app_factory, ui_store):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("r", "n")
        await settle(app, pilot)
        assert status(ui_store, "INC-2") == "triggered"
        await pilot.press("r", "y")
        await settle(app, pilot)
        assert status(ui_store, "INC-2") == "resolved"


async def test_n_adds_a_note_with_markup_kept_literal(app_factory, ui_store):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await pilot.press(*"db [bold]back[/] 'ok'")
        await pilot.press("enter")
        await settle(app, pilot)
        notes = [e.text for e in ui_store.state.timeline("INC-2") if e.kind == "note"]
        assert notes == ["db [bold]back[/] 'ok'"]


async def test_d_declares_a_new_incident_from_the_form(app_factory, ui_store):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        form = app.screen
        form.query_one("#field-which").value = "new"
        form.query_one("#field-severity").value = "sev1"
        form.query_one("#field-title").value = "Search is down"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        inc = ui_store.state.incidents["INC-4"]
        assert (inc.severity, inc.title) == (1, "Search is down")
        assert app.screen.selected == "INC-4"


async def test_s_changes_the_severity(app_factory, ui_store):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#field-severity").value = "sev3"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert ui_store.state.incidents["INC-2"].severity == 3


async def test_c_major_outage_asks_first(app_factory, ui_store):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        await pilot.pause()
        app.screen.query_one("#field-component").value = "API"
        app.screen.query_one("#field-status").value = "major_outage"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("n")
        await settle(app, pilot)
        assert "API" not in ui_store.state.components
        await pilot.press("c")
        await pilot.pause()
        app.screen.query_one("#field-component").value = "API"
        app.screen.query_one("#field-status").value = "major_outage"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert ui_store.state.components["API"].status == "major_outage"


async def test_colon_runs_a_command_line_and_shows_refusals(app_factory, ui_store):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("colon", *"escalate --level x", "enter")
        await settle(app, pilot)
        message = str(app.screen.query_one("#message").render())
        assert "--level must be a level number" in message
        await pilot.press("colon", *"priority p1", "enter")
        await settle(app, pilot)
        assert ui_store.state.incidents["INC-2"].priority == "P1"


async def test_slash_filters_the_list(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"service:database", "enter")
        await pilot.pause()
        pane = app.screen.query_one(IncidentsPane)
        assert [r.id for r in pane.rows] == ["INC-3"]
        await pilot.press("slash", "escape")
        await pilot.pause()
        assert len(pane.rows) == 3


@pytest.mark.parametrize(
    "key,field,value,check",
    [
        (
            "t",
            "text",
            "write the postmortem",
            lambda s: s.state.incidents["INC-2"].action_items[0].text,
        ),
    ],
)
async def test_t_adds_a_task(app_factory, ui_store, key, field, value, check):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await pilot.pause()
        app.screen.query_one(f"#field-{field}").value = value
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert check(ui_store) == value
