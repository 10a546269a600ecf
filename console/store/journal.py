"""The append-only journal: one fsync'd JSON line per write, torn tails ignored.

A write appends one line holding every record of one command (or of a group commit), so
a crash either keeps the whole line or leaves a torn tail that no reader accepts and the
next writer cuts off. The cost of a write is one write and one fsync, whatever the size
of the history.

The file is grown ahead of its lines, PREALLOCATE bytes at a time, and the space not yet
written reads as zero bytes (JSON text never holds one): a write into space already
allocated leaves the file's size alone, so its sync has no size to record (an fdatasync
where there is one) and costs about two thirds of an append's. Readers take the first
zero byte as the end, when only zeros follow it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

MAGIC = "incident_console_store"
# what a write that runs past the allocated end grows the file by (at least): a few
# hundred alerts' lines, so the sync that records a new size comes once per few hundred
PREALLOCATE = 256 * 1024
_ZERO = b"\0"


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
    torn: bool  # past `end` lie bytes of a write that did not finish: the next writer cuts them
    size: int = 0  # the file's size as read (past `end` only zeros, unless torn)


def header_line(schema: int, kind: str, created_at: str, unique_ids: bool = True) -> bytes:
    """The first line. `unique_ids`: no line will repeat an event id held before it (here
    or in the stored log): writers drop such an event before writing it, so a reader folds
    the lines without reading every stored id first. An old journal rewritten in the
    current shape cannot say so."""
    meta: dict[str, Any] = {"schema": schema, "kind": kind, "created_at": created_at}
    if unique_ids:
        meta["unique_ids"] = True
    doc = {MAGIC: meta}
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
    """Read complete lines from `offset`; a final unterminated or unreadable line is a torn tail.

    Zeros are the space allocated ahead: past the last line they end the journal; before
    a line (a write that landed past a gap, as a version that appended at the file's end
    did) they are skipped.
    """
    with path.open("rb") as fh:
        fh.seek(offset)
        data = fh.read()
    size = offset + len(data)
    if data.endswith(_ZERO):
        data = data.rstrip(_ZERO)
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
            try:
                doc = json.loads(raw)
            except ValueError:
                if not raw.startswith(_ZERO):
                    raise
                doc = json.loads(raw.lstrip(_ZERO))
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
    return ReadResult(
        batches=batches, end=offset + pos, lines=line_no - first_line_no, torn=torn, size=size
    )


def nothing_after(fd: int, offset: int) -> bool:
    """True when the journal open as `fd` holds no byte but zeros at `offset`: no line
    (nor the start of one) was written there. One read of one byte."""
    return os.pread(fd, 1, offset) in (b"", _ZERO)


def encode(records_batches: list[list[dict[str, Any]]]) -> bytes:
    """One journal line per batch: each record encoded once, straight to the line."""
    try:
        return b"".join([_DUMPS({"r": recs}, option=_STRICT) + b"\n" for recs in records_batches])
    except TypeError:
        # what orjson refuses (an integer past 64 bits, a key that is not a string) the
        # json module writes, as every line was written before orjson
        return "".join([_ENCODE({"r": recs}) + "\n" for recs in records_batches]).encode()


_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_DUMPS = orjson.dumps
# a datetime or a dataclass in a record is a bug the json module refuses; so does orjson
_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_DATASYNC = getattr(os, "fdatasync", os.fsync)


def append(path: Path, good_end: int, records_batches: list[list[dict[str, Any]]]) -> int:
    """Cut anything past `good_end`, append one line per batch, fsync. Returns the new end."""
    fd = os.open(path, os.O_RDWR)
    try:
        return append_fd(fd, good_end, records_batches)[0]
    finally:
        os.close(fd)


def append_fd(
    fd: int,
    good_end: int,
    records_batches: list[list[dict[str, Any]]],
    *,
    clean_to: int = -1,
) -> tuple[int, int]:
    """`append` to a journal already open for writing (the store keeps its own open).
    Returns the new end and the file's size (past the end: zeros).

    `clean_to`: the file's size as the caller saw it under the write lock, with nothing
    but zeros (space allocated ahead) from `good_end` to there. Unknown (-1), anything
    past `good_end` is cut: it may be a torn tail.
    """
    payload = encode(records_batches)
    end = good_end + len(payload)
    allocated = vouched_size(fd, good_end, clean_to)
    grown = end > allocated and _preallocate(fd, allocated, end)
    size = end + PREALLOCATE if grown else max(end, allocated)
    view = memoryview(payload)
    while view:
        # pwrite at our offset: the fd's own position may be anywhere after a truncate
        written = os.pwrite(fd, view, end - len(view))
        view = view[written:]
    if grown or end > allocated:
        os.fsync(fd)  # the size changed: the sync must record it
    else:
        _DATASYNC(fd)  # the size did not: the data (and where it lies) is all there is
    return end, size


def vouched_size(fd: int, good_end: int, clean_to: int) -> int:
    """The file's size, with nothing but zeros past `good_end`: `clean_to` when the caller
    saw that under the write lock; otherwise anything past `good_end` (a torn tail, or
    space nobody vouched for) is cut first."""
    if clean_to >= good_end:
        return clean_to
    size = os.fstat(fd).st_size
    if size != good_end:
        os.ftruncate(fd, good_end)
    return good_end


def _preallocate(fd: int, allocated: int, end: int) -> bool:
    """Grow the file to past `end` by at least PREALLOCATE; False where it cannot be done
    (no posix_fallocate, or a file system without it: the write then appends)."""
    fallocate = getattr(os, "posix_fallocate", None)
    if fallocate is None:
        return False
    try:
        fallocate(fd, allocated, end - allocated + PREALLOCATE)
    except OSError:
        return False
    return True


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
