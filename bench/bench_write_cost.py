"""Store write cost: one command made durable, against a raw fsync'd JSON-lines append.

Each command (`note INC-1 ...` through the same path as `exec`) is followed at once by the
floor: a raw fsync'd append of exactly the line that command wrote, so the two take turns
and a change in the machine's load or the disk's falls on both. Medians per write.

Also: the cost of a write does not grow with the history (this process's CPU per command,
the last 1,000 of N commands against the first 1,000 of the same run: CPU, so that other
processes' disk load between the two does not decide it).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path


def run(quick: bool) -> list[dict]:
    from console.actions import execute_line
    from console.domain.clock import FixedClock
    from console.domain.settings import settings_from_dict
    from console.store import Store

    n = 3_000 if quick else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "store")
        written: list[list[dict]] = []
        store.on_change(written.append)
        settings = settings_from_dict({})
        clock = FixedClock("2026-11-30T09:00:00Z")
        execute_line(store, 'declare sev2 "Payments degraded"', settings, clock)
        fd = os.open(Path(tmp) / "raw.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        costs, cpu, floor = [], [], []
        try:
            for i in range(n):
                t, c = time.perf_counter(), time.process_time()
                execute_line(store, f"note INC-1 step {i} of the benchmark", settings, clock)
                costs.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
                t = time.perf_counter()
                line = json.dumps({"r": written[-1]}, separators=(",", ":"), ensure_ascii=False)
                os.write(fd, (line + "\n").encode())
                os.fsync(fd)
                floor.append(time.perf_counter() - t)
        finally:
            os.close(fd)
    us = 1e6
    per_write = statistics.median(costs) * us
    per_raw = statistics.median(floor) * us
    first = statistics.median(cpu[:1000]) * us
    last = statistics.median(cpu[-1000:]) * us
    return [
        {
            "name": "store_write",
            "value": per_write,
            "unit": "us/command",
            "floor": per_raw,
            "ratio": per_write / per_raw,
            "goal": "<= 3x a raw fsync'd append",
            "ok": per_write / per_raw <= 3,
        },
        {
            "name": "store_write_growth",
            "value": last,
            "unit": f"us CPU/command (last 1000 of {n})",
            "floor": first,
            "ratio": last / first if first else float("inf"),
            "goal": "<= 2x the first 1000",
            "ok": first > 0 and last / first <= 2,
        },
    ]


if __name__ == "__main__":
    for r in run(quick=True):
        print(r)
