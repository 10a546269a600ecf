"""The component form (QA Q5): it starts on the selected incident's component, enter on
a list that was just chosen moves on, and the open list stays inside the dialog."""

from __future__ import annotations

import pytest

from tests.ui.conftest import settle

pytestmark = pytest.mark.anyio


async def test_component_form_defaults_to_the_incidents_component_and_enter_moves_on(
    app_factory, ui_store
):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("G")  # INC-3, on the database service: its component is Dashboard
        assert app.screen.selected == "INC-3"
        await pilot.press("c")
        await pilot.pause()
        form = app.screen
        component = form.query_one("#field-component")
        status = form.query_one("#field-status")
        assert component.value == "Dashboard" and component.has_focus
        await pilot.press("enter")  # opens the list
        await pilot.pause()
        assert component.expanded
        await pilot.pause(0.1)  # the dialog grows after the list is laid out
        box = form.query_one("#form").region
        listed = component.query_one("SelectOverlay").region
        assert box.y < listed.y and listed.bottom < box.bottom  # inside the border
        await pilot.press("down", "enter")  # chooses API
        await pilot.pause()
        assert component.value == "API" and not component.expanded and component.has_focus
        await pilot.press("enter")  # as the hint says: next
        await pilot.pause()
        assert status.has_focus and not component.expanded
        await pilot.press("enter")  # a list not chosen yet opens
        await pilot.pause()
        assert status.expanded
        await pilot.pause(0.1)
        box = form.query_one("#form").region
        listed = status.query_one("SelectOverlay").region
        assert listed.height >= 5 and listed.bottom < box.bottom  # five statuses, inside
        await pilot.press("down", "enter", "enter")  # degraded performance; last field: submit
        await settle(pilot)
        assert ui_store.state.components["API"].status == "degraded_performance"


async def test_the_first_component_when_the_incident_has_none(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        app.screen.query_one("#command-line").value = "nothing-matches-this"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert app.screen.query_one("#field-component").value == "Payment Processing"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")  # closes the list, not the form
        await pilot.pause()
        assert app.screen.query_one("#field-component").has_focus
