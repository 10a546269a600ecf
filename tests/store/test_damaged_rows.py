"""A snapshot.json whose incident rows parse as JSON but are damaged, and a damaged line
in the cold event file: every reader names the file (and the incident and field), the
CLI exits 2, nothing prints a traceback and the files are left as they were."""

from __future__ import annotations

import hashlib
import json

import pytest

from console.cli import main
from console.store import Store, StoreError


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _compacted_store(tmp_path):
    path = tmp_path / "store"
    for title in ("db down", "cache cold"):
        assert main(["--store", str(path), "exec", f"declare sev2 {title}"]) == 0
    store = Store.open(path)
    store.compact()
    store.close()
    return path


def _damage_row(path, inc: str, field: str, value) -> None:
    snap = path / "snapshot.json"
    doc = json.loads(snap.read_text())
    for row in doc["incidents"].values():
        if row["id"] == inc:
            if value is _DROP:
                del row[field]
            else:
                row[field] = value
    snap.write_text(json.dumps(doc))


_DROP = object()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("created_at", "yesterday-ish", "is not a time"),
        ("severity", "high", "str where"),
        ("title", ["a", "list"], "list where"),
        ("created_at", _DROP, "missing"),
        ("components", [1, 2], "int where text belongs"),
        ("resolved_at", 12, "int where"),
        ("action_items", [{"text": 3}], "not an action item"),
        ("escalation_level", True, "bool where"),
    ],
)
@pytest.mark.parametrize(
    "argv",
    [["list"], ["list", "--json"], ["show", "INC-2", "--json"], ["exec", "ack INC-2"]],
)
def test_a_damaged_incident_row_is_named_with_its_file(tmp_path, capsys, field, value, words, argv):
    path = _compacted_store(tmp_path)
    _damage_row(path, "INC-2", field, value)
    snap = path / "snapshot.json"
    before = {p.name: _digest(p) for p in path.iterdir() if p.name != "lock"}
    capsys.readouterr()
    assert main(["--store", str(path), *argv]) == 2
    err = capsys.readouterr().err
    assert f"{snap}: incident INC-2: {field}: " in err and words in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert {p.name: _digest(p) for p in path.iterdir() if p.name != "lock"} == before


def test_the_store_raises_its_own_error_and_the_row_stays_unread(tmp_path):
    path = _compacted_store(tmp_path)
    _damage_row(path, "INC-1", "created_at", "2026-13-45T99:00:00Z")
    store = Store.open(path, read_only=True)
    for _ in range(2):  # a second read raises again, never hands out a half-built value
        with pytest.raises(StoreError, match=r"incident INC-1: created_at: .* is not a time"):
            store.state.get("INC-1")
    assert store.state.get("INC-2").title == "cache cold"


def test_a_damaged_timeline_line_is_named_with_its_file(tmp_path, capsys):
    path = _compacted_store(tmp_path)
    cold = next(path.glob("events-*.jsonl"))
    data = bytearray(cold.read_bytes())
    lines = data.split(b"\n")
    lines[2] = b"[" + b"x" * (len(lines[2]) - 1)  # INC-2's line, same length
    cold.write_bytes(b"\n".join(lines))
    before = _digest(cold)
    capsys.readouterr()
    assert main(["--store", str(path), "show", "INC-2", "--json"]) == 2
    err = capsys.readouterr().err
    assert str(cold) in err and "Traceback" not in err
    assert _digest(cold) == before
