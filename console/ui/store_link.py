"""The screen's one door to the store: run command lines, pick up other writers, snapshot.

Only worker threads call it, and every call holds `lock`, so the live `State` is never
read while this process folds into it. The UI thread sees `Snapshot`s only, and reads
from one no stored timeline (`Snapshot.timeline_in_memory`): workers read them
(`read_timeline`). The one snapshot the UI thread makes, the first of a store open
already, reads nothing from the disk (`snapshot(read_cold=False)`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from console.domain.text import inert
from console.store.errors import StoreError
from console.ui.view_model import (
    IncidentRow,
    Snapshot,
    component_rows,
    public_rows,
    rows_of,
    timeline_unread,
)

if TYPE_CHECKING:
    from console.commands.apply import Outcome

# The command language and the outbox's accounting are imported when first used (in a
# worker), not at start: the first paint does not wait for what it does not show.

TERMINAL_DELIVERY = {"sent", "superseded", "failed"}
# how far ahead an escalation counts as "about to fire" for the list's marker
ESCALATION_SOON_SECONDS = 5 * 60
# the outlook is computed for at most this many triggered incidents (oldest storms aside,
# only the first screenfuls matter for a marker)
ESCALATION_SCAN_LIMIT = 200


@dataclass(frozen=True)
class Attention:
    """Something that should ring the bell: a new high-urgency/SEV1 incident, or an
    escalation that fired on its own."""

    incident: str
    why: str


class StoreLink:
    """Holds the store, the settings and the clock (and a drill session, in a drill).

    The store is either open already (tests, a drill, `--listen`) or still opening in a
    background thread (`opening`: console.cli.context.StoreOpening), so the screen paints
    while the store is read. Until it is open, `ready` is False and the UI thread shows
    `loading_snapshot()`; worker threads that touch `store` wait for it.
    """

    def __init__(
        self, store, settings, clock, *, drill=None, read_only: bool = False, opening=None
    ) -> None:
        self._store = None
        self._opening = opening
        self.open_error: Exception | None = None
        # the last damage a read of the store found (a stored timeline that cannot be
        # read); the screen says it, naming the file, and carries on without that part
        self.damage = ""
        self.settings = settings
        self.clock = clock
        self.drill = drill
        self.read_only = read_only
        self.lock = threading.RLock()
        self.provider_names: list[str] = []  # set by the live console's sync worker
        self._shown_providers: tuple = ()  # the providers' words of the last snapshot
        self._rows: dict[str, IncidentRow] = {}
        self._sorted: tuple[IncidentRow, ...] = ()
        self._public: tuple[IncidentRow, ...] = ()  # public_rows(self._sorted)
        self._public_of: tuple[IncidentRow, ...] | None = None
        self._dirty: set[str] | None = None  # None: rebuild everything
        self._pending: set[str] | None = None
        self._seen_version = -1
        self._own_write = False
        self._saw_records = False
        self._attention: list[Attention] = []
        self._drafts: list[tuple[str, str | None, str]] = []
        self._resolved_elsewhere: list[str] = []
        self._soon: dict[str, Any] = {}
        self._soon_checked_at: float | None = None
        self._windows_cache: tuple | None = None
        if store is not None:
            self._adopt(store)

    def _adopt(self, store) -> None:
        self._store = store
        self.read_only = self.read_only or bool(getattr(store, "read_only", False))
        store.on_change(self._on_records)

    @property
    def ready(self) -> bool:
        """Whether the store is open: reading `store` neither waits nor raises."""
        return self._store is not None or self._opening is None or self._opening.succeeded()

    @property
    def store(self):
        """The open store; in a worker thread, waits for it to finish opening (raises
        what opening it raised, e.g. a CliError naming an unreadable store)."""
        if self._store is None:
            store = self._opening.wait()  # raises the opening's error
            with self.lock:
                if self._store is None:
                    self._adopt(store)
        return self._store

    def loading_snapshot(self) -> Snapshot:
        """What the screen shows while the store is still opening."""
        return Snapshot(version=-1, kind=self.kind, read_only=self.read_only, loading=True)

    @property
    def kind(self) -> str:
        # never waits for the store: "live" until it says otherwise
        return "drill" if self.drill is not None else getattr(self._store, "kind", "live")

    # -- what changed ------------------------------------------------------------------

    def _on_records(self, records: list[dict[str, Any]]) -> None:
        """Called (in the writing or refreshing thread, under `lock`) with new records."""
        self._saw_records = True
        for rec in records:
            t = rec.get("t")
            if t == "event":
                inc = rec.get("incident")
                if inc and self._dirty is not None:
                    self._dirty.add(inc)
                if inc and not self._own_write:
                    self._notice(rec)
                    if rec.get("kind") == "resolved":
                        # resolved by intake, a provider or another process: this
                        # screen writes the postmortem draft (run_line's resolves write
                        # their own)
                        self._resolved_elsewhere.append(inc)
            elif t == "intent" and self._pending is not None:
                self._pending.add(rec["id"])
            elif (
                t == "delivery"
                and self._pending is not None
                and rec.get("state") in TERMINAL_DELIVERY
            ):
                self._pending.discard(rec.get("intent"))

    def _notice(self, rec: dict[str, Any]) -> None:
        kind, data = rec.get("kind"), rec.get("data") or {}
        inc = rec["incident"]
        if kind == "opened" and (
            data.get("urgency", "high") == "high" or data.get("severity") == 1
        ):
            self._attention.append(Attention(inc, "new high-urgency incident"))
        elif kind == "declared" and data.get("severity") == 1:
            self._attention.append(Attention(inc, "declared SEV1"))
        elif kind == "severity_changed" and data.get("severity") == 1:
            self._attention.append(Attention(inc, "now SEV1"))
        elif kind == "escalated" and not data.get("first"):
            # the first page comes with the opening, which rang already if it was urgent
            self._attention.append(Attention(inc, "escalation fired"))

    def transact_many(self, fns):
        """The store's group commit under this link's lock: the door the TUI's alert
        receiver (`--listen`) writes through, so snapshots never see a half fold."""
        with self.lock:
            return self.store.transact_many(fns)

    def take_attention(self) -> list[Attention]:
        with self.lock:
            out, self._attention = self._attention, []
            return out

    # -- doing -------------------------------------------------------------------------

    def poll(self) -> bool:
        """A drill's tick, then other processes' writes. True if anything changed."""
        with self.lock:
            if self.drill is not None and not getattr(self.drill, "finished", False):
                self.drill.tick()
            self.store.refresh()
            if self.store.version != self._seen_version:
                return True
            # a drill's fakes' words move with the simulated clock (a back-off counting
            # down) even when nothing is written: a new snapshot then, not a frozen "189s"
            return self.drill is not None and self._drill_providers() != self._shown_providers

    def run_line(self, line: str, selected: str | None) -> Outcome:
        """Parse and apply one command line (raises ParseError or Refused)."""
        from console.actions import execute
        from console.commands.grammar import parse

        with self.lock:
            self._own_write = True
            try:
                if self.drill is not None:
                    # the drill's own door: simulated time, and its outbox drained to the fakes
                    return self.drill.execute(line, selected)
                return execute(
                    self.store,
                    parse(line),
                    self.settings,
                    self.clock,
                    origin="local",
                    selected=selected,
                    postmortem_done=self._drafted,
                )
            finally:
                self._own_write = False

    def _drafted(self, incident: str, path, message: str) -> None:
        # a resolve wrote (or failed to write) the postmortem draft, in this worker thread
        self._drafts.append((incident, str(path) if path else None, message))

    def write_drafts_for_others(self) -> list[tuple[str, str | None, str]]:
        """Write the postmortem drafts of incidents resolved elsewhere since the last call
        (intake's auto-resolve, a provider's news, another console): (incident, path or
        None, message) each. Rendered under the lock, written outside it."""
        from console.postmortem_file import (
            PostmortemWriteError,
            atomic_write,
            default_path,
            free_path,
            render_for_store,
            with_marker,
        )

        with self.lock:
            wanted, self._resolved_elsewhere = self._resolved_elsewhere, []
            if self.read_only or self.drill is not None:
                return []  # a read-only screen writes nothing; a drill keeps its own report
            drafts = []
            for inc in dict.fromkeys(wanted):
                found = self.store.state.get(inc)
                if found is not None and not found.is_open:
                    text = render_for_store(self.store, inc, self.settings, self.clock)
                    drafts.append((inc, with_marker(text)))
        out: list[tuple[str, str | None, str]] = []
        for inc, text in drafts:
            try:
                path = free_path(default_path(self.store.path, inc))
                atomic_write(path, text)
            except PostmortemWriteError as exc:
                out.append((inc, None, str(exc)))
            else:
                out.append((inc, str(path), f"postmortem draft written to {path}"))
        return out

    def take_drafts(self) -> list[tuple[str, str | None, str]]:
        """Postmortem drafts written since the last call: (incident, path or None, message)."""
        with self.lock:
            out, self._drafts = self._drafts, []
            return out

    # -- seeing ------------------------------------------------------------------------

    def snapshot(self, *, read_cold: bool = True) -> Snapshot:
        """A fresh immutable view (copies only incidents changed since the last one).

        With `read_cold` False it reads no stored timeline from the disk (the UI thread's
        first snapshot of a store open already): the escalations column then leaves out
        the incidents whose timelines are not read yet and the snapshot says `partial`,
        for a worker to make the whole one."""
        with self.lock:
            state = self.store.state
            reload = self._seen_version == -1 or self._dirty is None
            if not reload and self.store.version != self._seen_version and not self._saw_records:
                # the version moved with no records seen: another process compacted the
                # store and it was reloaded from the snapshot
                reload = True
            if reload:
                self._rows = rows_of(state)
                self._sorted = tuple(sorted(self._rows.values(), key=lambda r: r.order))
                self._pending = self._pending_from_store()
            elif self._dirty:
                changed = False
                for inc_id in self._dirty:
                    inc = state.incidents.get(inc_id)
                    if inc is None:
                        continue
                    row = IncidentRow.of(inc)
                    old = self._rows.get(inc_id)
                    self._rows[inc_id] = row
                    changed = changed or old is None or old.order != row.order
                if changed:
                    self._sorted = tuple(sorted(self._rows.values(), key=lambda r: r.order))
                else:
                    self._sorted = tuple(self._rows[r.id] for r in self._sorted)
            self._dirty = set()
            self._saw_records = False
            self._seen_version = self.store.version
            providers = self._providers()
            self._shown_providers = providers
            # with no provider configured the outbox only waits (the status bar says how
            # much); per incident, the timeline lists it once something could deliver it
            if providers:
                from console.domain.pending import pending_by_incident
            pending = (
                pending_by_incident(self._pending or (), self.store.intents, self.store.deliveries)
                if providers
                else {}
            )
            if self._public_of is not self._sorted:
                self._public, self._public_of = public_rows(self._sorted), self._sorted
            soon, partial = self._escalations_soon(state, read_cold)
            return Snapshot(
                version=self.store.version,
                rows=self._sorted,
                public=self._public,
                by_id=dict(self._rows),
                # the state's own mapping, not a copy: a copy would turn every stored
                # timeline into Events; read by id, one becomes Events when first shown
                timelines=state.timelines,
                components=component_rows(state, self.settings),
                windows=self._windows(state),
                pending_intents=len(self._pending or ()),
                providers=providers,
                escalations_soon=soon,
                pending=pending,
                kind=self.kind,
                read_only=self.read_only,
                partial=partial,
            )

    def _pending_from_store(self) -> set[str]:
        done = {
            intent
            for (intent, _p), d in self.store.deliveries.items()
            if d.get("state") in TERMINAL_DELIVERY
        }
        return {i for i in self.store.intents if i not in done}

    def _windows(self, state) -> tuple:
        try:
            from console.domain.intake.config import intake_config
            from console.domain.intake.maintenance import all_windows

            return tuple(all_windows(intake_config(self.settings), state))
        except ValueError:  # a bad [[maintenance]] table: the lint/ingest commands say why
            return tuple(state.maintenance)

    def _providers(self) -> tuple[tuple[str, str, str], ...]:
        # the providers the sync engine wired (credentials from the environment count too)
        if self.drill is not None:
            return self._drill_providers()
        configured = list(self.provider_names or (self.settings.raw.get("providers") or {}).keys())
        if not configured:
            return ()
        deliveries = list(self.store.deliveries.values())
        try:
            from console.sync.status import (  # type: ignore[import-not-found]
                counts_from_deliveries,
                health_from_deliveries,
                summarize,
            )
        except ImportError:
            n = len(self._pending or ())
            return tuple(
                (
                    name,
                    f"{inert(name, 20)}: {n} queued" if n else f"{inert(name, 20)}: ok",
                    "warning" if n else "good",
                )
                for name in configured
            )
        queued, held, failed = counts_from_deliveries(deliveries)
        health = health_from_deliveries(configured, deliveries)
        return tuple(
            (s.provider, inert(s.text, 60), s.level)
            for s in summarize(health, queued, held, failed, self.clock.now())
        )

    def _drill_providers(self) -> tuple[tuple[str, str, str], ...]:
        """The drill's fakes as its sync engine sees them (called under `lock`, which the
        drill's ticks hold too): a short word while all is well, else each one in trouble
        (backing off, queued, held, failed), as a live console would show it."""
        remote = getattr(self.drill, "remote", None)
        statuses = list(remote.status()) if remote is not None else []
        if not statuses:  # no sync engine in this build: the faults are only recorded
            return (("fakes", "providers: in-process fakes (drill)", "good"),)
        trouble = [s for s in statuses if s.state != "ok" or s.queued or s.held or s.failed]
        if not trouble:
            return (("fakes", "drill fakes: all ok", "good"),)
        return (("fakes", "drill fakes", "good"),) + tuple(
            (s.provider, inert(s.text, 60), s.level) for s in trouble
        )

    def _escalations_soon(self, state, read_cold: bool = True) -> tuple[dict[str, Any], bool]:
        """Triggered incidents whose next page is due within a few minutes, and whether
        some were left out (`read_cold` False and their stored timelines not read yet)."""
        if not self.settings.raw.get("policies"):
            return {}, False
        now = self.clock.now()
        now_ts = now.timestamp()
        if self._soon_checked_at is not None and abs(now_ts - self._soon_checked_at) < 15:
            return dict(self._soon), False
        from console.domain.oncall import next_pages

        soon: dict[str, Any] = {}
        left_out = False
        triggered = [r for r in self._sorted if r.status == "triggered"][:ESCALATION_SCAN_LIMIT]
        for row in triggered:
            if not read_cold and timeline_unread(state.timelines, row.id):
                left_out = True  # read from the disk by a worker's snapshot, not here
                continue
            inc = state.incidents.get(row.id)
            try:
                pages = next_pages(self.settings, inc, now, state.timeline(row.id))
            except ValueError:
                continue
            except StoreError as exc:  # its stored timeline is damaged: said, not paged
                self.damage = inert(str(exc), 300)
                continue
            if pages and 0 <= (pages[0].at - now).total_seconds() <= ESCALATION_SOON_SECONDS:
                soon[row.id] = pages[0].at
        if not left_out:  # a partial answer is not kept: the next snapshot works it out
            self._soon, self._soon_checked_at = soon, now_ts
        return dict(soon), left_out

    def read_timeline(self, snapshot: Snapshot, inc_id: str) -> str:
        """(worker threads) Bring one incident's stored timeline into memory: "" once it
        is there, else the damage found, naming the file (the entry stays unread).

        Not under `lock`: the timelines mapping builds each entry under its own lock, so
        a read ahead of the cursor never waits behind a command's durable write."""
        try:
            snapshot.timelines.get(inc_id)
        except StoreError as exc:
            return inert(str(exc), 300)
        except OSError as exc:  # the disk under the open event file failed
            return inert(f"{inc_id}'s stored timeline cannot be read: {exc.strerror}", 300)
        except Exception as exc:  # said, rather than a pane left "loading" for good
            return inert(f"{inc_id}'s stored timeline cannot be read: {exc}", 300)
        return ""
