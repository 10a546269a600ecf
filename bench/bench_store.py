"""Loading the store and reading a timeline by id (issue 10, goal 6).

- store load: `Store.open` of a compacted store with 10k incidents and 50k events, against
  `json.loads` of exactly the bytes it reads (the snapshot, the journal's lines and the
  event file's header line: the event log itself is read per incident, on demand) in the
  same run; the result says how many bytes that is and how large the whole store is;
- open and list: `Store.open`, then every incident built and sorted as the incidents pane
  and `list` order them (what the first screen needs), against the same parse;
- timeline by id: the first read of an incident's timeline (one positioned read of the
  event file, parsed into Events) with 50k events stored, against the same read with 1k.
"""

from __future__ import annotations

import gc
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

from console.domain.ordering import incident_order  # noqa: E402
from console.store import Store  # noqa: E402


def _bytes_open_reads(path: Path) -> list[bytes]:
    """The JSON documents `Store.open` of a compacted store reads, as it reads them."""
    docs = [(path / "snapshot.json").read_bytes()]
    for f in sorted(path.glob("events-*.jsonl")):
        with f.open("rb") as fh:
            docs.append(fh.readline())  # the header; the rest is read per incident
    for f in sorted(path.glob("journal-*.jsonl")):
        # past the last line, zeros: the space the journal writes ahead (no JSON to parse)
        docs.extend(line + b"\n" for line in f.read_bytes().rstrip(b"\0").splitlines())
    return docs


def _parse_same_bytes(path: Path) -> float:
    t = time.perf_counter()
    for doc in _bytes_open_reads(path):
        json.loads(doc)
    return time.perf_counter() - t


def _open(path: Path) -> float:
    t = time.perf_counter()
    Store.open(path, read_only=True)
    return time.perf_counter() - t


def _open_and_list(path: Path) -> float:
    t = time.perf_counter()
    store = Store.open(path, read_only=True)
    sorted(store.state.incidents.values(), key=incident_order)
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
    runs = 11 if quick else 21  # each run is tens of ms: medians of more are cheap
    big = store_with(10_000, 50_000)
    small = store_with(200, 1_000)
    read = sum(len(d) for d in _bytes_open_reads(big))
    # the floor parses what the open reads, no more and no less
    opened = Store.open(big, read_only=True).bytes_read
    assert opened == read, (opened, read)
    whole = sum(f.stat().st_size for f in big.iterdir())
    gc.collect()  # building the stores left garbage: neither side should pay for it
    parse, load, listed = [], [], []
    for _ in range(runs):  # interleaved, so load on the machine hits all alike
        parse.append(_parse_same_bytes(big))
        load.append(_open(big))
        listed.append(_open_and_list(big))
    p, o, li = statistics.median(parse), statistics.median(load), statistics.median(listed)
    reads = 200
    small_reads, big_reads = [], []
    for _ in range(runs):  # interleaved too (one after the other, 1.18 to 1.98)
        small_reads.append(_timeline_reads(small, reads))
        big_reads.append(_timeline_reads(big, reads))
    at_small, at_big = statistics.median(small_reads), statistics.median(big_reads)
    sizes = f"reads {read / 1e6:.2f} MB of a {whole / 1e6:.1f} MB store"
    return [
        {
            "name": "store.load_10k_50k",
            "value": o * 1e3,
            "unit": f"ms Store.open ({sizes})",
            "floor": p * 1e3,
            "ratio": o / p,
            "goal": "<= 1.5x json.loads of the same bytes",
            "ok": o / p <= 1.5,
            "bytes_read": read,
            "store_bytes": whole,
        },
        {
            "name": "store.open_and_list_10k",
            "value": li * 1e3,
            "unit": "ms Store.open + every incident built and sorted",
            "floor": p * 1e3,
            "ratio": li / p,
            "goal": "<= 5x json.loads of what the open reads (the list well under 300 ms)",
            "ok": li / p <= 5,
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
