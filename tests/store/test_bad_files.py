"""An unreadable or foreign store: a clear message naming the file, exit 2, the file untouched."""

from __future__ import annotations

import hashlib
import json

import pytest

from console.cli import main
from console.store import Store, StoreError


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02 not json at all",
        b'{"_default": {"1": {"name": "someone else\'s tinydb"}}}\n',
        b'{"incident_console_store": {"schema": 99, "kind": "live"}}\n',
    ],
)
def test_foreign_or_future_journal_is_refused_and_left_alone(tmp_path, capsys, content):
    store = tmp_path / "store"
    store.mkdir()
    j = store / "journal-000001.jsonl"
    j.write_bytes(content)
    before = _digest(j)
    with pytest.raises(StoreError) as err:
        Store.open(store)
    assert str(j) in str(err.value)
    assert main(["--store", str(store), "exec", "declare sev2 x"]) == 2
    msg = capsys.readouterr().err
    assert str(j) in msg and "Traceback" not in msg
    assert _digest(j) == before


def test_a_file_where_the_store_folder_should_be(tmp_path, capsys):
    f = tmp_path / "notes.txt"
    f.write_text("my notes")
    assert main(["--store", str(f), "list"]) == 2
    assert "is a file" in capsys.readouterr().err
    assert f.read_text() == "my notes"


def test_a_folder_of_other_files_is_not_taken_over(tmp_path, capsys):
    d = tmp_path / "photos"
    d.mkdir()
    (d / "cat.jpg").write_bytes(b"\xff\xd8")
    assert main(["--store", str(d), "exec", "declare sev2 x"]) == 2
    assert "not an incident-console store" in capsys.readouterr().err
    assert sorted(p.name for p in d.iterdir()) == ["cat.jpg"]


def test_damage_inside_the_journal_is_named_by_line(tmp_path):
    path = tmp_path / "store"
    s = Store.open(path)
    from console.domain.clock import FixedClock
    from tests.store.helpers import note_batch

    for i in range(3):
        s.transact(lambda st, i=i: note_batch(i, FixedClock("2026-11-30T09:00:00Z")))
    j = path / "journal-000001.jsonl"
    lines = j.read_bytes().split(b"\n")
    lines[2] = b"{garbage"
    j.write_bytes(b"\n".join(lines))
    before = _digest(j)
    with pytest.raises(StoreError, match="line 3 is damaged"):
        Store.open(path)
    assert _digest(j) == before


def test_torn_tail_is_ignored_then_cut_by_the_next_writer(tmp_path):
    from console.domain.clock import FixedClock
    from tests.store.helpers import markers, note_batch

    path = tmp_path / "store"
    s = Store.open(path)
    s.transact(lambda st: note_batch(1, FixedClock("2026-11-30T09:00:00Z")))
    j = path / "journal-000001.jsonl"
    with j.open("ab") as fh:
        fh.write(b'{"r":[{"t":"event","id":"half')
    assert markers(Store.open(path, read_only=True)) == {1}
    s2 = Store.open(path)
    s2.transact(lambda st: note_batch(2, FixedClock("2026-11-30T09:00:00Z")))
    assert markers(Store.open(path, read_only=True)) == {1, 2}
    # past the last line: zeros, the space the journal allocates ahead of its lines
    assert all(json.loads(line) for line in j.read_bytes().rstrip(b"\0").splitlines())


def test_unreadable_snapshot_is_refused_and_kept(tmp_path):
    path = tmp_path / "store"
    Store.open(path).compact()
    snap = path / "snapshot.json"
    snap.write_text("{half a snap")
    with pytest.raises(StoreError, match="snapshot.json"):
        Store.open(path)
    assert snap.read_text() == "{half a snap"
