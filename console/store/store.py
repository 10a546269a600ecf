"""The durable state store: a folder holding a journal, TinyDB snapshots and a lock.

    STORE/
      journal-000001.jsonl   header line, then one line per write (events, intents, deliveries)
      snapshot.json          TinyDB tables of everything before the current journal (after compaction)
      lock                   flock'd for the length of one write, never longer

Several processes share a store (the TUI, `exec`, `ingest`, `sync`): each write takes the
lock, reads what the others appended since (so ids such as INC-n never collide), applies
its function to that up-to-date state, appends one fsync'd line and lets go.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.domain.model import Event, State, incident_to_row
from console.store import journal as jr
from console.store.migrations import CURRENT_SCHEMA, migrate_records
from console.store.snapshot import read_snapshot, write_snapshot

JOURNAL_GLOB = "journal-*.jsonl"
SNAPSHOT = "snapshot.json"
LOCK = "lock"


def _is_own_file(name: str) -> bool:
    return name in (SNAPSHOT, LOCK) or name.startswith(("journal-", SNAPSHOT))


class StoreError(Exception):
    """The store cannot be used as asked; the message names the file."""


@dataclass
class Batch:
    """What one write adds: timeline events, outbox intents, delivery states."""

    events: list[Event] = field(default_factory=list)
    intents: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        recs: list[dict[str, Any]] = [{"t": "event", **e.to_record()} for e in self.events]
        recs += [{"t": "intent", **i} for i in self.intents]
        recs += [{"t": "delivery", **d} for d in self.deliveries]
        return recs

    def __bool__(self) -> bool:
        return bool(self.events or self.intents or self.deliveries)


def _journal_name(gen: int) -> str:
    return f"journal-{gen:06d}.jsonl"


class Store:
    """Open with `Store.open(path, read_only=..., kind=...)`."""

    def __init__(self, path: Path, read_only: bool, kind: str) -> None:
        self.path = path
        self.read_only = read_only
        self.kind = kind
        self.state = State()
        self.intents: dict[str, dict[str, Any]] = {}
        self.deliveries: dict[tuple[str, str], dict[str, Any]] = {}
        self.records = 0
        self.version = 0  # bumps whenever new records are folded in; the UI watches it
        self._gen = 1
        self._offset = 0
        self._line = 1
        self._snap_sig: tuple[int, int, int] | None = None
        self._thread_lock = threading.RLock()
        self._listeners: list[Callable[[list[dict[str, Any]]], None]] = []

    # -- opening ---------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, read_only: bool = False, kind: str = "live") -> Store:
        path = Path(path)
        store = cls(path, read_only, kind)
        if path.exists() and not path.is_dir():
            raise StoreError(
                f"{path}: is a file, not an incident-console store folder; left untouched"
            )
        journals = sorted(path.glob(JOURNAL_GLOB)) if path.is_dir() else []
        if not journals and not (path / SNAPSHOT).exists():
            if path.is_dir() and any(not _is_own_file(p.name) for p in path.iterdir()):
                raise StoreError(
                    f"{path}: holds files that are not an incident-console store; left untouched"
                )
            if read_only:
                return store  # nothing yet; reading an empty store is fine
            store._initialise()
        store._load()
        if not read_only:
            store._cleanup()
        return store

    def _initialise(self) -> None:
        from console.domain.clock import RealClock, iso

        try:
            self.path.mkdir(parents=True, exist_ok=True)
            with self._locked():
                if not any(self.path.glob(JOURNAL_GLOB)) and not (self.path / SNAPSHOT).exists():
                    jr.create(
                        self._journal_path(1),
                        jr.header_line(CURRENT_SCHEMA, self.kind, iso(RealClock().now())),
                    )
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create the store: {exc.strerror}") from None

    def _journal_path(self, gen: int) -> Path:
        return self.path / _journal_name(gen)

    def _snapshot_signature(self) -> tuple[int, int, int] | None:
        try:
            st = (self.path / SNAPSHOT).stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _cleanup(self) -> None:
        """Remove what a crash can leave behind: temp files, journals a snapshot covers."""
        with self._locked():
            for p in self.path.iterdir():
                if p.name.endswith((".tmp", ".migrating")):
                    p.unlink(missing_ok=True)
                elif p.name.startswith("journal-") and p.name.endswith(".jsonl"):
                    gen = p.name[len("journal-") : -len(".jsonl")]
                    if gen.isdigit() and int(gen) < self._gen:
                        p.unlink(missing_ok=True)

    def _load(self) -> None:
        """Read the snapshot (if any) and the current journal from the start."""
        self.state = State()
        self.intents.clear()
        self.deliveries.clear()
        self.records = 0
        snap_path = self.path / SNAPSHOT
        gen = 1
        self._snap_sig = self._snapshot_signature()
        try:
            snap = read_snapshot(snap_path)
        except (ValueError, OSError) as exc:
            raise StoreError(f"{snap_path}: cannot be read ({exc}); left untouched") from None
        if snap is not None:
            meta, tables = snap
            if meta.get("schema", 0) > CURRENT_SCHEMA:
                raise StoreError(
                    f"{snap_path}: written by a newer version (schema {meta.get('schema')}); left untouched"
                )
            gen = int(meta.get("next_gen", 1))
            self.kind = meta.get("kind", self.kind)
            if "incidents" in tables and "last_number" in meta:
                # the projection was snapshotted with its events: no fold over history
                self.state.load_projection(
                    tables.get("events", []), tables["incidents"], int(meta["last_number"])
                )
            else:  # a snapshot from before projections were kept
                for r in tables.get("events", []):
                    self.state.apply(Event.from_record(r))
            self.records += len(tables.get("events", []))
            self._fold([{"t": "intent", **r} for r in tables.get("intents", [])], notify=False)
            self._fold([{"t": "delivery", **r} for r in tables.get("deliveries", [])], notify=False)
        self._gen = gen
        jpath = self._journal_path(gen)
        if not jpath.exists():
            self._offset, self._line = 0, 1
            return
        header = jr.read_header(jpath)
        if header is None:
            raise StoreError(
                f"{jpath}: not an incident-console journal (no header); left untouched"
            )
        schema = header.get("schema")
        if not isinstance(schema, int) or schema > CURRENT_SCHEMA:
            raise StoreError(
                f"{jpath}: schema {schema!r} is newer than this version understands; left untouched"
            )
        self.kind = header.get("kind", self.kind)
        with jpath.open("rb") as fh:
            first = fh.readline()
        try:
            result = jr.read_from(jpath, len(first), 2)
        except jr.JournalDamaged as exc:
            raise StoreError(f"{exc}; left untouched") from None
        if schema < CURRENT_SCHEMA:
            if self.read_only:
                raise StoreError(
                    f"{jpath}: schema {schema} needs migrating; open it once without --read-only"
                )
            self._migrate(jpath, schema, header, result)
            return self._load()
        self._offset, self._line = result.end, 2 + result.lines
        for recs in result.batches:
            self._fold(recs, notify=False)

    def _migrate(
        self, jpath: Path, schema: int, header: dict[str, Any], result: jr.ReadResult
    ) -> None:
        """Rewrite an old journal in the current shape, keeping the original as a backup."""
        with self._locked():
            batches = [migrate_records(recs, schema) for recs in result.batches]
            backup = jpath.with_name(jpath.name + f".schema{schema}.bak")
            os.link(jpath, backup) if not backup.exists() else None
            tmp = jpath.with_name(jpath.name + ".migrating")
            jr.create(
                tmp,
                jr.header_line(
                    CURRENT_SCHEMA, header.get("kind", self.kind), header.get("created_at", "")
                ),
            )
            end = len(
                jr.header_line(
                    CURRENT_SCHEMA, header.get("kind", self.kind), header.get("created_at", "")
                )
            )
            jr.append(tmp, end, batches) if batches else None
            os.replace(tmp, jpath)
            jr.fsync_dir(self.path)

    # -- folding ---------------------------------------------------------------------

    def _fold(self, records: list[dict[str, Any]], notify: bool = True) -> None:
        state, intents, deliveries = self.state, self.intents, self.deliveries
        for rec in records:
            t = rec.get("t")
            if t == "event":
                state.apply(Event.from_record(rec))
            elif t == "intent":
                body = {k: v for k, v in rec.items() if k != "t"}
                intents[body["id"]] = body
            elif t == "delivery":
                body = {k: v for k, v in rec.items() if k != "t"}
                deliveries[(body["intent"], body["provider"])] = body
        self.records += len(records)
        if records:
            self.version += 1
            if notify:
                for listener in list(self._listeners):
                    listener(records)

    def on_change(self, listener: Callable[[list[dict[str, Any]]], None]) -> None:
        """Call `listener(records)` (in the writing or refreshing thread) after new records fold in."""
        self._listeners.append(listener)

    # -- reading what others wrote ---------------------------------------------------

    def refresh(self) -> bool:
        """Fold in what other processes appended. Cheap when nothing changed (one stat)."""
        with self._thread_lock:
            return self._refresh_locked()

    def _refresh_locked(self) -> bool:
        if not self.path.is_dir():
            return False
        if self._snapshot_signature() != self._snap_sig:
            before = self.version
            self._load()  # compacted by another process: start again from its snapshot
            self.version = before + 1
            return True
        jpath = self._journal_path(self._gen)
        try:
            size = jpath.stat().st_size
        except FileNotFoundError:
            return False
        if self._offset == 0:
            if size == 0:
                return False
            self._load()
            self.version += 1
            return True
        if size <= self._offset:
            return False
        try:
            result = jr.read_from(jpath, self._offset, self._line)
        except jr.JournalDamaged as exc:
            raise StoreError(f"{exc}; left untouched") from None
        self._offset, self._line = result.end, self._line + result.lines
        for recs in result.batches:
            self._fold(recs)
        return bool(result.batches)

    # -- writing ---------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._thread_lock:
            fd = os.open(self.path / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    def transact(self, fn: Callable[[State], Any]) -> Any:
        """Under the write lock: catch up, call `fn(state)`, persist what it returns, fold it.

        `fn` returns an object with `events` and `intents` (and optionally `deliveries`)
        lists, such as a command's Outcome or a Batch. Whatever it raises propagates and
        nothing is written. Returns fn's result once it is durable.
        """
        return self.transact_many([fn])[0]

    def transact_many(self, fns: list[Callable[[State], Any]]) -> list[Any]:
        """Group commit: apply each function in turn, then one append and one fsync for all."""
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only; nothing was changed")
        with self._locked():
            self._refresh_locked()
            if self._offset == 0:
                self._ensure_journal()
            results = []
            batches: list[list[dict[str, Any]]] = []
            for fn in fns:
                result = fn(self.state)
                batch = Batch(
                    events=list(getattr(result, "events", [])),
                    intents=list(getattr(result, "intents", [])),
                    deliveries=list(getattr(result, "deliveries", [])),
                )
                recs = batch.records()
                if recs:
                    # fold now so the next function in the group sees this one's effects
                    self._fold(recs, notify=False)
                    batches.append(recs)
                results.append(result)
            if batches:
                self._offset = jr.append(self._journal_path(self._gen), self._offset, batches)
                self._line += len(batches)
                for recs in batches:
                    for listener in list(self._listeners):
                        listener(recs)
            return results

    def _ensure_journal(self) -> None:
        from console.domain.clock import RealClock, iso

        jpath = self._journal_path(self._gen)
        if not jpath.exists():
            jr.create(jpath, jr.header_line(CURRENT_SCHEMA, self.kind, iso(RealClock().now())))
        with jpath.open("rb") as fh:
            first = fh.readline()
        self._offset, self._line = len(first), 2
        result = jr.read_from(jpath, self._offset, self._line)
        self._offset, self._line = result.end, 2 + result.lines
        for recs in result.batches:
            self._fold(recs)

    def compact(self) -> None:
        """Fold the journal into a TinyDB snapshot and start a new, empty journal.

        Costs a rewrite of the whole history, so it runs off the hot path (a worker, or at
        close), never inside a command's write.
        """
        if self.read_only:
            return
        from console.domain.clock import RealClock, iso

        with self._locked():
            self._refresh_locked()
            old = self._journal_path(self._gen)
            new_gen = self._gen + 1
            events = [e.to_record() for e in self._all_events()]
            write_snapshot(
                self.path / SNAPSHOT,
                {
                    "schema": CURRENT_SCHEMA,
                    "kind": self.kind,
                    "next_gen": new_gen,
                    "records": self.records,
                    "last_number": self.state.last_number,
                },
                {
                    "events": events,
                    "incidents": [incident_to_row(i) for i in self.state.incidents.values()],
                    "intents": list(self.intents.values()),
                    "deliveries": list(self.deliveries.values()),
                },
            )
            # the snapshot's rename is the commit point: from here on it names new_gen
            self._snap_sig = self._snapshot_signature()
            jr.create(
                self._journal_path(new_gen),
                jr.header_line(CURRENT_SCHEMA, self.kind, iso(RealClock().now())),
            )
            if old.exists():
                old.unlink()
                jr.fsync_dir(self.path)
            self._gen = new_gen
            with self._journal_path(new_gen).open("rb") as fh:
                self._offset, self._line = len(fh.readline()), 2

    def _all_events(self) -> list[Event]:
        return list(self.state.log)

    @property
    def journal_records(self) -> int:
        return self._line - 2

    def close(self) -> None:
        self._listeners.clear()
