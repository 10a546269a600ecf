"""The append path keeps its journal and lock open between writes: it must still see others.

Before each write a writer checks only the lock file's write counter (one that cannot map
it, one fstat of the journal it holds and the counter or the snapshot's signature); these
cases are the ones where that check must send it back to the files.
"""

from __future__ import annotations

import pendulum

from console.domain.clock import FixedClock
from console.domain.model import Event
from console.store import Batch, Store
from tests.store.helpers import T0, markers, note_batch


def test_writers_taking_turns_see_each_other_and_lose_nothing(tmp_path):
    path = tmp_path / "store"
    a, b = Store.open(path), Store.open(path)
    clock = FixedClock(T0)
    for i in range(0, 40, 2):
        a.transact(lambda s, i=i: note_batch(i, clock))
        b.transact(lambda s, i=i: note_batch(i + 1, clock))
    assert markers(a) == set(range(39)) and markers(b) == set(range(40))
    assert markers(Store.open(path, read_only=True)) == set(range(40))


def test_a_writer_holding_a_compacted_journal_writes_to_the_new_one(tmp_path):
    path = tmp_path / "store"
    a, b = Store.open(path), Store.open(path)
    clock = FixedClock(T0)
    b.transact(lambda s: note_batch(0, clock))  # b now holds journal 1 open
    a.transact(lambda s: note_batch(1, clock))
    a.compact()  # journal 1 is gone; the snapshot names journal 2
    b.transact(lambda s: note_batch(2, clock))
    a.compact()
    b.transact(lambda s: note_batch(3, clock))
    a.transact(lambda s: note_batch(4, clock))
    assert markers(Store.open(path, read_only=True)) == set(range(5))
    assert [p.name for p in sorted(path.glob("journal-*.jsonl"))] == ["journal-000003.jsonl"]


def test_a_write_made_after_close_opens_the_files_again(tmp_path):
    path = tmp_path / "store"
    store = Store.open(path)
    clock = FixedClock(T0)
    store.transact(lambda s: note_batch(0, clock))
    store.close()
    store.transact(lambda s: note_batch(1, clock))
    assert markers(Store.open(path, read_only=True)) == {0, 1}


def test_a_written_event_folds_as_it_reads_back(tmp_path):
    """The writer folds its own Events; a reader folds the stored records: same state."""
    path = tmp_path / "store"
    store = Store.open(path)
    paris = pendulum.datetime(2026, 11, 30, 10, 0, 0, 123456, tz="Europe/Paris")
    for n, at in enumerate((paris, paris.in_tz("UTC"))):
        ev = Event(
            id=f"e{n}",
            at=at,
            kind="opened",
            author="me",
            origin="local",
            text="t",
            incident=f"INC-{n + 1}",
            data={"title": f"t{n}", "components": ["api"]},
        )
        store.transact(lambda s, ev=ev: Batch(events=[ev]))
    fresh = Store.open(path, read_only=True)
    for inc in ("INC-1", "INC-2"):
        mine, theirs = store.state.incidents[inc], fresh.state.incidents[inc]
        assert mine == theirs
        assert str(mine.created_at.tzinfo) == "UTC"
        assert [e.to_record() for e in store.state.timeline(inc)] == [
            e.to_record() for e in fresh.state.timeline(inc)
        ]


def test_a_group_that_fails_part_way_leaves_neither_file_nor_state_changed(tmp_path):
    path = tmp_path / "store"
    store = Store.open(path)
    clock = FixedClock(T0)
    store.transact(lambda s: note_batch(0, clock))

    def boom(state):
        raise RuntimeError("refused")

    try:
        store.transact_many([lambda s: note_batch(1, clock), boom])
    except RuntimeError:
        pass
    else:
        raise AssertionError("the failure should propagate")
    assert markers(store) == {0}  # the first function's events were folded, then undone
    store.transact(lambda s: note_batch(2, clock))
    assert markers(store) == {0, 2}
    assert markers(Store.open(path, read_only=True)) == {0, 2}


