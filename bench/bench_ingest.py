"""Durable ingest, one alert at a time: each alert made durable with its own fsync.

Two figures (issue 10, goal 5):

- `ingest_fsync_each`: 10,000 Events v2 alerts (2,000 with --quick; a third duplicates,
  the alert storm's mix and rules), each handed to the receiver's group committer by one
  sender and answered only once its records are fsync'd, so every alert is one commit and
  one fsync. The floor is a raw fsync'd JSON-lines append of exactly the same records,
  one line and one fsync per alert. The two take turns, alert by alert, so a change in
  the machine's load or the disk's falls on both. Goal: at most 1.5x (of the totals; the
  medians per alert are reported beside them).
- `ingest_growth`: this process's CPU per alert ingested into a store already holding
  50,000 events, against the same into a store holding 1,000 (the floor), medians of
  chunks of 100 alerts taken in turns. Both stores are built by ingesting the same storm
  and reopened from disk first. The alerts go 25 to a write (as from a busy receiver),
  so the figure is mostly our own work, not the kernel's fsync. Goal: at most 2x.

    python bench/bench_ingest.py [--quick] [--json]
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_alert_storm as storm  # noqa: E402  (the same alerts, rules and services)

from console.domain.intake.alert import parse_body  # noqa: E402
from console.domain.intake.config import load_intake_config  # noqa: E402
from console.domain.intake.engine import intake_alerts  # noqa: E402
from console.domain.settings import settings_from_dict  # noqa: E402
from console.receiver import GroupCommitter  # noqa: E402

# growth: alerts per measured chunk, and per write (a sender's group commit)
CHUNK = 100
GROUP = 25


class _Lines:
    """Keeps the records of each write (from the store's change signal) for the floor."""

    def __init__(self, store: Any) -> None:
        self.writes: list[list[dict[str, Any]]] = []
        store.on_change(self.writes.append)


def _raw_append_each(fd: int, writes: list[list[dict[str, Any]]]) -> float:
    """The floor: the same records, one JSON line and one fsync per write."""
    start = time.perf_counter()
    for recs in writes:
        line = (json.dumps({"r": recs}, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
        os.write(fd, line)
        os.fsync(fd)
    return time.perf_counter() - start


def _instants(first: int, n: int) -> list[Any]:
    # made before the clock starts: the receiver reads its clock once per request
    return [storm.T0.add(microseconds=i * 10_000) for i in range(first, first + n)]


def fsync_each(n: int) -> dict[str, Any]:
    from console.store import Store

    bodies = storm.storm(n)
    ats = _instants(0, n)
    settings = settings_from_dict(storm.CONFIG, source="bench")
    config = load_intake_config(settings)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        store = Store.open(Path(tmp) / "store")
        lines = _Lines(store)
        committer = GroupCommitter(store)
        fd = os.open(Path(tmp) / "raw.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        ours: list[float] = []
        floor: list[float] = []
        try:
            for i in range(n):
                at = ats[i]
                before = len(lines.writes)
                t = time.perf_counter()
                alerts = parse_body(bodies[i], at, "events_v2")
                committer.submit(
                    lambda state, alerts=alerts, at=at: intake_alerts(
                        state, settings, alerts, at, config=config
                    )
                ).result()
                ours.append(time.perf_counter() - t)
                # the floor at once, for this alert's records: the disk and the machine's
                # load are as they were for ours
                floor.append(_raw_append_each(fd, lines.writes[before:]))
        finally:
            os.close(fd)
            committer.close()
        writes = len(lines.writes)
        events = sum(1 for w in lines.writes for r in w if r.get("t") == "event")
        store.close()
    total, total_floor = sum(ours), sum(floor)
    return {
        "name": "ingest_fsync_each",
        "value": round(total / n * 1e6, 1),
        "unit": "us/alert",
        "floor": round(total_floor / n * 1e6, 1),
        "ratio": round(total / total_floor, 2) if total_floor else float("inf"),
        "goal": "ratio <= 1.5",
        "ok": total_floor > 0 and total / total_floor <= 1.5,
        "alerts": n,
        "writes": writes,
        "events": events,
        # the typical alert, which other processes' disk stalls move less than the sums
        "median_us": round(statistics.median(ours) * 1e6, 1),
        "median_floor_us": round(statistics.median(floor) * 1e6, 1),
    }


def _fill(path: Path, bodies: list[dict[str, Any]], settings: Any, config: Any, events: int) -> int:
    """Ingest the storm in large groups until the store holds `events` events."""
    from console.store import Store

    store = Store.open(path)
    i = 0
    while len(store.state.event_ids) < events:
        if i >= len(bodies):
            raise RuntimeError(f"{len(bodies)} alerts made fewer than {events} events")
        group = []
        for j in range(i, min(len(bodies), i + 64)):
            at = storm.T0.add(microseconds=j * 10_000)
            alerts = parse_body(bodies[j], at, "events_v2")
            group.append(
                lambda state, alerts=alerts, at=at: intake_alerts(
                    state, settings, alerts, at, config=config
                )
            )
        store.transact_many(group)
        i += len(group)
    store.close()
    return i


class _Ingest:
    """A store reopened from disk, with the next alerts of the storm ready to go in."""

    def __init__(
        self, path: Path, bodies: list[dict[str, Any]], first: int, settings: Any, config: Any
    ) -> None:
        from console.store import Store

        self.store = Store.open(path)
        self.settings, self.config = settings, config
        self.bodies, self.next = bodies, first

    def chunk(self, alerts: int) -> float:
        """Ingest `alerts` alerts, GROUP to a write; this process's CPU per alert."""
        work = []
        for i in range(self.next, self.next + alerts):
            at = storm.T0.add(microseconds=i * 10_000)
            work.append((parse_body(self.bodies[i], at, "events_v2"), at))
        self.next += alerts
        settings, config = self.settings, self.config
        t = time.process_time()
        for lo in range(0, alerts, GROUP):
            self.store.transact_many(
                [
                    lambda state, alerts=alerts, at=at: intake_alerts(
                        state, settings, alerts, at, config=config
                    )
                    for alerts, at in work[lo : lo + GROUP]
                ]
            )
        return (time.process_time() - t) / alerts


def growth(quick: bool) -> dict[str, Any]:
    small, big = 1_000, 50_000
    m = 1_000 if quick else 3_000
    settings = settings_from_dict(storm.CONFIG, source="bench")
    config = load_intake_config(settings)
    # the storm makes about 1.2 events per alert: enough alerts to fill the big store
    # and measure after it
    bodies = storm.storm(big + m)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-growth-") as tmp:
        a = _fill(Path(tmp) / "small", bodies, settings, config, small)
        b = _fill(Path(tmp) / "big", bodies, settings, config, big)
        into_small = _Ingest(Path(tmp) / "small", bodies, a, settings, config)
        into_big = _Ingest(Path(tmp) / "big", bodies, b, settings, config)
        costs_small, costs_big = [], []
        # taking turns, a chunk each, so a change in the machine's load falls on both
        for _ in range(m // CHUNK):
            costs_small.append(into_small.chunk(CHUNK))
            costs_big.append(into_big.chunk(CHUNK))
    cost_small, cost_big = statistics.median(costs_small), statistics.median(costs_big)
    return {
        "name": "ingest_growth",
        "value": round(cost_big * 1e6, 1),
        "unit": f"us CPU/alert with {big // 1000}k events stored",
        "floor": round(cost_small * 1e6, 1),
        "ratio": round(cost_big / cost_small, 2) if cost_small else float("inf"),
        "goal": f"ratio <= 2 (floor: with {small // 1000}k stored)",
        "ok": cost_small > 0 and cost_big / cost_small <= 2,
    }


def run(quick: bool = False) -> list[dict[str, Any]]:
    return [fsync_each(2_000 if quick else 10_000), growth(quick)]


if __name__ == "__main__":
    results = run(quick="--quick" in sys.argv)
    if "--json" in sys.argv:
        print(json.dumps(results, indent=2))
    else:
        for d in results:
            print(storm._line(d))
