"""Loading the store and reading a timeline by id (issue 10, goal 6).

- store load: `Store.open` of a compacted store with 10k incidents and 50k events, against
  `json.loads` of the same bytes (the snapshot and the journal) in the same run;
- timeline by id: the first read of an incident's timeline (which turns its stored records
  into Events) with 50k events stored, against the same read with 1k stored.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from perfdata import store_with  # noqa: E402

from console.store import Store  # noqa: E402


def _parse_same_bytes(path: Path) -> float:
    t = time.perf_counter()
    for f in sorted(path.iterdir()):
        if f.name == "snapshot.json" or f.suffix == ".jsonl":
            raw = f.read_bytes()
            if f.suffix == ".jsonl":
                for line in raw.splitlines():
                    json.loads(line)
            else:
                json.loads(raw)
    return time.perf_counter() - t


def _open(path: Path) -> float:
    t = time.perf_counter()
    Store.open(path, read_only=True)
    return time.perf_counter() - t


def _timeline_reads(path: Path, reads: int) -> float:
    """Mean seconds for the first read of `reads` different incidents' timelines."""
    store = Store.open(path, read_only=True)
    ids = random.Random(5).sample(sorted(store.state.incidents), reads)
    t = time.perf_counter()
    for inc in ids:
        store.state.timeline(inc)
    return (time.perf_counter() - t) / reads


def run(quick: bool) -> list[dict]:
    runs = 3 if quick else 7
    big = store_with(10_000, 50_000)
    small = store_with(200, 1_000)
    parse, load = [], []
    for _ in range(runs):  # interleaved, so load on the machine hits both alike
        parse.append(_parse_same_bytes(big))
        load.append(_open(big))
    p, o = statistics.median(parse), statistics.median(load)
    reads = 200
    at_small = statistics.median(_timeline_reads(small, reads) for _ in range(runs))
    at_big = statistics.median(_timeline_reads(big, reads) for _ in range(runs))
    return [
        {
            "name": "store.load_10k_50k",
            "value": o * 1e3,
            "unit": "ms Store.open",
            "floor": p * 1e3,
            "ratio": o / p,
            "goal": "<= 1.5x json.loads of the same bytes",
            "ok": o / p <= 1.5,
        },
        {
            "name": "store.timeline_by_id_50k",
            "value": at_big * 1e6,
            "unit": "us first read of one timeline",
            "floor": at_small * 1e6,
            "ratio": at_big / at_small,
            "goal": "<= 1.5x with 1k events stored",
            "ok": at_big / at_small <= 1.5,
        },
    ]


if __name__ == "__main__":
    for r in run(quick=True):
        print(r)
