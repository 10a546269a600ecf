"""The console screen over a real pty at 120x40, against bare Textual apps in the same run.

- start: spawn to first complete paint (output quiet), console with an empty store and
  with 10k incidents / 50k events, against a bare one-widget app (goals 2.5x and 3x);
- move: key to last byte of a cursor move in the incidents list at 10k incidents,
  against a cursor move in a bare app's 100-row DataTable (median 2x; worst of 30 at
  most 5x the median);
- bytes: per cursor move (at most 5 kB and under half a full frame), idle (ticking
  widgets only, at most 250 B/s), first paint (at most 100 kB).

"First complete paint" and "last byte" are read as the output going quiet for QUIET
seconds; the same rule measures the floors, so the ratios are fair.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLS, ROWS = 120, 40
QUIET = 0.25

BARE = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("hello")
Bare().run()
"""

BARE_TABLE = """
from textual.app import App
from textual.widgets import DataTable
class Table(App):
    def compose(self):
        yield DataTable(cursor_type="row")
    def on_mount(self):
        t = self.query_one(DataTable)
        t.add_columns("id", "sev", "status", "title", "service", "age")
        for i in range(100):
            t.add_row(f"INC-{i}", "SEV2", "TRIG", f"Incident number {i}", "payments", "3m")
        t.focus()
Table().run()
"""


