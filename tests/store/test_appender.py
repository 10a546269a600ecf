"""Direct, synchronous appends: whole blocks rewritten, the lines before them unchanged."""

from __future__ import annotations

import errno
import json
import os

import pytest

from console.domain.clock import FixedClock
from console.store import Store
from console.store import appender as appender_module
from console.store.appender import BLOCK, Appender
from tests.store.helpers import T0, markers, note_batch

CLOCK = FixedClock(T0)


def _lines(journal) -> list[dict]:
    text = journal.read_bytes().rstrip(b"\0")
    return [json.loads(line) for line in text.splitlines()]


def _direct_works(folder) -> bool:
    probe = folder / "probe"
    probe.write_bytes(b"")
    app = Appender(probe)
    works = app.direct
    app.close()
    probe.unlink()
    return works


def _direct_writes_fail(monkeypatch, store, code: int):
    """Make the store's direct writes fail with `code`; returns the real os.pwrite."""
    real_pwrite = os.pwrite
    direct_fd = store._appender._direct_fd

    def failing(fd, data, offset):
        if fd == direct_fd:
            raise OSError(code, os.strerror(code))
        return real_pwrite(fd, data, offset)

    monkeypatch.setattr(os, "pwrite", failing)
    return real_pwrite


def test_lines_crossing_many_blocks_read_back_whole(tmp_path):
    if not _direct_works(tmp_path):
        pytest.skip("this file system has no O_DIRECT: the buffered fallback is tested below")
    path = tmp_path / "s"
    store = Store.open(path)
    for i in range(60):  # ~1 kB a write: many writes share a block, many cross one
        store.transact(lambda st, i=i: note_batch(i, CLOCK))
    assert store._appender is not None and store._appender.direct
    journal = path / "journal-000001.jsonl"
    assert journal.stat().st_size % BLOCK == 0, "written in whole blocks"
    lines = _lines(journal)
    assert [line["r"][0]["data"]["i"] for line in lines[1:]] == list(range(60))
    assert markers(Store.open(path, read_only=True)) == set(range(60))


def test_two_writers_taking_turns_keep_each_others_lines(tmp_path):
    """Each keeps a copy of the journal's last part-filled block; after the other's write
    that copy is stale, and writing it back would erase the other's line."""
    path = tmp_path / "s"
    a, b = Store.open(path), Store.open(path)
    for i in range(40):
        (a if i % 2 else b).transact(lambda st, i=i: note_batch(i, CLOCK))
        if i % 7 == 0:  # and sometimes one writes twice in a row
            a.transact(lambda st, i=i: note_batch(1000 + i, CLOCK))
    expected = set(range(40)) | {1000 + i for i in range(0, 40, 7)}
    a.refresh(), b.refresh()
    assert markers(a) == markers(b) == expected
    assert markers(Store.open(path, read_only=True)) == expected
    assert len(_lines(path / "journal-000001.jsonl")) == 1 + len(expected)


def test_without_o_direct_the_buffered_append_is_used(tmp_path, monkeypatch):
    monkeypatch.setattr(appender_module, "_DIRECT", 0)
    path = tmp_path / "s"
    store = Store.open(path)
    for i in range(5):
        store.transact(lambda st, i=i: note_batch(i, CLOCK))
    assert not store._appender.direct
    assert markers(Store.open(path, read_only=True)) == set(range(5))


def test_a_device_refusing_the_alignment_falls_back_without_losing_the_write(tmp_path, monkeypatch):
    if not _direct_works(tmp_path):
        pytest.skip("this file system has no O_DIRECT")
    path = tmp_path / "s"
    store = Store.open(path)
    store.transact(lambda st: note_batch(0, CLOCK))
    real_pwrite = _direct_writes_fail(monkeypatch, store, errno.EINVAL)
    store.transact(lambda st: note_batch(1, CLOCK))
    assert not store._appender.direct
    monkeypatch.setattr(os, "pwrite", real_pwrite)
    store.transact(lambda st: note_batch(2, CLOCK))
    assert markers(Store.open(path, read_only=True)) == {0, 1, 2}


def test_a_full_disk_fails_the_write_and_keeps_the_state(tmp_path, monkeypatch):
    if not _direct_works(tmp_path):
        pytest.skip("this file system has no O_DIRECT")
    path = tmp_path / "s"
    store = Store.open(path)
    store.transact(lambda st: note_batch(0, CLOCK))
    real_pwrite = _direct_writes_fail(monkeypatch, store, errno.ENOSPC)
    with pytest.raises(OSError):
        store.transact(lambda st: note_batch(1, CLOCK))
    assert markers(store) == {0}, "nothing of a failed write is in the state"
    monkeypatch.setattr(os, "pwrite", real_pwrite)
    store.transact(lambda st: note_batch(2, CLOCK))
    assert markers(Store.open(path, read_only=True)) == {0, 2}
