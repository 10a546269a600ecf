"""The first snapshot lists incidents not read yet from their stored rows, without
building them (console.ui.view_model.rows_of): the rows must be exactly those built from
the Incidents, whatever a stored row leaves out or holds."""

from __future__ import annotations

import json

import pytest

from console.store import Store
from console.ui.view_model import IncidentRow, rows_of
from tests.ui.conftest import SEED, seed_store

VARIANTS = [
    {},  # as the commands stored it
    {"roles": {"commander": "ada"}, "assignee": "bob"},
    {"roles": {}, "assignee": "bob"},
    {"service": None, "severity": None},
    {"title": "Red \x1b[31malert\x1b[0m\u202e and a very long tail " + "x" * 300},
    {"service": "db\x07", "assignee": "\u202eeve"},
    {"page_status": "investigating", "last_page_update_at": "2026-03-01T10:00:00Z"},
    {"last_page_update_at": "2026-03-01T12:00:00+02:00", "created_at": "2026-03-01T09:00:00+01:00"},
    {"created_at": "2026-03-01T09:00:00.250000Z"},
]


def _store(tmp_path, ui_clock, ui_settings):
    path = tmp_path / "store"
    declares = [(300 + n, f'declare sev2 "incident {n}"') for n in range(len(VARIANTS))]
    store = seed_store(path, ui_clock, ui_settings, lines=SEED + declares)
    store.compact()
    store.close()
    snap = path / "snapshot.json"
    doc = json.loads(snap.read_text())
    rows = list(doc["incidents"].values())[-len(VARIANTS) :]
    for n, (row, change) in enumerate(zip(rows, VARIANTS, strict=True)):
        row.update(change)
        for name in ("status", "urgency"):  # left out: the Incident's default is read
            if n % 2:
                row.pop(name, None)
    snap.write_text(json.dumps(doc))
    return path


def test_rows_from_stored_rows_are_the_rows_of_the_built_incidents(tmp_path, ui_clock, ui_settings):
    path = _store(tmp_path, ui_clock, ui_settings)
    lazy = Store.open(path, read_only=True)
    eager = Store.open(path, read_only=True)
    try:
        unread = [k for k in lazy.state.incidents if lazy.state.incidents.is_unread(k)]
        assert len(unread) >= len(VARIANTS)  # the stored-row path is the one taken
        from_rows = rows_of(lazy.state)
        assert all(lazy.state.incidents.is_unread(k) for k in unread)  # nothing was built
        built = {i.id: IncidentRow.of(i) for i in eager.state.incidents.values()}
        assert from_rows == built
        assert list(from_rows) == list(built)
    finally:
        lazy.close()
        eager.close()


@pytest.mark.parametrize(
    "change", [{"severity": "very bad"}, {"nickname": "x"}, {"created_at": "yesterday"}]
)
def test_a_damaged_stored_row_raises_the_stores_own_error(tmp_path, ui_clock, ui_settings, change):
    from console.store.errors import StoreError

    path = _store(tmp_path, ui_clock, ui_settings)
    snap = path / "snapshot.json"
    doc = json.loads(snap.read_text())
    row = list(doc["incidents"].values())[-2]
    row.update(change)
    victim = row["id"]
    snap.write_text(json.dumps(doc))
    store = Store.open(path, read_only=True)
    try:
        with pytest.raises(StoreError) as raised:
            rows_of(store.state)
        assert str(snap) in str(raised.value) and f"incident {victim}:" in str(raised.value)
    finally:
        store.close()