class Pty:
    """A child process on a pseudo-terminal of COLS x ROWS, truecolor."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=str(ROOT),
            start_new_session=True,
        )
        os.close(slave)
        self.fd = master

    def read_until_quiet(
        self, quiet: float = QUIET, limit: float = 30.0, marker: bytes = b""
    ) -> tuple[int, float]:
        """Bytes read, and the time of the last byte (perf_counter). With `marker`, the
        quiet period only counts once the marker has been seen (the app's own text, so
        the terminal set-up bytes sent before the import finishes do not end the wait)."""
        total, last = 0, time.perf_counter()
        deadline = last + limit
        seen = b""
        while marker and marker not in seen and time.perf_counter() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 1.0)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    break
                total += len(chunk)
                last = time.perf_counter()
                seen = (seen + chunk)[-65536:]
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([self.fd], [], [], quiet)
            if not ready:
                break
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            total += len(chunk)
            last = time.perf_counter()
        return total, last

    def count_for(self, seconds: float) -> int:
        end = time.perf_counter() + seconds
        total = 0
        while (left := end - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    total += len(os.read(self.fd, 65536))
                except OSError:
                    break
        return total

    def send(self, keys: bytes) -> float:
        t = time.perf_counter()
        os.write(self.fd, keys)
        return t

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        os.close(self.fd)


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TEXTUAL")}
    env.update(
        TERM="xterm-256color",
        COLORTERM="truecolor",
        XDG_CONFIG_HOME=str(tmp / "cfg"),
        XDG_DATA_HOME=str(tmp / "data"),
        PYTHONPATH=str(ROOT),
    )
    return env


def _script(tmp: Path, name: str, body: str) -> list[str]:
    path = tmp / f"{name}.py"
    path.write_text(textwrap.dedent(body))
    return [sys.executable, str(path)]


def _console(store: Path) -> list[str]:
    return [sys.executable, "-m", "console", "--store", str(store)]


def build_store(path: Path, incidents: int, events_per: int) -> None:
    """A store of `incidents` incidents with about `events_per` events each (group commit)."""
    from console.commands.apply import ApplyContext, apply
    from console.commands.grammar import parse
    from console.domain.clock import FixedClock
    from console.domain.settings import settings_from_dict
    from console.store import Store

    store = Store.open(path)
    settings = settings_from_dict({})
    clock = FixedClock("2026-11-30T09:00:00Z")
    batch = []

    def step(line: str):
        cmd = parse(line)
        now = clock.advance(1)
        return lambda state: apply(state, cmd, ApplyContext(now=now, settings=settings))

    for i in range(1, incidents + 1):
        batch.append(
            step(f'declare sev{1 + i % 4} "Incident {i}: error rate up" --service svc{i % 7}')
        )
        for j in range(max(events_per - 3, 0)):
            batch.append(step(f"note INC-{i} observation {j}"))
        if i % 3 == 0:
            batch.append(step(f"ack INC-{i}"))
        if len(batch) >= 2000:
            store.transact_many(batch)
            batch = []
    if batch:
        store.transact_many(batch)
    store.close()


def _start(argv, env, marker: bytes) -> tuple[Pty, float, int]:
    p = Pty(argv, env)
    size, last = p.read_until_quiet(marker=marker)
    return p, last - p.t0, size


def _median_start(argv, env, n: int, marker: bytes) -> tuple[float, int]:
    times, sizes = [], []
    for _ in range(n):
        p, t, size = _start(argv, env, marker)
        p.close()
        times.append(t)
        sizes.append(size)
    return statistics.median(times), int(statistics.median(sizes))


def _moves(p: Pty, keys: tuple[bytes, bytes], n: int) -> tuple[list[float], list[int]]:
    """Down, up, down...: moves within the first screenful (no scrolling), as a person
    looking between two incidents does; the floor moves the same way."""
    times, sizes = [], []
    for i in range(n):
        sent = p.send(keys[i % 2])
        size, last = p.read_until_quiet(quiet=0.12)
        times.append(max(last - sent, 0.0))
        sizes.append(size)
    return times, sizes


def result(name, value, unit, floor, goal, ok, ratio=None) -> dict:
    if ratio is None:
        ratio = value / floor if floor else float("inf") if value else 0.0
    return {
        "name": name,
        "value": round(value, 4),
        "unit": unit,
        "floor": round(floor, 4),
        "ratio": round(ratio, 3),
        "goal": goal,
        "ok": bool(ok),
    }


def run(quick: bool) -> list[dict]:
    n_start = 3 if quick else 5
    n_moves = 30
    big = 10_000
    with tempfile.TemporaryDirectory() as tmpname:
        tmp = Path(tmpname)
        env = _env(tmp)
        empty = tmp / "empty"
        full = tmp / "full"
        build_store(empty, 0, 0)
        build_store(full, big, 5)
        bare_t, bare_bytes = _median_start(_script(tmp, "bare", BARE), env, n_start, b"hello")
        empty_t, empty_bytes = _median_start(_console(empty), env, n_start, b"Incidents")
        full_t, full_bytes = _median_start(_console(full), env, n_start, b"INC-")

        table, _, _ = _start(_script(tmp, "table", BARE_TABLE), env, b"INC-")
        floor_times, _ = _moves(table, (b"\x1b[B", b"\x1b[A"), n_moves)
        floor_idle = table.count_for(2.0)
        table.close()

        app, _, frame = _start(_console(full), env, b"INC-")
        times, sizes = _moves(app, (b"j", b"k"), n_moves)
        idle_seconds = 3.0 if quick else 6.0
        idle = app.count_for(idle_seconds) / idle_seconds
        app.close()

    floor_move = statistics.median(floor_times)
    move = statistics.median(times)
    worst = max(times)
    move_bytes = statistics.median(sizes)
    return [
        result(
            "ui_start_empty",
            empty_t * 1000,
            "ms",
            bare_t * 1000,
            "<= 2.5x bare app",
            empty_t <= 2.5 * bare_t,
        ),
        result(
            f"ui_start_{big // 1000}k",
            full_t * 1000,
            "ms",
            bare_t * 1000,
            "<= 3x bare app",
            full_t <= 3 * bare_t,
        ),
        result(
            "ui_move_median",
            move * 1000,
            "ms",
            floor_move * 1000,
            "<= 2x a 100-row DataTable move",
            move <= 2 * floor_move,
        ),
        result(
            "ui_move_worst",
            worst * 1000,
            "ms",
            move * 1000,
            "<= 5x the median move",
            worst <= 5 * move,
        ),
        result(
            "ui_move_bytes",
            move_bytes,
            "B",
            frame,
            "<= 5000 B and < 0.5 of a full frame",
            move_bytes <= 5000 and move_bytes < 0.5 * frame,
        ),
        result(
            "ui_idle_bytes",
            idle,
            "B/s",
            floor_idle / 2.0,
            "<= 250 B/s (floor: a bare DataTable app idle)",
            idle <= 250,
            ratio=idle / max(floor_idle / 2.0, 1.0),
        ),
        result(
            "ui_first_paint_bytes",
            full_bytes,
            "B",
            bare_bytes,
            "<= 100 kB",
            full_bytes <= 100_000,
        ),
    ]


if __name__ == "__main__":
    for r in run("--quick" in sys.argv):
        print(r)
