"""Several processes write at once: a lock per write keeps every write, readers see them."""

from __future__ import annotations

import multiprocessing as mp

from console.domain.clock import FixedClock
from console.store import Store
from tests.store.helpers import T0, markers, note_batch

N = 1000


def _write_many(path: str, tag: str) -> None:
    store = Store.open(path)
    clock = FixedClock(T0)
    for i in range(N):
        store.transact(lambda s, i=i: note_batch(i, clock, tag=tag))


def test_two_writers_keep_all_writes_and_a_reader_sees_them(tmp_path):
    path = str(tmp_path / "store")
    Store.open(path)  # create
    reader = Store.open(path, read_only=True)
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_write_many, args=(path, tag)) for tag in ("a", "b")]
    for p in procs:
        p.start()
    seen_during = 0
    while any(p.is_alive() for p in procs):
        reader.refresh()
        seen_during = max(seen_during, len(markers(reader)))
    for p in procs:
        p.join()
        assert p.exitcode == 0
    reader.refresh()
    assert markers(reader, "a") == set(range(N))
    assert markers(reader, "b") == set(range(N))
    assert len(reader.intents) == 2 * N
    fresh = Store.open(path, read_only=True)
    assert markers(fresh, "a") == markers(fresh, "b") == set(range(N))


def test_incident_ids_never_collide_across_processes(tmp_path):
    from console.actions import execute_line
    from console.domain.settings import settings_from_dict

    path = str(tmp_path / "store")
    Store.open(path)
    settings = settings_from_dict({})

    def declare_many(tag):
        store = Store.open(path)
        for i in range(40):
            execute_line(store, f'declare sev3 "{tag} {i}"', settings, FixedClock(T0))

    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=declare_many, args=(t,)) for t in ("a", "b", "c")]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        assert p.exitcode == 0
    state = Store.open(path, read_only=True).state
    assert sorted(i.number for i in state.incidents.values()) == list(range(1, 121))


def test_compaction_by_one_process_is_picked_up_by_another(tmp_path):
    path = tmp_path / "store"
    a = Store.open(path)
    b = Store.open(path)
    clock = FixedClock(T0)
    for i in range(10):
        a.transact(lambda s, i=i: note_batch(i, clock))
    a.compact()
    a.transact(lambda s: note_batch(10, clock))
    assert b.refresh()
    assert markers(b) == set(range(11))
    b.transact(lambda s: note_batch(11, clock))
    a.refresh()
    assert markers(a) == set(range(12))
    assert markers(Store.open(path, read_only=True)) == set(range(12))
