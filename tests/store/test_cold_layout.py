"""The snapshot split in two: what opening reads, and the event file read per incident."""

from __future__ import annotations

import hashlib
import json

import pytest

from console.domain.model import Event, State
from console.store import Batch, Store, StoreError
from console.store.migrations import CURRENT_SCHEMA
from tests.store.helpers import journal_lines_size
from tests.store.test_projection import T0, _history, _same


def _folded(events) -> State:
    state = State()
    for e in events:
        state.apply(e)
    return state


def _compacted(path, events) -> None:
    store = Store.open(path)
    store.transact(lambda s: Batch(events=events))
    store.compact()
    store.close()


def _digests(path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in path.iterdir()}


def _ev(eid: str, inc: str | None, kind: str, minutes: int, **data) -> Event:
    return Event(
        id=eid,
        at=T0.add(hours=3, minutes=minutes),
        kind=kind,
        author="carol",
        origin="local",
        text=kind,
        incident=inc,
        data=data,
    )


def test_opening_reads_the_snapshot_and_the_journal_not_the_event_log(tmp_path):
    path = tmp_path / "s"
    _compacted(path, _history(5))
    store = Store.open(path, read_only=True)
    state = store.state
    cold = next(path.glob("events-*.jsonl"))
    with cold.open("rb") as fh:
        header = len(fh.readline())
    journal = next(path.glob("journal-*.jsonl")).stat().st_size
    assert store.bytes_read == (path / "snapshot.json").stat().st_size + journal + header
    assert cold.stat().st_size > store.bytes_read / 2, "the log is the larger part"
    # nothing built that the first screen does not need
    assert len(state.incidents.raw) == len(state.incidents) == 40
    assert len(state.timelines.raw) == 40
    assert not state.event_ids.loaded
    # one incident read: only it is built
    assert state.get("INC-7").id == "INC-7"
    assert "INC-7" not in state.incidents.raw and len(state.incidents.raw) == 39
    _same(state, _folded(_history(5)))


def test_compacting_again_copies_unread_timelines_and_keeps_every_event(tmp_path):
    path = tmp_path / "s"
    history = _history(13)
    _compacted(path, history)
    later = [
        _ev("l1", "INC-2", "note", 1),
        _ev("l2", "INC-41", "note", 2),  # before its incident exists: in the log only
        _ev("l3", "INC-41", "opened", 3, title="late one"),
        _ev("l4", "INC-3", "opened", 4, title="INC-3 opened again: a new timeline"),
        _ev("l5", None, "component_status", 5, component="DB", status="major_outage"),
        _ev("l6", "INC-41", "alert_triggered", 6, dedup_key="late", summary="disk"),
    ]
    for round_ in range(3):
        store = Store.open(path)
        store.transact(lambda s, r=round_: Batch(events=[later[2 * r], later[2 * r + 1]]))
        if round_ == 1:
            store.state.timeline("INC-9")  # read (built) but unchanged: written back the same
        store.compact()
        store.close()
        expected = _folded([*history, *later[: 2 * round_ + 2]])
        _same(Store.open(path, read_only=True).state, expected)
        _same(store.state, expected)
    assert sorted(p.name for p in path.glob("events-*.jsonl")) == ["events-000005.jsonl"]
    assert sorted(p.name for p in path.glob("journal-*.jsonl")) == ["journal-000005.jsonl"]


def test_a_reader_keeps_its_timelines_when_another_process_compacts(tmp_path):
    path = tmp_path / "s"
    history = _history(17)
    _compacted(path, history)
    reader = Store.open(path, read_only=True)
    writer = Store.open(path)
    writer.transact(lambda s: Batch(events=[_ev("n1", "INC-4", "note", 1)]))
    writer.compact()  # removes the event file the reader was opened on
    writer.compact()
    assert not any(p.name == "events-000002.jsonl" for p in path.iterdir())
    # the reader's file is still open: its unread timelines are still there
    assert reader.state.timeline("INC-6") == _folded(history).timeline("INC-6")
    assert reader.refresh()
    assert reader.state.timeline("INC-4")[-1].id == "n1"
    _same(reader.state, _folded([*history, _ev("n1", "INC-4", "note", 1)]))


