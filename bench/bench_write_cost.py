"""Store write cost: one command made durable, against a raw fsync'd JSON-lines append.

Also: the cost of a write does not grow with the history (the last 1,000 of N commands
against the first 1,000 of the same run).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path


def _raw_append_costs(path: Path, n: int, payload: bytes) -> list[float]:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    costs = []
    try:
        for _ in range(n):
            t = time.perf_counter()
            os.write(fd, payload)
            os.fsync(fd)
            costs.append(time.perf_counter() - t)
    finally:
        os.close(fd)
    return costs


def run(quick: bool) -> list[dict]:
    from console.actions import execute_line
    from console.domain.clock import FixedClock
    from console.domain.settings import settings_from_dict
    from console.store import Store

    n = 3_000 if quick else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "store")
        settings = settings_from_dict({})
        clock = FixedClock("2026-11-30T09:00:00Z")
        execute_line(store, 'declare sev2 "Payments degraded"', settings, clock)
        costs = []
        for i in range(n):
            t = time.perf_counter()
            execute_line(store, f"note INC-1 step {i} of the benchmark", settings, clock)
            costs.append(time.perf_counter() - t)
        line = store.state.timeline("INC-1")[-1].to_record()
        payload = (json.dumps({"r": [{"t": "event", **line}]}) + "\n").encode()
        floor = _raw_append_costs(Path(tmp) / "raw.jsonl", n, payload)
    us = 1e6
    per_write = statistics.median(costs) * us
    per_raw = statistics.median(floor) * us
    first = statistics.median(costs[:1000]) * us
    last = statistics.median(costs[-1000:]) * us
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
            "unit": f"us/command (last 1000 of {n})",
            "floor": first,
            "ratio": last / first,
            "goal": "<= 2x the first 1000",
            "ok": last / first <= 2,
        },
    ]


if __name__ == "__main__":
    for r in run(quick=True):
        print(r)
