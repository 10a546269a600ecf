"""The screen over a pty at 120x40, against bare Textual apps measured in the same run.

Goals (issue 10): cold start to first paint; cursor move at 10k incidents (key to last
byte); terminal bytes per move, idle and first paint; a live change reaching the screen
at 10k against 100 incidents; resident memory with 10k incidents and 100k events.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from perfdata import store_with  # noqa: E402
from ptydrive import PtyProc, spawn  # noqa: E402

DOWN = "\x1b[B"


def _env(tmp: Path) -> dict:
    # no user config, no user themes: the defaults, as a new user sees them
    return {"XDG_CONFIG_HOME": str(tmp / "cfg"), "XDG_DATA_HOME": str(tmp / "data")}


def _console(store: Path, tmp: Path) -> PtyProc:
    return spawn([sys.executable, "-m", "console", "--store", str(store)], env=_env(tmp))


def _first_paint(proc: PtyProc, until: bytes) -> tuple[float, int]:
    burst = proc.read_until_quiet(quiet=0.5, timeout=60, start=proc.started, until=until)
    if burst.last is None:
        raise RuntimeError("the program painted nothing")
    return burst.last, len(burst)


def _cold(argv_or_store, until: bytes, tmp: Path, runs: int) -> tuple[float, int]:
    times, sizes = [], []
    for _ in range(runs):
        if isinstance(argv_or_store, Path):
            proc = _console(argv_or_store, tmp)
        else:
            proc = spawn(argv_or_store, env=_env(tmp))
        try:
            t, n = _first_paint(proc, until)
        finally:
            proc.close()
        times.append(t)
        sizes.append(n)
    return statistics.median(times), int(statistics.median(sizes))


def _moves(proc: PtyProc, n: int) -> tuple[list[float], list[int]]:
    times, sizes = [], []
    for _ in range(n):
        t = proc.send(DOWN)
        burst = proc.read_until_quiet(quiet=0.2, timeout=10, start=t)
        times.append(burst.last if burst.last is not None else 0.0)
        sizes.append(len(burst))
    return times, sizes


def _result(name, value, unit, floor, goal_ratio, goal_text, ok=None) -> dict:
    ratio = value / floor if floor else float("inf")
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "floor": floor,
        "ratio": ratio,
        "goal": goal_text,
        "ok": ratio <= goal_ratio if ok is None else ok,
    }


def run(quick: bool) -> list[dict]:
    runs = 3 if quick else 5
    moves = 30
    results = []
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        bare = [sys.executable, str(HERE / "floors" / "bare_app.py")]
        bare_table = [sys.executable, str(HERE / "floors" / "bare_table.py")]
        empty = tmp / "empty-store"
        big = store_with(10_000, 50_000)
        small = store_with(100, 500)

        # 1. cold start
        floor_t, _ = _cold(bare, b"bare app ready", tmp, runs)
        empty_t, _ = _cold(empty, b"LIVE", tmp, runs)
        big_t, big_bytes = _cold(big, b"INC-", tmp, runs)
        results.append(
            _result(
                "screen.cold_start_empty",
                empty_t * 1e3,
                "ms",
                floor_t * 1e3,
                2.5,
                "<= 2.5x a bare one-widget app",
            )
        )
        results.append(
            _result(
                "screen.cold_start_10k",
                big_t * 1e3,
                "ms",
                floor_t * 1e3,
                3.0,
                "<= 3x a bare one-widget app",
            )
        )

        # 2. and 3. cursor moves at 10k, bytes per move, idle output, first paint bytes
        proc = spawn(bare_table, env=_env(tmp))
        try:
            _first_paint(proc, b"INC-")
            floor_moves, _ = _moves(proc, moves)
        finally:
            proc.close()
        proc = _console(big, tmp)
        try:
            _, first_bytes = _first_paint(proc, b"INC-")
            move_times, move_bytes = _moves(proc, moves)
            proc.read_until_quiet(quiet=1.0, timeout=5)
            idle_seconds = 5.0
            idle = proc.read_until_quiet(quiet=idle_seconds + 1, timeout=idle_seconds)
            rss_10k_50k = proc.rss_kb()
        finally:
            proc.close()
        med, floor_med = statistics.median(move_times), statistics.median(floor_moves)
        results.append(
            _result(
                "screen.cursor_move_10k",
                med * 1e3,
                "ms key to last byte (median of 30)",
                floor_med * 1e3,
                2.0,
                "<= 2x a 100-row DataTable",
            )
        )
        worst = max(move_times)
        results.append(
            _result(
                "screen.cursor_move_10k_worst",
                worst * 1e3,
                "ms (worst of 30)",
                med * 1e3,
                5.0,
                "<= 5x the median",
            )
        )
        per_move = statistics.median(move_bytes)
        results.append(
            _result(
                "screen.bytes_per_move",
                per_move,
                "B",
                first_bytes,
                0.5,
                "<= 5 kB and < half a full frame",
                ok=per_move <= 5000 and per_move < first_bytes / 2,
            )
        )
        idle_rate = len(idle) / idle_seconds
        results.append(_result("screen.idle_output", idle_rate, "B/s", 250, 1.0, "<= 250 B/s"))
        results.append(
            _result("screen.first_paint_bytes", first_bytes, "B", 100_000, 1.0, "<= 100 kB")
        )

        # 4. a live change to a visible incident, 10k against 100 incidents
        def reach(store_path: Path, samples: int) -> float:
            from console.actions import execute_line
            from console.domain.clock import RealClock
            from console.domain.ordering import incident_order
            from console.domain.settings import settings_from_dict
            from console.store import Store

            writer = Store.open(store_path)
            top = sorted(writer.state.incidents.values(), key=incident_order)[0].id
            p = _console(store_path, tmp)
            times = []
            try:
                _first_paint(p, b"INC-")
                for i in range(samples):
                    execute_line(
                        writer, f"note {top} live change {i}", settings_from_dict({}), RealClock()
                    )
                    t = time.perf_counter()
                    burst = p.read_until_quiet(
                        quiet=0.3, timeout=5, start=t, until=f"live change {i}".encode()
                    )
                    times.append(burst.last if burst.last is not None else 5.0)
            finally:
                p.close()
            return statistics.median(times)

        samples = 5 if quick else 11
        at_small = reach(small, samples)
        at_big = reach(big, samples)
        results.append(
            _result(
                "screen.live_change_10k",
                at_big * 1e3,
                "ms write to screen",
                at_small * 1e3,
                1.5,
                "<= 1.5x at 100 incidents",
            )
        )

        # 8. memory with 10k incidents and 100k events
        huge = store_with(10_000, 100_000)
        proc = spawn(bare, env=_env(tmp))
        try:
            _first_paint(proc, b"bare app ready")
            bare_rss = proc.rss_kb()
        finally:
            proc.close()
        proc = _console(huge, tmp)
        try:
            _first_paint(proc, b"INC-")
            rss = proc.rss_kb()
        finally:
            proc.close()
        results.append(
            _result(
                "screen.memory_10k_100k",
                rss / 1024,
                "MB resident",
                bare_rss / 1024,
                float("inf"),
                "<= 200 MB",
                ok=rss / 1024 <= 200,
            )
        )
        del rss_10k_50k
    return results


if __name__ == "__main__":
    for r in run(quick=True):
        print(r)
