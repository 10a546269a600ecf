"""The durable state store: a folder holding a journal, TinyDB snapshots and a lock.

    STORE/
      journal-000002.jsonl   header line, then one line per write (events, intents, deliveries)
      snapshot.json          TinyDB tables of what opening needs (the incidents' projection,
                             store-wide events, the alert book, the outbox) as of compaction
      events-000002.jsonl    every event before the current journal, one line per incident's
                             timeline, read on demand (console/store/coldlog.py)
      lock                   flock'd for the length of one write, never longer

Several processes share a store (the TUI, `exec`, `ingest`, `sync`): each write takes the
lock, reads what the others appended since (so ids such as INC-n never collide), applies
its function to that up-to-date state, appends one fsync'd line and lets go.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pendulum import UTC

from console.domain.model import Event, State, event_to_row, iso_precise
from console.store import journal as jr
from console.store.appender import Appender
from console.store.coldlog import (
    ColdFile,
    ColdFileError,
    cold_header,
    cold_name,
    dumps_line,
    write_cold,
)
from console.store.errors import StoreError
from console.store.migrations import CURRENT_SCHEMA, migrate_records
from console.store.snapshot import read_snapshot, write_snapshot

JOURNAL_GLOB = "journal-*.jsonl"
SNAPSHOT = "snapshot.json"
LOCK = "lock"


COLD_PREFIX = "events-"
# a writable open compacts a journal past this size: folding 1 MB of journal (some 3,000
# events) at every open costs about what the whole compacted store costs to open
COMPACT_AT_BYTES = 1 << 20


def _is_own_file(name: str) -> bool:
    return name in (SNAPSHOT, LOCK) or name.startswith(("journal-", SNAPSHOT, COLD_PREFIX))


@dataclass
class Batch:
    """What one write adds: timeline events, outbox intents, delivery states."""

    events: list[Event] = field(default_factory=list)
    intents: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        return _records(self.events, self.intents, self.deliveries)

    def __bool__(self) -> bool:
        return bool(self.events or self.intents or self.deliveries)


def _records(events: Any, intents: Any, deliveries: Any) -> list[dict[str, Any]]:
    """A write's stored records: its events, intents and delivery states, each tagged."""
    # `{"t": "event", **e.to_record()}` spelled out: one dict per event, not two
    recs: list[dict[str, Any]] = [
        {
            "t": "event",
            "id": e.id,
            "at": iso_precise(e.at),
            "kind": e.kind,
            "author": e.author,
            "origin": e.origin,
            "text": e.text,
            "incident": e.incident,
            "data": e.data,
        }
        for e in events
    ]
    if intents:
        recs += [{"t": "intent", **i} for i in intents]
    if deliveries:
        recs += [{"t": "delivery", **d} for d in deliveries]
    return recs


