"""kill -9 of a writer at random moments: the store always opens, and nothing reported done is lost."""

from __future__ import annotations

import os
import random
import select
import signal
import time

from console.domain.clock import FixedClock
from console.store import Store
from tests.store.helpers import T0, markers, note_batch

TRIALS = 200


def _writer(path, start: int, wfd: int) -> None:
    """Child: write markers forever, reporting each one only after transact returned."""
    try:
        store = Store.open(path)
        os.write(wfd, b"open\n")
        clock = FixedClock(T0)
        i = start
        while True:
            if i % 7 == 0:
                store.transact_many([lambda s, i=i + k: note_batch(i, clock) for k in range(3)])
                for k in range(3):
                    os.write(wfd, f"{i + k}\n".encode())
                i += 3
            else:
                store.transact(lambda s, i=i: note_batch(i, clock))
                os.write(wfd, f"{i}\n".encode())
                i += 1
            if i % 50 == 0:
                store.compact()
    finally:
        os._exit(0)


def test_kill_minus_nine_never_loses_a_reported_write(tmp_path):
    path = tmp_path / "store"
    rng = random.Random(20261130)
    reported: set[int] = set()
    next_start = 0
    trials_that_wrote = 0
    deadline = time.monotonic() + 150
    for _trial in range(TRIALS):
        assert time.monotonic() < deadline, "crash trials took too long"
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(rfd)
            _writer(path, next_start, wfd)
        os.close(wfd)
        buf = b""
        if rng.random() < 0.85:
            # mostly kill mid-write: wait until the store is open, then a random while
            while b"open\n" not in buf and select.select([rfd], [], [], 5)[0]:
                chunk = os.read(rfd, 65536)
                if not chunk:
                    break
                buf += chunk
        # otherwise kill it mid-open
        time.sleep(rng.random() * 0.03)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        while select.select([rfd], [], [], 0)[0]:
            chunk = os.read(rfd, 65536)
            if not chunk:
                break
            buf += chunk
        os.close(rfd)
        done = {int(x) for x in buf.split(b"\n") if x.strip() and x != b"open"}
        reported |= done
        trials_that_wrote += bool(done)
        next_start = (max(reported) + 1000) if reported else next_start + 1000
        store = Store.open(path, read_only=True)
        found = markers(store)
        lost = reported - found
        assert not lost, (
            f"trial {_trial}: reported done but missing after kill -9: {sorted(lost)[:5]}"
        )
    assert trials_that_wrote >= TRIALS // 4, f"only {trials_that_wrote} trials wrote anything"
    # and a writer can carry on afterwards (torn tails cut, snapshots consistent)
    store = Store.open(path)
    store.transact(lambda s: note_batch(-1, FixedClock(T0)))
    assert -1 in markers(Store.open(path, read_only=True))
