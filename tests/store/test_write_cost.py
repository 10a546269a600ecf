"""The cost of one write does not grow with the whole history."""

from __future__ import annotations

import time

from console.actions import execute_line
from console.domain.clock import FixedClock
from console.domain.settings import settings_from_dict
from console.store import Store


def test_last_thousand_of_ten_thousand_commands_cost_at_most_twice_the_first(tmp_path):
    store = Store.open(tmp_path / "store")
    settings = settings_from_dict({})
    clock = FixedClock("2026-11-30T09:00:00Z")
    execute_line(store, 'declare sev2 "Payments degraded"', settings, clock)
    costs = []
    for i in range(10_000):
        # this process's own CPU time (user and system): what a write costs us, which a
        # history-sized rewrite or re-read would inflate, while waits for a disk that
        # other processes keep busy do not count
        t = time.process_time()
        execute_line(store, f"note INC-1 step {i}", settings, clock)
        costs.append(time.process_time() - t)

    # process_time ticks coarsely: compare sums over runs of 100 writes, and keep the
    # calmest run of each thousand
    def calmest(chunk):
        return min(sum(chunk[i : i + 100]) / 100 for i in range(0, len(chunk), 100))

    first, last = calmest(costs[:1000]), calmest(costs[-1000:])
    assert last <= 2 * first, (
        f"first 1000: {first * 1e6:.0f} us/write, last 1000: {last * 1e6:.0f} us/write"
    )
    assert len(Store.open(tmp_path / "store", read_only=True).state.timeline("INC-1")) == 10_002