def _unseen(known: Any, events: Any) -> list[Event]:
    """The events whose ids neither `known` nor an earlier one of them holds: what a write
    stores (State ignores the others), so that no journal line repeats an id."""
    out: list[Event] = []
    ids: set[str] = set()
    for ev in events:
        if ev.id not in known and ev.id not in ids:
            ids.add(ev.id)
            out.append(ev)
    return out


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
        # the journal's size as the last refresh under the write lock saw it, with only
        # zeros (space allocated ahead) past the last line (-1: unseen)
        self._clean_to = -1
        # the journal's size when this process last saw only zeros past `_offset` (its own
        # write, or a read to the end): the same size and a zero at `_offset` mean that
        # nobody wrote since (-1: not seen)
        self._size_known = -1
        self._line = 1
        self._snap_sig: tuple[int, int, int] | None = None
        self._cold: ColdFile | None = None  # the cold file the state reads timelines from
        self.bytes_read = 0  # what the last load read (the store benchmark's floor parses it)
        self._snap_file = str(path / SNAPSHOT)
        self._thread_lock = threading.RLock()
        # kept open between writes (the flock is not): each write then costs no open/close
        self._lock_fd: int | None = None
        self._lock_pid = 0  # a forked child must not share its parent's lock (one flock)
        # the lock file's write counter, mapped (None: read and written by pread/pwrite)
        self._counter: mmap.mmap | None = None
        self._lock_depth = 0
        self._appender: Appender | None = None
        self._appender_gen = 0
        # the write counter in the lock file as of this process's last look: unchanged
        # (and the journal's size unchanged), nobody else wrote since
        self._writes_seen = -1
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
            if store._offset > COMPACT_AT_BYTES:
                store._compact_at_open()
        return store

    def _compact_at_open(self) -> None:
        """Compact a journal grown past COMPACT_AT_BYTES, so that the next open is fast.

        This open has paid for folding the journal already; compaction adds about the
        cost of copying the history's bytes. If it cannot be written (a full disk), the
        journal still holds everything and the store works as it is.
        """
        with suppress(OSError):
            self.compact()

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
            st = os.stat(self._snap_file)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _cleanup(self) -> None:
        """Remove what a crash can leave behind: temp files, journals and event files a
        snapshot covers (older generations than the one loaded)."""
        with self._locked():
            for p in self.path.iterdir():
                if p.name.endswith((".tmp", ".migrating")):
                    p.unlink(missing_ok=True)
                    continue
                for prefix in ("journal-", COLD_PREFIX):
                    if p.name.startswith(prefix) and p.name.endswith(".jsonl"):
                        gen = p.name[len(prefix) : -len(".jsonl")]
                        if gen.isdigit() and int(gen) < self._gen:
                            p.unlink(missing_ok=True)

    def _load(self) -> None:
        """Read the snapshot (if any) and the current journal from the start."""
        for _attempt in range(5):
            try:
                return self._load_once()
            except _SnapshotMoved:
                continue  # another process compacted between two reads: read again
        raise StoreError(f"{self.path}: the store keeps changing under this read; try again")

    def _load_once(self) -> None:
        self.state = State()
        self.intents = {}
        self.deliveries = {}
        self.records = 0
        self._cold = None
        snap_path = self.path / SNAPSHOT
        gen = 1
        self._snap_sig = self._snapshot_signature()
        try:
            snap = read_snapshot(snap_path)
        except (ValueError, OSError) as exc:
            raise StoreError(f"{snap_path}: cannot be read ({exc}); left untouched") from None
        self.bytes_read = self._snap_sig[2] if snap is not None and self._snap_sig else 0
        if snap is not None:
            meta, tables = snap
            schema = meta.get("schema", 0)
            if not isinstance(schema, int) or schema > CURRENT_SCHEMA:
                raise StoreError(
                    f"{snap_path}: written by a newer version (schema {schema!r}); left untouched"
                )
            if schema < CURRENT_SCHEMA:
                if self.read_only:
                    raise StoreError(
                        f"{snap_path}: schema {schema} needs migrating; open it once without --read-only"
                    )
                self._migrate_snapshot(meta, tables)
                return self._load_once()
            gen = int(meta.get("next_gen", 1))
            self.kind = meta.get("kind", self.kind)
            self._load_projection(snap_path, gen, meta, tables)
        self._gen = gen
        self._size_known = -1
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
        self.state.unique_ids = header.get("unique_ids") is True
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
            return self._load_once()
        self.bytes_read += result.end
        self._offset, self._line = result.end, 2 + result.lines
        self._size_known = -1 if result.torn else result.size
        for recs in result.batches:
            self._fold(recs, notify=False)

    def _load_projection(
        self, snap_path: Path, gen: int, meta: dict[str, Any], tables: dict[str, list[Any]]
    ) -> None:
        """Start the state from a current snapshot and its cold file (nothing else read)."""
        try:
            incidents = tables["incidents"]
            index = meta["cold"]
            offsets = index["offsets"]
            if not isinstance(incidents, list) or not isinstance(offsets, list):
                raise TypeError
        except (KeyError, TypeError):
            raise StoreError(
                f"{snap_path}: not a snapshot this version wrote (no incidents or event index); left untouched"
            ) from None
        cold_path = self.path / str(index.get("file", cold_name(gen)))
        try:
            cold = ColdFile(cold_path, incidents, offsets, gen, CURRENT_SCHEMA)
        except FileNotFoundError:
            if self._snapshot_signature() != self._snap_sig:
                raise _SnapshotMoved from None
            raise StoreError(
                f"{snap_path}: its event file {cold_path.name} is missing; left untouched"
            ) from None
        except (ColdFileError, OSError, TypeError, ValueError) as exc:
            if self._snapshot_signature() != self._snap_sig:
                raise _SnapshotMoved from None
            raise StoreError(
                f"{exc}" if isinstance(exc, ColdFileError) else f"{cold_path}: {exc}"
            ) from None
        self.bytes_read += cold.header_bytes
        self._cold = cold
        store_events = tables.get("store_events", [])
        alerts = tables.get("alerts") or [None]
        try:
            self.state.load_projection(
                incidents,
                int(meta.get("last_number", 0)),
                store_events,
                alerts[0],
                cold,
                # a row read later and found damaged names this file, like any other
                lambda what: StoreError(f"{snap_path}: {what}; left untouched"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"{snap_path}: cannot be read ({exc!r}); left untouched") from None
        # the outbox as parsed: these rows are the records (no copies)
        self.intents = {r["id"]: r for r in tables.get("intents", [])}
        self.deliveries = {(r["intent"], r["provider"]): r for r in tables.get("deliveries", [])}
        self.records = int(meta.get("records", 0))

    def _migrate(
        self, jpath: Path, schema: int, header: dict[str, Any], result: jr.ReadResult
    ) -> None:
        """Rewrite an old journal in the current shape, keeping the original as a backup."""
        with self._locked():
            batches = [migrate_records(recs, schema) for recs in result.batches]
            _backup(jpath, schema)
            tmp = jpath.with_name(jpath.name + ".migrating")
            head = jr.header_line(
                CURRENT_SCHEMA,
                header.get("kind", self.kind),
                header.get("created_at", ""),
                unique_ids=False,  # its lines were written before writers dropped repeats
            )
            jr.create(tmp, head)
            jr.append(tmp, len(head), batches) if batches else None
            os.replace(tmp, jpath)
            jr.fsync_dir(self.path)

    def _migrate_snapshot(self, meta: dict[str, Any], tables: dict[str, list[Any]]) -> None:
        """Bring a store whose snapshot an older version wrote to the current layout.

        The old snapshot and journal are kept as backups (`<name>.schemaN.bak`, hard
        links, so no copy of the history); the store is folded from them event by event
        (the slow, certain way) and compacted into the current layout.
        """
        snap_path = self.path / SNAPSHOT
        with self._locked():
            if self._snapshot_signature() != self._snap_sig:
                return  # another process migrated (or compacted) it meanwhile
            schema = int(meta.get("schema", 1))
            gen = int(meta.get("next_gen", 1))
            jpath = self._journal_path(gen)
            header = jr.read_header(jpath) if jpath.exists() else None
            jschema = header.get("schema") if header else CURRENT_SCHEMA
            if jpath.exists() and (
                header is None or not isinstance(jschema, int) or jschema > CURRENT_SCHEMA
            ):
                raise StoreError(f"{jpath}: not a journal this version can read; left untouched")
            batches: list[list[dict[str, Any]]] = []
            if header is not None:
                with jpath.open("rb") as fh:
                    first = fh.readline()
                try:
                    batches = jr.read_from(jpath, len(first), 2).batches
                except jr.JournalDamaged as exc:
                    raise StoreError(f"{exc}; left untouched") from None
            _backup(snap_path, schema)
            if header is not None:
                _backup(jpath, jschema)
            try:
                events = migrate_records(
                    [{"t": "event", **r} for r in tables.get("events", [])], schema
                )
                self._fold(events, notify=False)
                self._fold([{"t": "intent", **r} for r in tables.get("intents", [])], False)
                self._fold([{"t": "delivery", **r} for r in tables.get("deliveries", [])], False)
                for recs in batches:
                    self._fold(migrate_records(recs, jschema), notify=False)
            except (KeyError, TypeError, ValueError) as exc:
                raise StoreError(f"{snap_path}: cannot be read ({exc!r}); left untouched") from None
            self.kind = meta.get("kind", self.kind)
            self._gen = gen
            self._compact_locked()

    # -- folding ---------------------------------------------------------------------

    def _fold(
        self,
        records: list[dict[str, Any]],
        notify: bool = True,
        events: list[Event] | None = None,
    ) -> None:
        """Fold stored records; `events` are the Events the first records were made from.

        A write folds its own Events as they are instead of parsing back the records it
        has just made from them, unless an instant is not in UTC (the stored form is).
        """
        state, intents, deliveries = self.state, self.intents, self.deliveries
        for i, rec in enumerate(records):
            t = rec.get("t")
            if t == "event":
                ev = events[i] if events is not None and i < len(events) else None
                state.apply(
                    ev if ev is not None and ev.at.tzinfo is UTC else Event.from_record(rec)
                )
            elif t == "intent":
                body = dict(rec)  # a copy less its tag: cheaper than a comprehension
                del body["t"]
                intents[body["id"]] = body
            elif t == "delivery":
                body = dict(rec)
                del body["t"]
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
        app = self._appender
        if app is not None and self._appender_gen == self._gen and self._offset:
            # the usual case for a writer: nobody else wrote (or compacted) since its last
            # write. Only a writer with its journal open (reopened only by a write, under
            # the lock) takes this path: a look without the lock (refresh) may count a
            # write not made yet, and closes the journal below so the next look reads
            # again. With the counter mapped, its count says so alone: every writer counts
            # its write before it makes it, and a compaction counts itself before it
            # replaces the journal, so an unchanged count leaves the journal as this
            # process last saw it, `_size_known` bytes long (no system call at all)
            counter = self._counter
            if counter is not None and self._lock_pid == _PID:
                if (
                    self._size_known >= 0
                    and self._writes_seen >= 0
                    and self._writes_counted() == self._writes_seen
                ):
                    # a write under this same lock needs no second look at the file
                    self._clean_to = self._size_known
                    return False
            else:
                # one fstat of the journal it appends to, and the counter read from the
                # lock file (or a look at the journal and the snapshot, without one)
                st = os.fstat(app.fd)
                if st.st_nlink and st.st_size == self._size_known and self._quiet_since(app.fd):
                    self._clean_to = st.st_size
                    return False
        self._close_journal_fd()  # from here on the journal may be another file
        if not self.path.is_dir():
            return False
        self._writes_seen = self._writes_counted()  # before reading what they wrote
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
        if size == self._size_known and not _written_at(jpath, self._offset):
            self._clean_to = size  # only space allocated ahead: nobody wrote since
            return False
        try:
            result = jr.read_from(jpath, self._offset, self._line)
        except jr.JournalDamaged as exc:
            raise StoreError(f"{exc}; left untouched") from None
        self._clean_to = self._size_known = -1 if result.torn else result.size
        self._offset, self._line = result.end, self._line + result.lines
        for recs in result.batches:
            self._fold(recs)
        return bool(result.batches)

    # -- writing ---------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self._acquire()
        try:
            yield
        finally:
            self._release()

    def _acquire(self) -> None:
        """Take the write lock: this process's threads, then other processes (flock)."""
        self._thread_lock.acquire()
        try:
            if self._lock_depth:  # already held by this thread (flock is per open file)
                self._lock_depth += 1
                return
            if self._lock_fd is None or self._lock_pid != _PID:
                self._lock_fd = os.open(self.path / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
                self._lock_pid = _PID
                self._counter = None
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
                self._counter = _map_counter(self._lock_fd)
            else:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            self._lock_depth = 1
        except BaseException:
            self._thread_lock.release()
            raise

    def _release(self) -> None:
        try:
            self._lock_depth -= 1
            if not self._lock_depth:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def _quiet_since(self, fd: int) -> bool:
        """Nobody wrote or compacted since this process last looked: the lock file's write
        counter is as it was (a direct write leaves no page to look at cheaply), or where
        there is no counter to read, a zero where the next line goes and the same snapshot."""
        if self._lock_fd is not None and self._lock_pid == _PID:
            return self._writes_seen >= 0 and self._writes_counted() == self._writes_seen
        return jr.nothing_after(fd, self._offset) and (
            # no snapshot then, none now: os.access says so without an exception
            not os.access(self._snap_file, os.F_OK)
            if self._snap_sig is None
            else self._snapshot_signature() == self._snap_sig
        )

    def _writes_counted(self) -> int:
        """The write counter in the lock file (-1: none to read). Not durable, and need not
        be: it tells live processes that the journal changed; a new one reads it whole."""
        fd = self._lock_fd
        if fd is None or self._lock_pid != _PID:
            return -1
        counter = self._counter
        if counter is not None:
            return int.from_bytes(counter[:8], "little")
        return int.from_bytes(os.pread(fd, 8, 0), "little")

    def _count_a_write(self) -> None:
        """Under the write lock, after a refresh (which saw the counter): count one more.

        Before the write: a writer that dies in the middle of it has changed the count, so
        the next one reads what it left (and cuts a torn line) instead of writing past it.
        """
        seen = self._writes_seen if self._writes_seen >= 0 else self._writes_counted()
        n = max(seen, 0) + 1
        if self._counter is not None:
            self._counter[:8] = n.to_bytes(8, "little")
        else:
            os.pwrite(self._lock_fd, n.to_bytes(8, "little"), 0)
        self._writes_seen = n

    def _journal_for_append(self) -> Appender:
        """The current journal, open for writing (opened once per generation)."""
        if self._appender is None or self._appender_gen != self._gen:
            self._close_journal_fd()
            self._appender = Appender(self._journal_path(self._gen))
            self._appender_gen = self._gen
        return self._appender

    def _close_journal_fd(self) -> None:
        if self._appender is not None:
            app, self._appender = self._appender, None
            app.close()

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
        self._acquire()  # not `with self._locked()`: a generator per write costs more
        folded = False
        try:
            self._clean_to = -1
            self._refresh_locked()
            if self._offset == 0:
                self._ensure_journal()
            results = []
            batches: list[list[dict[str, Any]]] = []
            for fn in fns:
                result = fn(self.state)
                events = getattr(result, "events", ())
                if events:
                    events = _unseen(self.state.event_ids, events)
                recs = _records(
                    events,
                    getattr(result, "intents", ()),
                    getattr(result, "deliveries", ()),
                )
                if recs:
                    # fold now so the next function in the group sees this one's effects
                    self._fold(recs, notify=False, events=events)
                    folded = True
                    batches.append(recs)
                results.append(result)
            if batches:
                offset = self._offset
                app = self._journal_for_append()
                self._count_a_write()
                self._offset, self._size_known = app.append(offset, batches, self._clean_to)
                self._clean_to = -1
                self._line += len(batches)
                if self._listeners:
                    for recs in batches:
                        for listener in list(self._listeners):
                            listener(recs)
            return results
        except BaseException:
            if folded:
                # a later function or the append failed: nothing of this group is durable,
                # so the state goes back to what the files hold
                self._close_journal_fd()
                self._load()
            raise
        finally:
            self._release()

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
        self._size_known = -1 if result.torn else result.size
        for recs in result.batches:
            self._fold(recs)

    def compact(self) -> None:
        """Fold the journal into a snapshot and a new event file; start an empty journal.

        Off the hot path (a worker, or at close), never inside a command's write. Costs
        the history's bytes, not its events: a timeline nobody read since the last
        compaction is copied from the old event file as it is, unparsed.
        """
        if self.read_only:
            return
        with self._locked():
            self._refresh_locked()
            self._compact_locked()

    def _compact_locked(self) -> None:
        from console.domain.clock import RealClock, iso

        # other writers see a compaction by the write counter, as they see a write
        self._writes_seen = self._writes_counted()
        self._count_a_write()
        state = self.state
        old_journal = self._journal_path(self._gen)
        new_gen = self._gen + 1
        incident_ids = list(state.incidents.keys())
        timelines = state.timelines
        with timelines.lock:
            lines = self._timeline_lines(incident_ids)
        lines.append(dumps_line([event_to_row(e, with_incident=True) for e in state.orphans()]))
        lines.append(dumps_line(state.log_ids()))
        cold_path = self.path / cold_name(new_gen)
        offsets = write_cold(cold_path, cold_header(CURRENT_SCHEMA, self.kind, new_gen), lines)
        del lines
        write_snapshot(
            self.path / SNAPSHOT,
            {
                "schema": CURRENT_SCHEMA,
                "kind": self.kind,
                "next_gen": new_gen,
                "records": self.records,
                "last_number": state.last_number,
                "cold": {"file": cold_path.name, "offsets": offsets},
            },
            {
                "incidents": state.incident_rows(),
                "store_events": [e.to_record() for e in state.store_events],
                "alerts": [state.alerts.to_row(iso_precise)],
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
        for old in (old_journal, self.path / cold_name(self._gen)):
            old.unlink(missing_ok=True)
        jr.fsync_dir(self.path)
        self._gen = new_gen
        self._size_known = -1
        with self._journal_path(new_gen).open("rb") as fh:
            self._offset, self._line = len(fh.readline()), 2
        # this state keeps reading the old event file (still open, though unlinked); the
        # next compaction copies from it as this one did

    def _timeline_lines(self, incident_ids: list[str]) -> list[bytes]:
        """One line per incident: unread timelines copied from the current cold file."""
        timelines = self.state.timelines
        raw = getattr(timelines, "raw", {})
        cold = self._cold
        old = cold.read_all() if cold is not None and raw else b""
        lines = []
        for inc_id in incident_ids:
            line = raw.get(inc_id) if cold is not None else None
            if line is not None:  # unread since the load: its bytes as they are
                start, end = cold.span(line)
                lines.append(old[start:end])
            else:
                lines.append(dumps_line([event_to_row(e) for e in timelines.get(inc_id) or ()]))
        return lines

    @property
    def journal_records(self) -> int:
        return self._line - 2

    def close(self) -> None:
        """Let go of listeners and open files (a later write opens them again)."""
        self._listeners.clear()
        with self._thread_lock:
            self._close_journal_fd()
            if self._lock_fd is not None and not self._lock_depth:
                fd, self._lock_fd = self._lock_fd, None
                counter, self._counter = self._counter, None
                if counter is not None:
                    counter.close()
                os.close(fd)


def _map_counter(fd: int) -> mmap.mmap | None:
    """The lock file's eight-byte write counter mapped shared, under the write lock: each
    write then reads and bumps it in memory (the same page cache pread and pwrite see),
    not by two system calls, the pwrite of which also stamps the file's times. None
    where it cannot be mapped: the counter is then read and written by pread/pwrite."""
    try:
        size = os.fstat(fd).st_size
        if size < 8:
            # little-endian: the zeros added leave the count as pread reads it (an empty
            # lock file counts 0)
            os.pwrite(fd, bytes(8 - size), size)
        return mmap.mmap(fd, 8)
    except (OSError, ValueError):
        return None


def _written_at(path: Path, offset: int) -> bool:
    """True when the journal holds a byte other than zero at `offset` (a new line, or the
    start of one). One small read: not the space allocated ahead of the lines."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        return not jr.nothing_after(fd, offset)
    finally:
        os.close(fd)


# this process's id, kept up to date across fork: a write asks it several times, and
# os.getpid() is a system call each time
_PID = os.getpid()


def _forked() -> None:
    global _PID
    _PID = os.getpid()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forked)


class _SnapshotMoved(Exception):
    """The snapshot changed while it was being read (another process compacted)."""


def _backup(path: Path, schema: int) -> None:
    """Keep `path` as `<name>.schemaN.bak` (a hard link: the bytes are not copied)."""
    backup = path.with_name(path.name + f".schema{schema}.bak")
    if not backup.exists():
        os.link(path, backup)
