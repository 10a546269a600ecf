"""The journal grows ahead of its lines; zeros past the last line are space, not data."""

from __future__ import annotations

import json
import os

import pytest

from console.domain.clock import FixedClock
from console.store import Batch, Store, StoreError
from console.store import journal as jr
from tests.store.helpers import T0, journal_lines_size, markers, note_batch

CLOCK = FixedClock(T0)
needs_fallocate = pytest.mark.skipif(
    not hasattr(os, "posix_fallocate"), reason="this platform has no posix_fallocate"
)


def _journal(path):
    return path / "journal-000001.jsonl"


@needs_fallocate
def test_a_write_allocates_ahead_and_the_next_writes_fill_that_space(tmp_path):
    path = tmp_path / "s"
    store = Store.open(path)
    store.transact(lambda st: note_batch(1, CLOCK))
    j = _journal(path)
    size = j.stat().st_size
    lines = journal_lines_size(j)
    assert size >= lines + jr.PREALLOCATE // 2, "space allocated ahead of the lines"
    for i in range(2, 12):
        store.transact(lambda st, i=i: note_batch(i, CLOCK))
    assert j.stat().st_size == size, "writes into allocated space leave the size alone"
    assert journal_lines_size(j) > lines
    # every line reads back, and nothing but zeros lies past the last one
    body = j.read_bytes()
    text = body.rstrip(b"\0")
    assert set(body[len(text) :]) == {0}
    assert all(json.loads(line) for line in text.splitlines())
    assert markers(Store.open(path, read_only=True)) == set(range(1, 12))


def test_a_reader_sees_a_write_into_allocated_space(tmp_path):
    """The size does not change, so the reader must look at the bytes, not the size."""
    path = tmp_path / "s"
    writer = Store.open(path)
    writer.transact(lambda st: note_batch(1, CLOCK))
    reader = Store.open(path, read_only=True)
    assert markers(reader) == {1}
    assert reader.refresh() is False
    writer.transact(lambda st: note_batch(2, CLOCK))
    assert reader.refresh() is True
    assert markers(reader) == {1, 2}
    # and a second writer (its own open file) sees the first one's line before it writes
    other = Store.open(path)
    writer.transact(lambda st: note_batch(3, CLOCK))
    other.transact(lambda st: note_batch(4, CLOCK))
    assert markers(other) == {1, 2, 3, 4}
    assert markers(Store.open(path, read_only=True)) == {1, 2, 3, 4}


def test_a_write_torn_inside_allocated_space_is_ignored_then_cut(tmp_path):
    """A process killed in the middle of its write leaves the start of a line where the
    next line goes, zeros after it: readers ignore it, the next writer writes over it,
    and no byte of it is left behind."""
    path = tmp_path / "s"
    store = Store.open(path)
    store.transact(lambda st: note_batch(1, CLOCK))
    j = _journal(path)
    good_end = journal_lines_size(j)
    torn = b'{"r":[{"t":"event","id":"half of a line that never got its end' + b"x" * 300
    fd = os.open(j, os.O_WRONLY)
    try:
        os.pwrite(fd, torn, good_end)
    finally:
        os.close(fd)
    assert markers(Store.open(path, read_only=True)) == {1}
    assert markers(store) == {1}
    store.transact(lambda st: note_batch(2, CLOCK))  # a short line: shorter than the torn one
    text = j.read_bytes().rstrip(b"\0")
    assert b"never got its end" not in text
    assert [json.loads(line)["r"][0]["data"]["i"] for line in text.splitlines()[1:]] == [1, 2]
    assert markers(Store.open(path, read_only=True)) == {1, 2}


def test_a_line_written_past_a_gap_of_zeros_is_read(tmp_path):
    """An older version appended at the end of the file, past the space allocated ahead:
    its line is kept, and the next write goes after it."""
    path = tmp_path / "s"
    store = Store.open(path)
    store.transact(lambda st: note_batch(1, CLOCK))
    j = _journal(path)
    line = jr.encode([[r for r in _records_of(note_batch(2, CLOCK))]])
    with j.open("ab") as fh:
        fh.write(line)
    assert markers(Store.open(path, read_only=True)) == {1, 2}
    store.transact(lambda st: note_batch(3, CLOCK))
    assert markers(Store.open(path, read_only=True)) == {1, 2, 3}


def test_damage_inside_the_journal_is_still_refused(tmp_path):
    path = tmp_path / "s"
    store = Store.open(path)
    for i in range(3):
        store.transact(lambda st, i=i: note_batch(i, CLOCK))
    j = _journal(path)
    body = bytearray(j.read_bytes())
    second = body.index(b"\n", body.index(b"\n") + 1) + 1  # the start of the second line
    body[second + 5 : second + 9] = b"\0\0\0\0"
    j.write_bytes(bytes(body))
    with pytest.raises(StoreError, match="line 3 is damaged"):
        Store.open(path)
    assert j.read_bytes() == bytes(body), "left untouched"


def test_what_orjson_refuses_is_written_by_the_json_module(tmp_path):
    path = tmp_path / "s"
    store = Store.open(path)
    big = 2**70  # past 64 bits: an alert's details may carry one
    batch = note_batch(1, CLOCK)
    batch.events[0].data["big"] = big
    store.transact(lambda st: batch)
    event = next(e for e in Store.open(path, read_only=True).state.store_events)
    assert event.data["big"] == big


def _records_of(batch: Batch) -> list[dict]:
    from console.store.store import _records

    return _records(batch.events, batch.intents, batch.deliveries)
