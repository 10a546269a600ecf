"""Start-up: the screen paints while the store opens in the background; an unreadable
store ends the console with its reason; collection is held off until the first screen."""

from __future__ import annotations

import gc
import threading

import pytest

from console import gc_pause
from console.cli.context import CliError, StoreOpening
from console.ui.app import make_app
from console.ui.incidents_pane import IncidentsPane

from .conftest import settle

pytestmark = pytest.mark.anyio


def _gated(store):
    """An opening that finishes only when the test says so."""
    gate = threading.Event()

    def open_it():
        gate.wait(10)
        return store

    return StoreOpening(open_it), gate


async def test_screen_paints_while_the_store_opens_then_lists_it(ui_store, ui_settings, ui_clock):
    opening, gate = _gated(ui_store)
    app = make_app(None, ui_settings, ui_clock, opening=opening, ticking=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        pane = app.screen.query_one(IncidentsPane)
        assert app.link.ready is False
        assert pane.snapshot.loading and pane.rows == ()
        assert "Opening the store" in pane.render_line(1).text
        gate.set()
        await settle(pilot)
        assert app.link.ready
        assert [r.id for r in pane.rows] == ["INC-2", "INC-1", "INC-3"]
        assert "Opening the store" not in pane.render_line(1).text


async def test_store_that_fails_to_open_ends_the_console_with_its_reason(ui_settings, ui_clock):
    def fail():
        raise CliError("/somewhere: is a file, not an incident-console store folder", 2)

    app = make_app(None, ui_settings, ui_clock, opening=StoreOpening(fail), ticking=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
    assert app.return_code == 2
    assert isinstance(app.link.open_error, CliError)
    assert "is a file" in str(app.link.open_error)


def test_run_app_reports_an_unreadable_store_as_a_cli_error(monkeypatch, tmp_path):
    """run_app raises the opening's CliError after the screen ends (main prints it, exit 2)."""
    import console.ui.app as app_module
    from console.cli.context import CliContext

    not_a_store = tmp_path / "file"
    not_a_store.write_text("hello")
    ctx = CliContext(store_path=not_a_store)

    def run(self, *a, **kw):  # no terminal here: wait for the opening as the worker does
        try:
            _ = self.link.store
        except Exception as exc:
            self.link.open_error = exc

    monkeypatch.setattr(app_module.ConsoleApp, "run", run)

    class Args:
        drill = None
        listen = None
        theme = None

    with pytest.raises(CliError) as err:
        app_module.run_app(Args(), ctx)
    assert err.value.status == 2
    assert "not an incident-console store" in str(err.value)


def test_gc_is_held_then_released_with_start_up_objects_frozen():
    assert gc.isenabled()
    frozen_before = gc.get_freeze_count()
    try:
        gc_pause.hold()
        assert not gc.isenabled() and gc_pause.held()
        kept = [[] for _ in range(100)]  # long-lived start-up objects
        gc_pause.release(freeze=True)
        assert gc.isenabled() and not gc_pause.held()
        assert gc.get_freeze_count() >= frozen_before + len(kept)
        gc_pause.release(freeze=True)  # a second release changes nothing
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


def test_hold_leaves_a_collector_someone_else_turned_off_alone():
    gc.disable()
    try:
        gc_pause.hold()
        assert not gc_pause.held()
        gc_pause.release()
        assert not gc.isenabled()  # not ours to turn on
    finally:
        gc.enable()


def test_cli_main_gives_the_collector_back(capsys):
    from console.cli import main

    assert main(["--version"]) == 0
    assert gc.isenabled() and not gc_pause.held()


def test_a_live_console_starts_reading_its_store_before_the_screen_loads(tmp_path, monkeypatch):
    """A named store, or a provider with credentials, opens in the background at once; a
    drill or --listen does not (run_app decides those)."""
    import console.providers.credentials as credentials
    from console.cli.context import CliContext
    from console.cli.tui_cmd import _opens_live_store
    from console.domain.settings import settings_from_dict

    class Args:
        drill = None
        listen = None

    named = CliContext(store_path=tmp_path / "store")
    assert _opens_live_store(Args(), named)
    drill, listen = Args(), Args()
    drill.drill, listen.listen = "welcome", 0
    assert not _opens_live_store(drill, named)
    assert not _opens_live_store(listen, named)

    unnamed = CliContext()
    unnamed._settings = settings_from_dict({})
    monkeypatch.setattr(credentials, "providers_with_credentials", lambda *a, **k: [])
    assert not _opens_live_store(Args(), unnamed)  # no provider: the default drill
    monkeypatch.setattr(credentials, "providers_with_credentials", lambda *a, **k: ["pagerduty"])
    assert _opens_live_store(Args(), unnamed)  # a provider: the live default store
