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
        # the selected INC-2 is declared already: the form declares a new incident
        assert not form.query("#field-which")
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
        await pilot.press("colon")
        app.screen.query_one("#command-line").value = "escalate --level x"
        await pilot.press("enter")
        await settle(app, pilot)
        message = str(app.screen.query_one("#message").render())
        assert "--level must be a level number" in message
        line = app.screen.query_one("#command-line")
        assert line.value == "escalate --level x" and line.has_focus  # back, to be fixed
        await pilot.press("escape", "colon", *"pri", "tab", *" p1", "enter")  # tab completes
        await settle(app, pilot)
        assert ui_store.state.incidents["INC-2"].priority == "P1"


async def test_slash_filters_the_list(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        app.screen.query_one("#command-line").value = "service:database"
        await pilot.press("enter")
        await pilot.pause()
        pane = app.screen.query_one(IncidentsPane)
        assert [r.id for r in pane.rows] == ["INC-3"]
        await pilot.press("slash", "escape")
        await pilot.pause()
        assert len(pane.rows) == 3


async def test_a_filter_without_the_selected_incident_selects_its_first_row(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        pane = app.screen.query_one(IncidentsPane)
        pane.action_cursor_to(-1)  # the last row, not a payments incident
        await pilot.pause()
        assert pane.selected.id == "INC-3"
        await pilot.press("slash")
        app.screen.query_one("#command-line").value = "service:payments"
        await pilot.press("enter")
        await pilot.pause()
        assert len(pane.rows) == 2
        assert pane.cursor == 0
        first = pane.selected.id
        assert first == pane.rows[0].id
        await pilot.press("slash", "escape")  # and clearing it keeps that selection
        await pilot.pause()
        assert len(pane.rows) == 3 and pane.selected.id == first


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


async def test_e_escalates_to_the_next_level(app_factory, ui_store):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        assert "escalated" in kinds(ui_store, "INC-2")
        assert ui_store.state.incidents["INC-2"].escalation_level == 2


async def test_u_posts_a_status_page_update(app_factory, ui_store):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("u")
        await pilot.pause()
        app.screen.query_one("#field-status").value = "identified"
        app.screen.query_one("#field-text").value = "A bad deploy; rolling back."
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert ui_store.state.incidents["INC-2"].page_status == "identified"


async def test_m_schedules_a_maintenance_window(app_factory, ui_store):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        app.screen.query_one("#field-service").value = "database"
        app.screen.query_one("#field-text").value = "Failover drill"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        [window] = ui_store.state.maintenance
        assert window.service == "database" and window.description == "Failover drill"


async def test_tab_and_number_keys_switch_panes(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("tab")
        assert screen.focused.id == "timeline"
        await pilot.press("tab")
        assert screen.focused.id == "oncall" and screen.pane("oncall").display
        assert not screen.pane("timeline").display  # 80x24: one lower pane at a time
        await pilot.press("shift+tab", "shift+tab")
        assert screen.focused.id == "incidents"
        await pilot.press("4")
        assert screen.focused.id == "status"
        await pilot.press("1")
        assert screen.focused.id == "incidents"


async def test_question_mark_opens_help_for_the_focused_pane(app_factory):
    from console.ui.help_screen import HelpScreen

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("3", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert str(app.screen.text).startswith("On call")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_q_asks_while_intents_wait_and_says_they_are_safe(app_factory, ui_settings):
    from console.domain.settings import settings_from_dict
    from console.ui.confirm_screen import ConfirmScreen
    from tests.ui.conftest import UI_TEAM

    settings = settings_from_dict({**UI_TEAM, "providers": {"chat": {}}}, source="t.toml")
    app = app_factory(settings=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "safe on disk" in app.screen.detail
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running
        await pilot.press("q", "y")
        await pilot.pause()
    assert app.return_code == 0


async def test_q_quits_at_once_with_nothing_to_send(app_factory):
    """No provider configured: the bar says nothing is sent (not "5 queued", QA Q9), so q
    has nothing to warn about."""
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.screen.snapshot.pending_intents == 5  # kept in the store all the same
        bar = str(app.screen.query_one("#providers").render())
        assert bar == "no providers configured: nothing is sent"
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running


async def test_read_only_hides_the_writing_keys(app_factory):
    app = app_factory(read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert screen.check_action("ack", ()) is False
        assert screen.check_action("declare", ()) is False
        assert screen.check_action("filter", ()) is True
        await pilot.press("a")
        await settle(app, pilot)
        assert screen.snapshot.by_id["INC-2"].status == "triggered"


async def test_keys_that_cannot_act_are_greyed(app_factory, ui_store):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        app.screen.query_one("#command-line").value = "nothing-matches-this"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.selected is None
        assert app.screen.check_action("ack", ()) is None  # greyed: no incident selected
        assert app.screen.check_action("drill_pause", ()) is False  # hidden outside a drill


async def test_palette_offers_noun_verb_commands_and_switches_theme(app_factory):
    from console.ui.palette import palette_entries

    titles = [t for t, *_ in palette_entries(["dark", "light"])]
    assert "incident: ack" in titles and "status: component" in titles
    assert "theme: light" in titles
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"theme: light")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "light"


async def test_keymap_from_config_rebinds_by_id(app_factory, ui_store):
    from console.domain.settings import settings_from_dict
    from tests.ui.conftest import UI_TEAM

    settings = settings_from_dict(
        {**UI_TEAM, "ui": {"keymap": {"incident.ack": "A"}}}, source="t.toml"
    )
    app = app_factory(settings=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        assert status(ui_store, "INC-2") == "triggered"
        await pilot.press("A")
        await settle(app, pilot)
        assert status(ui_store, "INC-2") == "acknowledged"


async def test_list_keys_move_the_list_only_while_it_has_focus(app_factory):
    # the list's moves are priority bindings (they act as the app first sees the key):
    # typed into the command line, or with another pane focused, they are not moves
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        pane = app.screen.query_one(IncidentsPane)
        await pilot.press("j")
        await pilot.pause()
        assert pane.cursor == 1
        await pilot.press("colon", *"jkgG")
        await pilot.pause()
        assert app.screen.query_one("#command-line").value == "jkgG"
        assert pane.cursor == 1
        await pilot.press("escape", "2", "j", "k", "G", "g")  # the Timeline pane's own keys
        await pilot.pause()
        assert app.screen.pane("timeline").has_focus
        assert pane.cursor == 1
        await pilot.press("1", "k")
        await pilot.pause()
        assert pane.has_focus and pane.cursor == 0
