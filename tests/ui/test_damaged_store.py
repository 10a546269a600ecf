"""A store damaged where only a read finds it: the screen names the file and keeps going
(a timeline line), or the console ends with exit 2 and the reason (an incident row the
first screen needs); never a traceback, the files untouched."""

from __future__ import annotations

import hashlib
import json

import pytest

from console.cli.context import StoreOpening
from console.store import Store
from console.ui.app import make_app
from tests.ui.conftest import seed_store, settle

pytestmark = pytest.mark.anyio


def _digests(path):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in path.iterdir()}


def _compacted(tmp_path, clock, settings):
    path = tmp_path / "store"
    store = seed_store(path, clock, settings)
    store.compact()
    store.close()
    return path


def _message(app) -> str:
    return str(app.screen.query_one("#message").render())


async def test_a_damaged_timeline_line_is_said_naming_the_file(tmp_path, ui_clock, ui_settings):
    path = _compacted(tmp_path, ui_clock, ui_settings)
    cold = next(path.glob("events-*.jsonl"))
    lines = cold.read_bytes().split(b"\n")
    for i in (1, 2, 3):  # every incident's timeline, each line kept at its length
        lines[i] = b"[" + b"x" * (len(lines[i]) - 1)
    cold.write_bytes(b"\n".join(lines))
    before = _digests(path)
    store = Store.open(path, read_only=True)
    app = make_app(store, ui_settings, ui_clock, ticking=False, bell=False, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert str(cold) in _message(app)
        assert any(str(cold) in str(n.message) for n in app._notifications)
        await pilot.press("down", "down")  # other incidents: still a working screen
        await settle(pilot)
        assert app.is_running and app.screen.selected is not None
    store.close()
    assert _digests(path) == before


@pytest.mark.parametrize("opening", [False, True])
async def test_a_damaged_incident_row_ends_the_console_with_its_reason(
    tmp_path, ui_clock, ui_settings, opening
):
    path = _compacted(tmp_path, ui_clock, ui_settings)
    snap = path / "snapshot.json"
    doc = json.loads(snap.read_text())
    next(iter(doc["incidents"].values()))["severity"] = "very bad"
    snap.write_text(json.dumps(doc))
    before = _digests(path)
    if opening:
        store, pending = None, StoreOpening(lambda: Store.open(path, read_only=True))
    else:
        store, pending = Store.open(path, read_only=True), None
    app = make_app(
        store, ui_settings, ui_clock, ticking=False, bell=False, read_only=True, opening=pending
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    assert app.return_code == 2
    assert f"{snap}: incident INC-1: severity: str where" in str(app.link.open_error)
    assert _digests(path) == before
