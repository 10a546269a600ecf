"""Schema versions and migration; live and drill stores kept apart."""

from __future__ import annotations

import json

import pytest

from console.store import Store, StoreError
from console.store.migrations import CURRENT_SCHEMA


def _write_schema1_store(path):
    path.mkdir()
    lines = [
        {
            "incident_console_store": {
                "schema": 1,
                "kind": "live",
                "created_at": "2026-01-01T00:00:00Z",
            }
        },
        {
            "r": [
                {
                    "t": "event",
                    "id": "e1",
                    "ts": "2026-01-01T10:00:00.000000Z",
                    "kind": "opened",
                    "author": "ada",
                    "text": "Opened: Old one",
                    "incident": "INC-1",
                    "data": {"title": "Old one"},
                }
            ]
        },
        {
            "r": [
                {
                    "t": "event",
                    "id": "e2",
                    "ts": "2026-01-01T10:05:00.000000Z",
                    "kind": "acknowledged",
                    "author": "ada",
                    "text": "Acknowledged",
                    "incident": "INC-1",
                    "data": {},
                }
            ]
        },
    ]
    (path / "journal-000001.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))


def test_schema_1_store_is_migrated_with_a_backup(tmp_path):
    path = tmp_path / "old"
    _write_schema1_store(path)
    store = Store.open(path)
    inc = store.state.get("INC-1")
    assert inc.title == "Old one" and inc.status == "acknowledged"
    assert [e.origin for e in store.state.timeline("INC-1")] == ["local", "local"]
    header = json.loads((path / "journal-000001.jsonl").read_text().splitlines()[0])
    assert header["incident_console_store"]["schema"] == CURRENT_SCHEMA
    assert (path / "journal-000001.jsonl.schema1.bak").exists()
    # and it keeps working
    from console.actions import execute_line
    from console.domain.clock import FixedClock
    from console.domain.settings import settings_from_dict

    execute_line(store, "resolve INC-1", settings_from_dict({}), FixedClock("2026-01-01T11:00:00Z"))
    assert Store.open(path, read_only=True).state.get("INC-1").status == "resolved"


def test_read_only_does_not_migrate(tmp_path):
    path = tmp_path / "old"
    _write_schema1_store(path)
    with pytest.raises(StoreError, match="needs migrating"):
        Store.open(path, read_only=True)


def test_store_kind_is_recorded(tmp_path):
    Store.open(tmp_path / "d", kind="drill")
    assert Store.open(tmp_path / "d").kind == "drill"
    assert Store.open(tmp_path / "l").kind == "live"


def test_read_only_store_refuses_writes(tmp_path):
    Store.open(tmp_path / "s")
    ro = Store.open(tmp_path / "s", read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        ro.transact(lambda s: None)
