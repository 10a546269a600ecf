"""The cold file: every stored event, read per incident on demand.

Compaction splits what the store holds in two. The snapshot (snapshot.json, TinyDB
tables) keeps what opening needs: the incidents' projection, store-wide events, the alert
book, the outbox. The long event log goes to `events-GEN.jsonl`, written once per
compaction and never changed after:

    line 0        header: {"incident_console_store": {"schema", "kind", "part": "events", "gen"}}
    line 1..n     the timeline of the snapshot's incident i (its incidents table order),
                  a JSON list of events as `event_to_row` lists
    line n+1      the events on no timeline, with their incident
    line n+2      the id of every stored event, in fold order (the log's order)

The snapshot's meta records each line's byte offset and the file's size, so an incident's
timeline costs one positioned read and the parse of that one line. The file is opened
once per load and kept open: another process may compact meanwhile and remove it, and an
open file stays readable until closed.
"""

from __future__ import annotations

import json
import os
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from console.domain.model import Event, events_from_rows
from console.store.errors import StoreError
from console.store.journal import MAGIC, fsync_dir


class ColdFileError(StoreError):
    """The cold file is foreign or damaged; the message names it."""


def cold_name(gen: int) -> str:
    return f"events-{gen:06d}.jsonl"


def cold_header(schema: int, kind: str, gen: int) -> bytes:
    doc = {MAGIC: {"schema": schema, "kind": kind, "part": "events", "gen": gen}}
    return (json.dumps(doc, separators=(",", ":")) + "\n").encode()


class ColdFile:
    """An open cold file: the State's `ColdLog` (see console.domain.model)."""

    def __init__(
        self, path: Path, incidents: list[dict[str, Any]], offsets: list[int], gen: int, schema: int
    ) -> None:
        """`incidents` are the snapshot's incident rows, in order (line i is row i's)."""
        n = len(incidents)
        if len(offsets) != n + 3:
            raise ColdFileError(
                f"{path}: the snapshot's index has {len(offsets)} offsets for {n} incidents"
            )
        self.path = path
        self.offsets = offsets
        self.size = offsets[-1]
        self._n = n
        fd = os.open(path, os.O_RDONLY)  # FileNotFoundError: the caller decides
        # closed when the last State reading it is gone (never while one may still read)
        self._finalizer = weakref.finalize(self, os.close, fd)
        self._fd = fd
        size = os.fstat(fd).st_size
        if size != self.size:
            raise ColdFileError(
                f"{path}: {size} bytes where the snapshot says {self.size}; left untouched"
            )
        head = os.pread(fd, min(4096, offsets[0]), 0)
        try:
            doc = json.loads(head)[MAGIC]
            ok = doc["part"] == "events" and doc["gen"] == gen and doc["schema"] == schema
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            ok = False
        if not ok:
            raise ColdFileError(f"{path}: not this store's event file; left untouched")
        self.header_bytes = len(head)

    def close(self) -> None:
        self._finalizer()

    # -- reading ---------------------------------------------------------------------

    def span(self, line: int) -> tuple[int, int]:
        """(start, end) of the `line`th timeline's line, newline included."""
        return self.offsets[line], self.offsets[line + 1]

    def read_all(self) -> bytes:
        return self._pread(0, self.size)

    def _pread(self, start: int, end: int) -> bytes:
        data = os.pread(self._fd, end - start, start)
        if len(data) != end - start:
            raise ColdFileError(f"{self.path}: cut short at byte {start + len(data)}")
        return data

    def _line(self, i: int) -> Any:
        start = self.offsets[i]
        try:
            return json.loads(self._pread(start, self.offsets[i + 1]))
        except (ValueError, UnicodeDecodeError):
            raise ColdFileError(f"{self.path}: damaged at byte {start}") from None

    def timeline(self, inc_id: str, line: int) -> list[Event]:
        if not 0 <= line < self._n:
            raise ColdFileError(f"{self.path}: no timeline {line} for {inc_id}")
        try:
            return events_from_rows(self._line(line), inc_id)
        except (IndexError, TypeError, ValueError, AttributeError, ColdFileError):
            # the incident named, whether its line is not JSON or not events
            raise ColdFileError(
                f"{self.path}: {inc_id}'s timeline (byte {self.offsets[line]}) is damaged"
            ) from None

    def orphans(self) -> list[Event]:
        try:
            return events_from_rows(self._line(self._n))
        except (IndexError, TypeError, ValueError, AttributeError):
            raise ColdFileError(f"{self.path}: damaged at byte {self.offsets[self._n]}") from None

    def ids(self) -> list[str]:
        ids = self._line(self._n + 1)
        if not isinstance(ids, list):
            raise ColdFileError(f"{self.path}: damaged at byte {self.offsets[self._n + 1]}")
        return ids


def write_cold(path: Path, header: bytes, lines: Iterable[bytes]) -> list[int]:
    """Write the header and `lines` (each ending in a newline) durably: temp, fsync,
    rename, folder fsync. Returns each line's start offset and, last, the file's size."""
    tmp = path.with_name(path.name + ".tmp")
    offsets: list[int] = []
    pos = len(header)
    with open(tmp, "wb", buffering=1 << 20) as fh:
        os.fchmod(fh.fileno(), 0o600)
        fh.write(header)
        for line in lines:
            offsets.append(pos)
            fh.write(line)
            pos += len(line)
        offsets.append(pos)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)
    return offsets


def dumps_line(value: Any) -> bytes:
    return (json.dumps(value, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
