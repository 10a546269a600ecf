"""Durable appends to the journal, each one write that is already on disk when it returns.

A plain append is a write and an fsync: the fsync flushes the data, then commits the
file's new size in the file system's journal, then flushes again. Here the journal's
space is written (as zeros) ahead of its lines, so a new line changes no size and no
block map: it goes through a second descriptor opened O_DIRECT | O_DSYNC, and the write
returns once the device holds it, one flush and no file-system commit, about two thirds
of the cost of an append and an fsync on the machines this was measured on (bench/
bench_ingest.py).

O_DIRECT moves whole blocks from aligned memory, so a write rewrites the block that holds
the journal's last bytes: the appender keeps a copy of that part-filled block's bytes,
and writes them again, unchanged, ahead of the new lines. Unchanged bytes make a write
cut short by a power cut harmless to the lines before it: each sector holds either its
old bytes or its new ones, and the old lines' bytes are the same in both.

Where O_DIRECT cannot be had (tmpfs, macOS) or the device refuses a write, the appender
falls back to a buffered write and an fsync into space allocated ahead (journal.py).
"""

from __future__ import annotations

import errno
import mmap
import os
from typing import Any

from console.store import journal as jr

BLOCK = 4096  # a multiple of every device's logical block size O_DIRECT asks alignment to
_DIRECT = getattr(os, "O_DIRECT", 0)
_DSYNC = getattr(os, "O_DSYNC", 0)


def _round_up(n: int) -> int:
    return -(-n // BLOCK) * BLOCK


class Appender:
    """Appends to one journal file; the store holds one per generation it writes."""

    def __init__(self, path: os.PathLike[str] | str) -> None:
        # buffered, for reading back a block and for the fallback
        self.fd = os.open(path, os.O_RDWR)
        self._direct_fd: int | None = None
        if _DIRECT and _DSYNC:
            try:
                self._direct_fd = os.open(path, os.O_RDWR | _DIRECT | _DSYNC)
            except OSError:
                self._direct_fd = None  # a file system without O_DIRECT: the fallback
        self._buf: mmap.mmap | None = None
        # the bytes of the block holding `_tail_end` up to it, as on disk (stale once
        # another process writes: the caller then says so with `clean_to` < 0)
        self._tail = b""
        self._tail_end = -1

    @property
    def direct(self) -> bool:
        return self._direct_fd is not None

    def close(self) -> None:
        for fd in (self.fd, self._direct_fd):
            if fd is not None:
                os.close(fd)
        self._direct_fd = None
        self._buf = None  # unmapped when the last view of it goes

    def append(
        self, good_end: int, records_batches: list[list[dict[str, Any]]], clean_to: int = -1
    ) -> tuple[int, int]:
        """One line per batch after `good_end`, durable on return: (new end, file size).

        `clean_to`: as `journal.append_fd` (the size seen under the write lock with only
        zeros past `good_end`; -1: unknown, so anything past `good_end` is cut first).
        """
        if self._direct_fd is None:
            return jr.append_fd(self.fd, good_end, records_batches, clean_to=clean_to)
        payload = jr.encode(records_batches)
        if clean_to < good_end:
            self._tail_end = -1  # the block may have changed under another writer
        allocated = jr.vouched_size(self.fd, good_end, clean_to)
        start = good_end - good_end % BLOCK
        if self._tail_end == good_end:
            tail = self._tail
        else:
            tail = os.pread(self.fd, good_end - start, start)
            if len(tail) != good_end - start:
                raise OSError(f"short read of the journal's last block at {start}")
        end = good_end + len(payload)
        used = len(tail) + len(payload)
        length = _round_up(used)
        if start + length > allocated:
            length = _round_up(used + jr.PREALLOCATE)  # grow ahead: a size change per many
        buf = self._buffer(length)
        buf[: len(tail)] = tail
        buf[len(tail) : used] = payload
        buf[used:length] = bytes(length - used)
        try:
            self._write(buf, length, start)
        except OSError as exc:
            if exc.errno != errno.EINVAL:
                raise  # a full disk, an I/O error: the write fails, as a buffered one would
            # a device that refuses this alignment: buffered from here on (nothing of this
            # write is reported done; the fallback cuts what may have landed, writes it whole)
            os.close(self._direct_fd)
            self._direct_fd = None
            return jr.append_fd(self.fd, good_end, records_batches, clean_to=-1)
        last = end - end % BLOCK
        self._tail = bytes(buf[last - start : used])
        self._tail_end = end
        return end, max(allocated, start + length)

    def _buffer(self, length: int) -> mmap.mmap:
        # an anonymous map is page-aligned, as O_DIRECT needs its memory to be
        if self._buf is None or len(self._buf) < length:
            self._buf = mmap.mmap(-1, max(length, 16 * BLOCK))
        return self._buf

    def _write(self, buf: mmap.mmap, length: int, start: int) -> None:
        assert self._direct_fd is not None
        view = memoryview(buf)
        done = 0
        while done < length:
            # a short direct write ends on a block boundary: go on from there
            done += os.pwrite(self._direct_fd, view[done:length], start + done)
