"""The append-only journal: one fsync'd JSON line per write, torn tails ignored.

A write appends one line holding every record of one command (or of a group commit), so
a crash either keeps the whole line or leaves a torn tail that no reader accepts and the
next writer cuts off. The cost of a write is one append and one fsync, whatever the size
of the history.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAGIC = "incident_console_store"


class JournalDamaged(Exception):
    """A line inside the journal (not its tail) cannot be read."""

    def __init__(self, path: Path, line: int, why: str) -> None:
        super().__init__(f"{path}: line {line} is damaged ({why})")
        self.path = path
        self.line = line


@dataclass
class ReadResult:
    batches: list[list[dict[str, Any]]]
    end: int  # offset just past the last complete line
    lines: int
    torn: bool


def header_line(schema: int, kind: str, created_at: str) -> bytes:
    doc = {MAGIC: {"schema": schema, "kind": kind, "created_at": created_at}}
    return (json.dumps(doc, separators=(",", ":")) + "\n").encode()


def read_header(path: Path) -> dict[str, Any] | None:
    """The journal's header, or None if the file does not start with one of ours."""
    try:
        with path.open("rb") as fh:
            first = fh.readline(64 * 1024)
    except OSError:
        return None
    if not first.endswith(b"\n"):
        return None
    try:
        doc = json.loads(first)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get(MAGIC), dict):
        return None
    return doc[MAGIC]


def read_from(path: Path, offset: int, first_line_no: int) -> ReadResult:
    """Read complete lines from `offset`; a final unterminated or unreadable line is a torn tail."""
    with path.open("rb") as fh:
        fh.seek(offset)
        data = fh.read()
    batches: list[list[dict[str, Any]]] = []
    pos = 0
    line_no = first_line_no
    torn = False
    while pos < len(data):
        nl = data.find(b"\n", pos)
        if nl < 0:
            torn = True
            break
        raw = data[pos:nl]
        try:
            doc = json.loads(raw)
            records = doc["r"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            if data.find(b"\n", nl + 1) < 0 and not data[nl + 1 :].strip():
                # the last line, terminated but garbled: a write cut short, never reported done
                torn = True
                break
            raise JournalDamaged(path, line_no, type(exc).__name__) from None
        batches.append(records)
        pos = nl + 1
        line_no += 1
    return ReadResult(batches=batches, end=offset + pos, lines=line_no - first_line_no, torn=torn)


def encode(records_batches: list[list[dict[str, Any]]]) -> bytes:
    """One journal line per batch: each record encoded once, straight to the line."""
    return "".join([_ENCODE({"r": recs}) + "\n" for recs in records_batches]).encode()


_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def append(path: Path, good_end: int, records_batches: list[list[dict[str, Any]]]) -> int:
    """Cut any torn tail at `good_end`, append one line per batch, fsync. Returns the new end."""
    fd = os.open(path, os.O_WRONLY)
    try:
        return append_fd(fd, good_end, records_batches)
    finally:
        os.close(fd)


def append_fd(
    fd: int,
    good_end: int,
    records_batches: list[list[dict[str, Any]]],
    *,
    size_checked: bool = False,
) -> int:
    """`append` to a journal already open for writing (the store keeps its own open).

    `size_checked`: the caller saw, under the write lock, that the file ends at
    `good_end` (no torn tail to cut), so the fstat that would show it is skipped.
    """
    payload = encode(records_batches)
    if not size_checked and os.fstat(fd).st_size != good_end:
        os.ftruncate(fd, good_end)
    view = memoryview(payload)
    while view:
        # pwrite at our offset: the fd's own position may be anywhere after a truncate
        written = os.pwrite(fd, view, good_end + len(payload) - len(view))
        view = view[written:]
    os.fsync(fd)
    return good_end + len(payload)


def create(path: Path, header: bytes) -> None:
    """Create a journal holding only its header, durably (file and folder fsync'd)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, header)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