def test_a_forked_child_writing_through_its_parents_store_still_takes_turns(tmp_path):
    """flock belongs to an open file: a child that inherited the parent's must open its own."""
    import multiprocessing as mp

    path = tmp_path / "store"
    store = Store.open(path)
    clock = FixedClock(T0)
    store.transact(lambda s: note_batch(0, clock))  # the lock file is open from here on

    def child() -> None:
        for i in range(1, 200, 2):
            store.transact(lambda s, i=i: note_batch(i, clock))

    proc = mp.get_context("fork").Process(target=child)
    proc.start()
    for i in range(2, 200, 2):
        store.transact(lambda s, i=i: note_batch(i, clock))
    proc.join(30)
    assert proc.exitcode == 0
    assert markers(Store.open(path, read_only=True)) == set(range(200))


def test_a_write_stores_each_event_as_its_record_tagged_first():
    from console.store.store import _records

    ev = Event(
        id="e1",
        at=pendulum.datetime(2026, 8, 20, 10, 0, 0, 123456, tz="UTC"),
        kind="note",
        author="ada",
        origin="local",
        text="hello",
        incident="INC-1",
        data={"text": "hello"},
    )
    [rec, intent] = _records([ev], [{"id": "i1", "op": "incident.note"}], ())
    expected = {"t": "event", **ev.to_record()}
    assert list(rec.items()) == list(expected.items())  # same keys in the same order
    assert intent == {"t": "intent", "id": "i1", "op": "incident.note"}


def test_a_writer_with_its_counter_mapped_and_one_without_see_each_others_writes(
    tmp_path, monkeypatch
):
    """The write counter is mapped where it can be and read by pread where it cannot:
    both are the lock file's same eight bytes, so neither writer misses the other's."""
    import console.store.store as store_mod

    path = tmp_path / "store"
    (path).mkdir()
    (path / "lock").write_bytes(b"")  # an empty lock file counts 0
    monkeypatch.setattr(store_mod, "_map_counter", lambda fd: None)
    plain = Store.open(path)
    monkeypatch.undo()
    mapped = Store.open(path)
    clock = FixedClock(T0)
    plain.transact(lambda s: note_batch(0, clock))
    assert mapped._counter is not None and plain._counter is None
    for i in range(1, 21, 2):
        mapped.transact(lambda s, i=i: note_batch(i, clock))
        plain.transact(lambda s, i=i: note_batch(i + 1, clock))
    assert markers(mapped) == set(range(20)) and markers(plain) == set(range(21))
    count = int.from_bytes((path / "lock").read_bytes(), "little")
    assert count == mapped._writes_counted() == plain._writes_counted() == 21
    assert markers(Store.open(path, read_only=True)) == set(range(21))


def test_a_look_without_the_lock_during_anothers_write_does_not_hide_that_write(tmp_path):
    """refresh() reads without the write lock: it may look while another writer has
    counted its write but not made it yet. That look must not pass for one that saw the
    write, or this process would never read the line, and its next write would go where
    that line is."""
    path = tmp_path / "store"
    a, b = Store.open(path), Store.open(path)
    clock = FixedClock(T0)
    a.transact(lambda s: note_batch(0, clock))  # a holds its journal open for appends
    b.transact(lambda s: note_batch(1, clock))
    a.refresh()
    appender = b._appender
    assert appender is not None
    make_write = appender.append

    def looked_at_midway(*args, **kwargs):
        a.refresh()  # b has counted this write; its line is not there yet
        return make_write(*args, **kwargs)

    appender.append = looked_at_midway  # type: ignore[method-assign]
    b.transact(lambda s: note_batch(2, clock))
    appender.append = make_write  # type: ignore[method-assign]
    a.refresh()
    assert markers(a) == {0, 1, 2}
    a.transact(lambda s: note_batch(3, clock))
    assert markers(Store.open(path, read_only=True)) == {0, 1, 2, 3}
