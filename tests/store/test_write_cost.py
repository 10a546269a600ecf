"""The cost of one write does not grow with the whole history.

Counted in what a write does to the disk, not in time (time is bench/bench_write_cost.py's
business): a write that re-read or rewrote the history would read or write bytes in
proportion to it. Each write may only append its own line to the journal.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from console.actions import execute_line
from console.domain.clock import FixedClock
from console.domain.settings import settings_from_dict
from console.store import Store
from tests.store.helpers import journal_lines_size

PROC_IO = Path("/proc/self/io")


def _bytes_read() -> int:
    # rchar: every byte this process got from read(2) and friends, page cache or not
    for line in PROC_IO.read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def _files(folder: Path) -> dict[str, tuple[int, int, int]]:
    return {
        p.name: (p.stat().st_ino, p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.iterdir()
        if p.is_file()
    }


@pytest.mark.skipif(not PROC_IO.exists(), reason="needs Linux's /proc/self/io")
def test_ten_thousand_writes_each_append_one_line_and_read_nothing(tmp_path):
    folder = tmp_path / "store"
    store = Store.open(folder)
    settings = settings_from_dict({})
    clock = FixedClock("2026-11-30T09:00:00Z")
    execute_line(store, 'declare sev2 "Payments degraded"', settings, clock)
    before = _files(folder)
    journal = max(
        (name for name in before if name.startswith("journal")),
        key=lambda name: before[name][2],
    )

    read_per_thousand, grown_per_thousand = [], []
    for thousand in range(10):
        size0 = journal_lines_size(folder / journal)  # read before counting what writes read
        read0 = _bytes_read()
        for i in range(1000):
            execute_line(store, f"note INC-1 step {thousand * 1000 + i:05d}", settings, clock)
        read_per_thousand.append(_bytes_read() - read0)
        grown_per_thousand.append(journal_lines_size(folder / journal) - size0)

    after = _files(folder)
    # no other file was rewritten or replaced: the history is never rewritten by a write
    for name, (ino, size, mtime) in before.items():
        if name == "lock":
            # its eight bytes count the writes (for other processes to notice them)
            assert after[name][:2] == (ino, size) == (ino, 8)
        elif name != journal:
            assert after.get(name) == (ino, size, mtime), f"{name} changed during writes"
    assert after[journal][0] == before[journal][0], "the journal was replaced, not appended to"
    # every thousand notes of the same length grow the journal by the same bytes
    assert len(set(grown_per_thousand)) == 1, grown_per_thousand
    # the journal holds by the end about 1.5 MB; a write that re-read it would read
    # gigabytes over the run. What little is read (pytest's own plumbing) must not grow.
    assert max(read_per_thousand[-3:]) <= read_per_thousand[0] + 64 * 1024, read_per_thousand
    assert len(Store.open(folder, read_only=True).state.timeline("INC-1")) == 10_002
