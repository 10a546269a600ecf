"""Drive a terminal program over a pseudo-terminal, the way an SSH session does.

Counts every byte the program writes and times it: first paint (the last byte before the
screen goes quiet), key to last byte, idle output. TERM=xterm-256color with truecolor.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import sys
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Burst:
    """Output that arrived between a start moment and quiet."""

    data: bytes
    first: float | None  # seconds from start to the first byte
    last: float | None  # seconds from start to the last byte
    chunks: list[tuple[float, bytes]] = field(default_factory=list)  # (seconds, bytes) read

    def __len__(self) -> int:
        return len(self.data)


@dataclass
class PtyProc:
    pid: int
    fd: int
    started: float
    log: list[bytes] = field(default_factory=list)

    def _read_some(self, timeout: float) -> bytes:
        r, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not r:
            return b""
        try:
            return os.read(self.fd, 1 << 16)
        except OSError:
            return b""

    def read_until_quiet(
        self,
        quiet: float = 0.25,
        timeout: float = 20.0,
        start: float | None = None,
        until: bytes | None = None,
    ) -> Burst:
        """Read until `until` has been seen (if given) and then nothing came for `quiet` s."""
        t0 = start if start is not None else time.perf_counter()
        buf = bytearray()
        chunks: list[tuple[float, bytes]] = []
        first = last = None
        seen = until is None
        deadline = t0 + timeout
        while True:
            now = time.perf_counter()
            if now > deadline:
                break
            wait = quiet if (seen and last is not None) else min(quiet, deadline - now)
            chunk = self._read_some(wait)
            if chunk:
                stamp = time.perf_counter() - t0
                first = stamp if first is None else first
                last = stamp
                buf += chunk
                chunks.append((stamp, chunk))
                if not seen and until in buf:
                    seen = True
                continue
            if seen and last is not None:
                break
        return Burst(bytes(buf), first, last, chunks)

    def read_for(self, seconds: float) -> bytes:
        """Everything written during the next `seconds` (an idle window's output)."""
        end = time.perf_counter() + seconds
        buf = bytearray()
        while (left := end - time.perf_counter()) > 0:
            buf += self._read_some(left)
        return bytes(buf)

    def send(self, keys: str | bytes) -> float:
        data = keys.encode() if isinstance(keys, str) else keys
        t = time.perf_counter()
        os.write(self.fd, data)
        return t

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        deadline = time.time() + 3
        while time.time() < deadline:
            try:
                done, _ = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                break
            if done:
                break
            # keep draining so the child is never blocked writing to us
            self._read_some(0.05)
        else:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        with contextlib.suppress(OSError):
            os.close(self.fd)


def spawn(argv: list[str], cols: int = 120, rows: int = 40, env: dict | None = None) -> PtyProc:
    """Start argv on a new pty of cols x rows; returns as soon as it is forked."""
    import pty

    full_env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "COLUMNS": str(cols),
        "LINES": str(rows),
        "PYTHONPATH": str(ROOT),
    }
    full_env.pop("NO_COLOR", None)
    full_env.pop("TEXTUAL", None)
    if env:
        full_env.update(env)
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        try:
            # size the terminal before the program can ask for it
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.execvpe(argv[0], argv, full_env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    return PtyProc(pid=pid, fd=fd, started=started)


def python() -> str:
    return sys.executable