@pytest.mark.parametrize("damage", ["missing", "truncated", "foreign", "garbled"])
def test_a_missing_or_damaged_event_file_is_refused_and_left_alone(tmp_path, damage):
    path = tmp_path / "s"
    _compacted(path, _history(19))
    cold = next(path.glob("events-*.jsonl"))
    data = cold.read_bytes()
    if damage == "missing":
        cold.unlink()
    elif damage == "truncated":
        cold.write_bytes(data[: len(data) // 2])
    elif damage == "foreign":
        cold.write_bytes(b'{"someone":"else"}\n' + data[len(data.split(b"\n")[0]) + 1 :])
    else:  # same size, bytes inside a timeline overwritten
        first_line_end = data.index(b"\n") + 1
        cold.write_bytes(data[:first_line_end] + b"#" * 40 + data[first_line_end + 40 :])
    before = _digests(path)
    if damage == "garbled":
        # found when that timeline is read, and named
        store = Store.open(path)
        with pytest.raises(StoreError, match=cold.name):
            store.state.timeline("INC-1")
    else:
        with pytest.raises(StoreError, match=cold.name):
            Store.open(path)
    assert _digests(path) == before


def test_a_snapshot_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "s"
    _compacted(path, _history(23))
    snap = path / "snapshot.json"
    doc = json.loads(snap.read_text())
    doc["meta"]["1"]["schema"] = CURRENT_SCHEMA + 1
    snap.write_text(json.dumps(doc))
    before = _digests(path)
    with pytest.raises(StoreError, match="snapshot.json: written by a newer version"):
        Store.open(path)
    assert _digests(path) == before


def _write_schema2_store(path, history, later) -> None:
    """A store as schema 2 left it: every event in snapshot.json, a schema 2 journal."""
    path.mkdir()
    projection = _folded(history)
    from console.domain.model import incident_to_row

    doc = {
        "meta": {
            "1": {
                "schema": 2,
                "kind": "live",
                "next_gen": 2,
                "records": len(history) + 1,
                "last_number": projection.last_number,
            }
        },
        "events": {str(i + 1): e.to_record() for i, e in enumerate(history)},
        "incidents": {
            str(i + 1): incident_to_row(inc) for i, inc in enumerate(projection.incidents.values())
        },
        "intents": {
            "1": {"id": "i1", "op": "chat.post", "incident": "INC-1", "args": {"text": "hi"}}
        },
        "deliveries": {"1": {"intent": "i1", "provider": "chat", "state": "sent"}},
    }
    (path / "snapshot.json").write_text(json.dumps(doc))
    header = {"incident_console_store": {"schema": 2, "kind": "live", "created_at": "x"}}
    line = {"r": [{"t": "event", **e.to_record()} for e in later]}
    (path / "journal-000002.jsonl").write_text(json.dumps(header) + "\n" + json.dumps(line) + "\n")


def test_a_schema_2_store_is_migrated_with_backups(tmp_path):
    path = tmp_path / "old"
    history = _history(29)
    later = [_ev("j1", "INC-8", "acknowledged", 1), _ev("j2", "INC-42", "opened", 2, title="x")]
    _write_schema2_store(path, history, later)
    old = _digests(path)

    with pytest.raises(StoreError, match="needs migrating; open it once without --read-only"):
        Store.open(path, read_only=True)
    assert _digests(path) == old

    store = Store.open(path)
    expected = _folded([*history, *later])
    _same(store.state, expected)
    assert store.intents["i1"]["op"] == "chat.post"
    assert store.deliveries[("i1", "chat")]["state"] == "sent"
    # the originals are kept, byte for byte
    assert _digests(path)["snapshot.json.schema2.bak"] == old["snapshot.json"]
    assert _digests(path)["journal-000002.jsonl.schema2.bak"] == old["journal-000002.jsonl"]
    meta = json.loads((path / "snapshot.json").read_text())["meta"]["1"]
    assert meta["schema"] == CURRENT_SCHEMA
    reopened = Store.open(path, read_only=True)
    assert reopened.state.incidents.raw, "opened from the new layout"
    _same(reopened.state, expected)
    # and it keeps working
    store.transact(lambda s: Batch(events=[_ev("j3", "INC-8", "resolved", 3)]))
    assert Store.open(path, read_only=True).state.get("INC-8").status == "resolved"


def test_a_writable_open_compacts_a_long_journal(tmp_path, monkeypatch):
    from console.store import store as store_module

    path = tmp_path / "s"
    history = _history(31)
    store = Store.open(path)
    store.transact(lambda s: Batch(events=history))
    journal = path / "journal-000001.jsonl"
    monkeypatch.setattr(store_module, "COMPACT_AT_BYTES", journal_lines_size(journal) - 1)
    before = _digests(path)
    Store.open(path, read_only=True)  # a reader never writes
    assert _digests(path) == before

    def full_disk(self):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(Store, "compact", full_disk)
        _same(Store.open(path).state, _folded(history))  # works as it is
    assert not journal.with_name("snapshot.json").exists()

    opened = Store.open(path)
    assert not journal.exists() and (path / "snapshot.json").exists()
    _same(opened.state, _folded(history))
    reopened = Store.open(path, read_only=True)
    assert reopened.state.incidents.raw, "the next open reads the compacted layout"
    _same(reopened.state, _folded(history))


def test_one_incidents_log_without_reading_the_whole_log(tmp_path):
    from console.domain.postmortem import incident_events

    path = tmp_path / "s"
    history = _history(37)
    for_inc5 = _ev(
        "c1",
        None,
        "component_status",
        0,
        component="API",
        status="major_outage",
        for_incident="INC-5",
    )
    _compacted(path, [*history, for_inc5])
    store = Store.open(path)
    later = [_ev("k1", "INC-5", "note", 1), _ev("k2", "INC-99", "opened", 2, title="late")]
    store.transact(lambda s: Batch(events=later))
    folded = _folded([*history, for_inc5, *later])
    state = Store.open(path, read_only=True).state
    for inc in ["INC-5", "INC-99", "INC-1", "INC-40"]:
        assert incident_events(state, inc) == incident_events(folded, inc), inc
    assert len(state.timelines.raw) > 30, "only the incidents asked about were read"
    assert "c1" in [e.id for e in incident_events(state, "INC-5")]
    assert state.incident_log("INC-99")[0].kind == "note", "the note before it opened"
