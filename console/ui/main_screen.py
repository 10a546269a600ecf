"""The console's one screen: four panes, the status bar, the message and command lines.

Keys become command lines of the command language, run in thread workers through
console.actions (via StoreLink); results come back as messages. The UI thread renders
snapshots and never touches the store.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Container
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from console import gc_pause
from console.domain.stale import status_bar_text
from console.domain.text import inert
from console.store.errors import StoreError
from console.ui.command_line import CommandLine
from console.ui.filtering import parse_filter
from console.ui.formatting import short_path
from console.ui.incidents_pane import IncidentsPane
from console.ui.key_bar import KeyBar
from console.ui.keymap import INCIDENT_ACTIONS, WRITE_ACTIONS, bindings
from console.ui.messages import (
    AttentionNeeded,
    CommandDone,
    CommandFailed,
    DraftWritten,
    OnCallReady,
    OutlookReady,
    SnapshotReady,
    TimelineRead,
)
from console.ui.oncall_pane import OnCallPane
from console.ui.prepare_ahead import PrepareAhead
from console.ui.read_ahead import to_read
from console.ui.status_bar import StatusBar
from console.ui.status_pane import StatusPane
from console.ui.store_link import StoreLink
from console.ui.timeline_pane import TimelinePane

if TYPE_CHECKING:
    from console.ui import forms

# The modal screens (forms with Select and Input, confirmations, help) are imported when
# first opened, not at start: the first paint does not wait for what it does not show.

PANES = ("incidents", "timeline", "oncall", "status")
TITLES = {"incidents": "Incidents", "timeline": "Timeline", "oncall": "On call", "status": "Status"}
WIDE = 120  # columns from which the four panes sit side by side in two columns
POLL_SECONDS = 0.25  # a drill ticks ~4 times a second; other writers show within a second
SPEEDS = (1, 10, 60)
GC_HOLD_LIMIT_SECONDS = 30.0
# escalation timers and the outbox start this long after the first complete screen
BACKGROUND_AFTER_SECONDS = 1.0
# the Timeline pane while a worker reads the selected incident's stored timeline
LOADING = "loading timeline…"
UNREADABLE = "This timeline cannot be read: the message line says why."


class MainScreen(Screen):
    """Incidents, Timeline, On call, Status; a status bar; ':' and '/' lines; a footer."""

    BINDINGS = bindings()

    DEFAULT_CSS = """
    MainScreen { layout: vertical; }
    #panes { height: 1fr; layout: vertical; }
    #panes > .pane { border: round $panel-lighten-2; border-title-color: $text-muted; padding: 0 0; }
    #panes > .pane:focus { border: round $primary; border-title-color: $primary; border-title-style: bold; }
    #panes.-narrow > #incidents { height: 45%; }
    #panes.-narrow > .lower { height: 1fr; display: none; }
    #panes.-narrow > .lower.-shown { display: block; }
    #panes.-wide { layout: grid; grid-size: 2 2; grid-columns: 3fr 2fr; grid-rows: 1fr 1fr; }
    #bottom { dock: bottom; height: auto; }
    #bottom > KeyBar { dock: none; }
    #message { height: 1; padding: 0 1; color: $text-muted; }
    #message.-error { color: $error; text-style: bold; }
    #message.-ok { color: $success; }
    """

    lower: reactive[str] = reactive("timeline")
    """Which of timeline/oncall/status fills the lower half on a narrow terminal."""

    def __init__(self, link: StoreLink, *, bell: bool = True, ticking: bool = True) -> None:
        super().__init__()
        self.link = link
        self.bell = bell
        self.ticking = ticking
        # a store still opening in the background is not waited for: the screen paints
        # with a loading snapshot and a worker brings the first real one
        self._first_error: StoreError | None = None
        try:
            # built here, on the UI thread, from what is in memory: no stored timeline is
            # read (a worker makes the whole snapshot if escalations needed one)
            self.snapshot = (
                link.snapshot(read_cold=False) if link.ready else link.loading_snapshot()
            )
        except StoreError as exc:  # a damaged row read for the first screen: on_mount ends
            self._first_error = exc
            self.snapshot = link.loading_snapshot()
        self._timeline_problem = ""  # the last damaged timeline said (said once, not per tick)
        # stored timelines a worker found damaged (incident: the damage), for the
        # snapshots' mapping `_unreadable_of`: not read again at every move
        self._unreadable: dict[str, str] = {}
        self._unreadable_of = None
        self._read_request = 0  # the latest read_timelines request (older ones stop)
        self.selected: str | None = None
        self._stop = threading.Event()
        self._filter_text = ""
        self._typed: str | None = None
        # the On-call pane: who is on call (recomputed off-thread every 30 s), and who the
        # triggered incidents page next (off-thread, again when their row or minute moves)
        self._oncall_rows: list | None = None  # None: not worked out yet
        self._oncall_problem = ""
        self._outlooks: dict[str, tuple] = {}  # incident: (row, minute, outlook)
        self._start_done = False
        self._ahead = PrepareAhead(
            self.call_next,
            lambda: (len(self.incidents.rows), self.incidents.cursor),
            self._prepare_row,
        )

    # -- building --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar(self.link.clock, ticking=self.ticking)
        # laid out for the terminal's size from the start: switching on the first resize
        # would style, lay out and paint the whole screen twice
        with Container(id="panes", classes="-wide" if self._is_wide(self.app.size) else "-narrow"):
            yield IncidentsPane(id="incidents").add_class("pane")
            # DOM order fits the wide grid: incidents | on call / timeline | status
            yield OnCallPane(id="oncall").add_class("pane", "lower")
            yield TimelinePane(id="timeline").add_class("pane", "lower", "-shown")
            yield StatusPane(id="status").add_class("pane", "lower")
        with Container(id="bottom"):
            yield Static("", id="message")
            line = CommandLine()
            line.cursor_blink = self.ticking  # snapshots hold still
            yield line
            yield KeyBar()

    def on_mount(self) -> None:
        for name in PANES:
            self.pane(name).set_border_title(TITLES[name])
        self.incidents.stale_minutes = self.link.settings.stale_minutes
        # a cursor move updates the panes that follow the selection in the same frame
        # (the Selected message would come a frame later); Selected still covers new
        # snapshots and filters moving the selection
        self.watch(self.incidents, "cursor", self._follow_cursor, init=False)
        if self._first_error is not None:
            # as a store that failed to open: the console ends and run_app reports it
            self.link.open_error = self._first_error
            self.app.exit(None, 2)
            return
        self.apply_snapshot(self.snapshot)
        if self.snapshot.loading:
            self.first_snapshot()
            # collection resumes even if the store takes long to open
            self.set_timer(GC_HOLD_LIMIT_SECONDS, gc_pause.release)
        else:
            self._started()
            if self.snapshot.partial:
                self.whole_snapshot()
        self.incidents.focus()
        self.request_oncall()
        if self.ticking:
            self.set_interval(1.0, self.tick)
            self.set_interval(30.0, self.request_oncall)
            self.feed()
        if self.link.drill is not None:
            title = inert(getattr(self.link.drill.scenario, "title", "a drill"), 80)
            first = (
                f"DRILL (no provider configured, nothing leaves this machine): {title}. "
                "p pause, > < speed, . step, ? help"
            )
        else:
            first = "? help  : command  / filter  tab next pane  q quit"
            listening = getattr(self.app, "listening", None)
            if listening:
                first = f"receiving alerts on {listening}  ·  " + first
        if not self._timeline_problem:  # a damaged store's message stays in sight
            self.say(first)

    def _started(self) -> None:
        """The first snapshot of the store is shown: what waited for it may start."""
        if self._start_done:
            return
        self._start_done = True
        # the start-up objects are made: collect again from the first frame on, without
        # ever walking them (console.gc_pause)
        self.call_after_refresh(gc_pause.release, freeze=True)
        start_background = getattr(self.app, "start_background", None)
        if start_background is not None:
            self.set_timer(BACKGROUND_AFTER_SECONDS, start_background)

    # each worker names itself: without a description Textual's @work builds one from the
    # repr of every argument, on the UI thread, and a snapshot's repr at 10,000 incidents
    # took 20-60 ms (the worst cursor moves of bench_screen)
    @work(thread=True, exit_on_error=False, group="open", description="first_snapshot")
    def first_snapshot(self) -> None:
        """The store opening in the background: its first snapshot, or the console ends
        with the reason (run_app reports it as it would a store that failed at once)."""
        try:
            snap = self.link.snapshot()
        except Exception as exc:
            self.link.open_error = exc
            self.app.call_from_thread(self.app.exit, None, 2)
            return
        if snap.rows:
            # the first row is selected first: its timeline comes with the rows, not a
            # frame later (the rest is read ahead once they are shown)
            self.link.read_timeline(snap, snap.rows[0].id)
        self.post_message(SnapshotReady(snap))

    @work(thread=True, exit_on_error=False, group="open", description="whole_snapshot")
    def whole_snapshot(self) -> None:
        """The first snapshot, made on the UI thread, left out escalations whose stored
        timelines were not read: the whole one, read here."""
        try:
            self.post_message(SnapshotReady(self.link.snapshot()))
        except Exception as exc:  # keep the screen alive; say what broke
            self.post_message(CommandFailed("(store)", inert(str(exc), 300)))

    # described here: unless told, Textual describes a worker by the repr of its
    # arguments, and a snapshot of 10k incidents took 0.1 s of the UI thread to format
    @work(thread=True, exit_on_error=False, group="timelines", description="read_timelines")
    def read_timelines(self, snapshot, ids: list[str], request: int) -> None:
        """Read these incidents' stored timelines into memory, `ids[0]` first (the
        selected one, when it was not read yet). A newer request ends this one before its
        next read (a count, not the worker's cancel: a cancelled worker fails whoever
        waits for the workers to finish)."""
        for inc in ids:
            if request != self._read_request:
                return
            problem = self.link.read_timeline(snapshot, inc)
            # the selected one said too, not only ids[0]: the cursor may have reached
            # this row while it was read, and a newer read-ahead then leaves it out (the
            # selection is set before the pane looks, so one of the two sees it)
            if problem or inc == ids[0] or inc == self.selected:
                self.post_message(TimelineRead(inc, snapshot.timelines, problem))

    def on_unmount(self) -> None:
        self._ahead.cancel()
        self.stop_feed()

    def stop_feed(self) -> None:
        """End the poller at its next wake-up."""
        self._stop.set()

    @staticmethod
    def _is_wide(size) -> bool:
        return size.width >= WIDE and size.height >= 30

    def on_resize(self, event) -> None:
        wide = self._is_wide(event.size)
        panes = self.query_one("#panes")
        panes.set_class(wide, "-wide")
        panes.set_class(not wide, "-narrow")
        self._subtitles()

    # the panes a cursor move updates, found once (a query walks the DOM every time)
    @cached_property
    def incidents(self) -> IncidentsPane:
        return self.query_one(IncidentsPane)

    def pane(self, name: str):
        return self.query_one(f"#{name}")

    # -- the feed (worker thread) ----------------------------------------------------

    @work(thread=True, exit_on_error=False, group="feed", description="feed")
    def feed(self) -> None:
        """Drill ticks and other processes' writes, ~4 times a second."""
        while not self._stop.is_set():
            try:
                changed = self.link.poll()
                if changed:
                    self.post_message(SnapshotReady(self.link.snapshot()))
                items = self.link.take_attention()
                if items:
                    self.post_message(AttentionNeeded(items))
                for incident, path, message in self.link.write_drafts_for_others():
                    self.post_message(DraftWritten(incident, path, message))
                self._report_when_drill_ends()
            except Exception as exc:  # keep the screen alive; say what broke
                self.post_message(CommandFailed("(store refresh)", inert(str(exc), 200)))
            self._stop.wait(POLL_SECONDS)

    @work(thread=True, exit_on_error=False, group="commands", description="run_line")
    def run_line(self, line: str) -> None:
        """Apply one command line; the answer comes back as a message."""
        # the command language is loaded with the first command, not at start
        from console.commands.apply import Refused
        from console.commands.grammar import ParseError

        try:
            outcome = self.link.run_line(line, self.selected)
        except (ParseError, Refused) as exc:
            self.post_message(CommandFailed(line, str(exc)))
            return
        except Exception as exc:  # a store that cannot be written: say so, keep running
            self.post_message(CommandFailed(line, f"not saved: {exc}"))
            return
        self.post_message(SnapshotReady(self.link.snapshot()))
        self.post_message(CommandDone(line, outcome.incident, len(outcome.events)))
        for incident, path, message in self.link.take_drafts():  # a resolve wrote its draft
            self.post_message(DraftWritten(incident, path, message))

    @work(
        thread=True,
        exit_on_error=False,
        group="oncall",
        exclusive=True,
        description="compute_oncall",
    )
    def compute_oncall(self) -> None:
        """Who is on call now and next (the same for every selection)."""
        from console.domain.oncall import oncall_now_next

        problem, rows = "", []
        try:
            rows = oncall_now_next(self.link.settings, self.link.clock.now())
        except ValueError as exc:  # a bad [schedules]/[policies] table: `lint` says more
            problem = str(exc)
        self.post_message(OnCallReady(rows, None, None, problem))

    @work(thread=True, exit_on_error=False, group="outlook", exclusive=True, description="outlook")
    def compute_outlook(self, row, minute: int) -> None:
        """Who a triggered incident pages next (reads the store, so off the UI thread)."""
        from console.domain.oncall import next_pages

        settings, now = self.link.settings, self.link.clock.now()
        outlook: tuple = ()
        try:
            with self.link.lock:
                inc = self.link.store.state.incidents.get(row.id)
                timeline = list(self.link.store.state.timeline(row.id)) if inc else []
        except StoreError as exc:  # a damaged stored row or timeline: say so, page nothing
            self.post_message(CommandFailed("(store)", inert(str(exc), 300)))
            return
        if inc is not None and inc.is_open and inc.status == "triggered":
            try:
                outlook = tuple(next_pages(settings, inc, now, timeline))
            except ValueError:
                outlook = ()
        self.post_message(OutlookReady(row, minute, outlook))

    def request_oncall(self) -> None:
        """Recompute who is on call (on mount, then every 30 seconds)."""
        raw = self.link.settings.raw or {}
        if not raw.get("schedules") and not raw.get("policies"):
            # nothing to work out: the pane says so in the first frame (a worker's answer
            # came after it, and filling the empty pane then repainted the whole screen)
            self._oncall_rows, self._oncall_problem = [], ""
            self._show_oncall()
            return
        self.compute_oncall()

    def _outlook(self, incident: str | None) -> tuple | None:
        """The selected incident's next pages: () when nothing can page (not triggered, no
        policies), None until first worked out off-thread. Worked out again only when the
        incident's row changed or the minute moved; the last answer shows meanwhile."""
        if incident is None or self._oncall_problem:
            return ()
        row = self.snapshot.by_id.get(incident)
        if row is None or row.status != "triggered" or not self.link.settings.raw.get("policies"):
            return ()
        minute = int(self.link.clock.now().timestamp() // 60)
        known = self._outlooks.get(incident)
        if known is None or known[0] is not row or known[1] != minute:
            self.compute_outlook(row, minute)
        return known[2] if known is not None else None

    def _show_oncall(self) -> None:
        if self._oncall_rows is None:
            return  # the pane stays empty until it can say who is on call
        incident = self.selected
        outlook = self._outlook(incident)
        users = getattr(self, "_user_labels", None)
        if users is None:
            users = self._user_labels = {u.handle: u.label for u in self.link.settings.all_users()}
        self._oncall_pane.show(
            self._oncall_rows,
            outlook,
            incident,
            self.link.clock.now(),
            lambda h: users.get(h, h),
            self._oncall_problem,
        )

    # -- messages in -----------------------------------------------------------------

    def on_snapshot_ready(self, message: SnapshotReady) -> None:
        if message.snapshot.version >= self.snapshot.version:
            self.apply_snapshot(message.snapshot)
            self._started()

    def apply_snapshot(self, snap) -> None:
        self.snapshot = snap
        self._say_damage(self.link.damage)
        now = self.link.clock.now()
        self.incidents.show(snap, now.timestamp())
        self._show_oncall()  # the selected incident may have been acknowledged
        self.query_one(StatusBar).show(
            snap.kind, snap.read_only, snap.providers, snap.pending_intents
        )
        self.query_one(StatusPane).show(snap, now, self.link.settings.stale_minutes)
        self._show_stale(now)
        self._show_timeline(now)
        line = self.query_one(CommandLine)
        line.selected = self.selected
        line.components = [c.name for c in snap.components]
        self._subtitles()
        self._refresh_keys()

    def _refresh_keys(self) -> None:
        """Re-check which keys can act, only when that can have changed: the footer
        rebuilds itself on every refresh_bindings, which a cursor move must not cost."""
        row = self._row()
        signature = (row is not None, row.is_open if row else None, self.link.read_only)
        if signature != getattr(self, "_keys_signature", None):
            self._keys_signature = signature
            self.refresh_bindings()

    def _show_stale(self, now) -> None:
        stales = self.snapshot.stale_pages(now.timestamp(), self.link.settings.stale_minutes)
        self.query_one(StatusBar).show_stale(status_bar_text(stales, short=True))

    def _show_timeline(self, now) -> None:
        """The selected incident's timeline if it is in memory; else a loading line, and a
        worker reads it (the UI thread never reads the disk)."""
        inc = self.selected
        pane = self._timeline_pane
        if inc is None:
            pane.show(None, (), now.timestamp())
        elif inc in self._unreadable:
            # its stored line is damaged: the pane says so, the message line names the
            # file; the other incidents still work
            self._say_damage(self._unreadable[inc])
            pane.show(inc, (), now.timestamp(), note=UNREADABLE)
        else:
            events = self.snapshot.timeline_in_memory(inc)
            if events is None:
                pane.show(inc, (), now.timestamp(), note=LOADING)
            else:
                pending = self.snapshot.pending.get(inc, ())
                pane.show(inc, events, now.timestamp(), pending)
        pane.set_border_title(f"Timeline {inc}" if inc else "Timeline")
        self._read_ahead()

    def _read_ahead(self) -> None:
        """Start a worker reading the stored timelines near the cursor, when some row on
        screen or within a screen of the cursor is not read yet (console.ui.read_ahead)."""
        snap = self.snapshot
        is_unread = getattr(snap.timelines, "is_unread", None)
        if is_unread is None or not snap.rows:
            return  # every timeline in memory (a store read from its journal, a drill)
        if snap.timelines is not self._unreadable_of:
            self._unreadable, self._unreadable_of = {}, snap.timelines
        unreadable = self._unreadable
        pane = self.incidents
        height = pane.size.height - 1  # the list's header aside
        if height < 1:  # not laid out yet: a screen's worth is the terminal's height
            height = self.app.size.height
        ids = to_read(
            pane.rows,
            pane.cursor,
            pane.scroll_offset.y,
            height,
            (lambda i: is_unread(i) and i not in unreadable) if unreadable else is_unread,
        )
        inc = self.selected
        if inc is not None and ids and ids[0] != inc and inc in ids:
            ids.remove(inc)
            ids.insert(0, inc)  # the one waited for first
        if ids:
            self._read_request += 1
            self.read_timelines(snap, ids, self._read_request)

    def on_timeline_read(self, message: TimelineRead) -> None:
        if message.timelines is not self.snapshot.timelines:
            return  # read into a mapping a reloaded store has replaced since
        if message.problem:
            if self._unreadable_of is not message.timelines:
                self._unreadable, self._unreadable_of = {}, message.timelines
            self._unreadable[message.incident] = message.problem
        if message.incident == self.selected:
            self._show_timeline(self.link.clock.now())
        self._ahead.after_move()  # a neighbour's timeline may be in memory now

    def _say_damage(self, problem: str) -> None:
        """Say (once, not at every tick) what part of the store cannot be read."""
        if problem and problem != self._timeline_problem:
            self._timeline_problem = problem
            self.say(f"✖ {problem}", "error")
            self.notify(problem, title="Damaged store", severity="error", markup=False)

    def _subtitles(self) -> None:
        inc = self.incidents
        total = len(self.snapshot.rows)
        shown = len(inc.rows)
        sub = f"{shown} of {total}" if not inc.filter.empty else f"{total}"
        if self._filter_text:
            sub += f" · /{self._filter_text}"
        inc.set_border_subtitle(Text(sub))
        narrow = self.query_one("#panes").has_class("-narrow")
        for name in ("timeline", "oncall", "status"):
            self.pane(name).set_border_subtitle(
                "2 timeline · 3 on call · 4 status" if narrow else ""
            )

    @cached_property
    def _timeline_pane(self) -> TimelinePane:
        return self.query_one(TimelinePane)

    @cached_property
    def _oncall_pane(self) -> OnCallPane:
        return self.query_one(OnCallPane)

    @cached_property
    def _command_line(self) -> CommandLine:
        return self.query_one(CommandLine)

    def _follow_cursor(self) -> None:
        row = self.incidents.selected
        self._select(row.id if row else None)

    def on_incidents_pane_selected(self, message: IncidentsPane.Selected) -> None:
        # the pane's selection now, not the message's: keys in a burst move the cursor
        # before their messages land, and those name rows the cursor has since left
        self._follow_cursor()

    def _select(self, incident: str | None) -> None:
        """The panes that follow the selection: timeline, on-call outlook, keys."""
        if incident == self.selected:
            return
        self.selected = incident
        self._command_line.selected = incident
        self._show_timeline(self.link.clock.now())
        self._show_oncall()
        self._refresh_keys()
        self._ahead.after_move()

    def _prepare_row(self, index: int):
        """The steps that make row `index` quick to move to (console.ui.prepare_ahead)."""
        pane = self.incidents
        if index >= len(pane.rows):
            return
        pane.prepare_row(index)
        events = self.snapshot.timeline_in_memory(pane.rows[index].id)
        if events:
            yield from self._timeline_pane.prepare(events)
        yield

    def on_on_call_ready(self, message: OnCallReady) -> None:
        self._oncall_rows, self._oncall_problem = message.rows, message.problem
        self._show_oncall()

    def on_outlook_ready(self, message: OutlookReady) -> None:
        if len(self._outlooks) > 1000:  # a long session's walk through a storm
            self._outlooks.clear()
        self._outlooks[message.row.id] = (message.row, message.minute, message.outlook)
        if message.row.id == self.selected:
            self._show_oncall()

    def on_command_done(self, message: CommandDone) -> None:
        self.say(f"✓ {message.line}", "ok")
        if message.incident and message.line.startswith("declare"):
            self.incidents.select(message.incident)

    def on_draft_written(self, message: DraftWritten) -> None:
        if message.path:
            head = f"✓ {message.incident} resolved · postmortem draft: "
            room = max(self.size.width - 2 - len(head), 20)  # the message line's padding
            self.say(head + short_path(str(message.path), room), "ok")
        else:
            self.say(f"✖ {message.incident} resolved, but {message.message}", "error")

    def on_command_failed(self, message: CommandFailed) -> None:
        self.say(f"✖ {message.reason}", "error")
        if message.line == self._typed:
            # a typed line that was refused comes back, to be fixed rather than retyped
            self.query_one(CommandLine).open("command", message.line)
        self._typed = None

    def on_attention_needed(self, message: AttentionNeeded) -> None:
        if self.bell:
            self.app.bell()
        if self.link.settings.ui.get("flash", True):  # [ui] flash = false: no row flash
            for item in message.items[:20]:
                self.incidents.flash(item.incident)
        first = message.items[0]
        self.say(f"! {first.incident}: {first.why}", "error")

    def say(self, text: str, kind: str = "") -> None:
        msg = self.query_one("#message", Static)
        # one line: a long message is cut with '…' rather than wrapped out of sight
        msg.update(Text(inert(text, 400), no_wrap=True, overflow="ellipsis"))
        msg.set_class(kind == "error", "-error")
        msg.set_class(kind == "ok", "-ok")

    def tick(self) -> None:
        now = self.link.clock.now()
        self.incidents.tick(now.timestamp())
        minute = int(now.timestamp() // 60)
        if minute != getattr(self, "_minute", None):
            self._minute = minute
            self._show_timeline(now)
            self._show_stale(now)

    # -- the command and filter lines ------------------------------------------------

    def on_command_line_entered(self, message: CommandLine.Entered) -> None:
        line = self.query_one(CommandLine)
        if message.mode == "filter":
            line.close()
            self.incidents.focus()
            return
        if message.value:
            line.close()
            self.incidents.focus()
            self._typed = message.value
            self.run_line(message.value)

    def on_command_line_filter_changed(self, message: CommandLine.FilterChanged) -> None:
        self.set_filter(message.value)

    def on_command_line_closed(self, message: CommandLine.Closed) -> None:
        if message.mode == "filter":
            self.set_filter("")
        self.incidents.focus()

    def set_filter(self, text: str) -> None:
        self._filter_text = text.strip()
        flt = parse_filter(text)
        self.incidents.set_filter(flt)
        if flt.problems:
            self.say("✖ " + flt.problems[0], "error")
        else:
            shown = len(self.incidents.rows)
            self.say(f"filter: {shown} shown (esc on / clears)" if text.strip() else "")
        self._subtitles()
        self._read_ahead()  # other rows on screen, the selection perhaps the same

    # -- keys ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in WRITE_ACTIONS and self.link.read_only:
            return False
        if action.startswith("drill_") and self.link.drill is None:
            return False
        if action in INCIDENT_ACTIONS:
            row = self.snapshot.by_id.get(self.selected) if self.selected else None
            if row is None:
                return None
            if action in ("ack", "resolve", "escalate") and not row.is_open:
                return None
        return True

    def _row(self):
        return self.snapshot.by_id.get(self.selected) if self.selected else None

    def action_ack(self) -> None:
        self.run_line(f"ack {self.selected}")

    def action_escalate(self) -> None:
        self.run_line(f"escalate {self.selected}")

    def action_resolve(self) -> None:
        from console.ui.confirm_screen import ConfirmScreen

        inc = self.selected
        row = self._row()
        title = f"{inc}: {row.title}" if row else inc

        def answer(yes: bool | None) -> None:
            if yes:
                self.run_line(f"resolve {inc}")

        self.app.push_screen(ConfirmScreen(f"Resolve {inc}?", title), answer)

    def _form(self, form: forms.Form, incident: str | None = None) -> None:
        from console.ui.confirm_screen import ConfirmScreen
        from console.ui.form_screen import FormScreen

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return
            line = form.line(values, incident)
            question = form.confirm(values)
            if question:
                self.app.push_screen(
                    ConfirmScreen(question), lambda yes: self.run_line(line) if yes else None
                )
            else:
                self.run_line(line)

        self.app.push_screen(FormScreen(form), done)

    def action_note(self) -> None:
        from console.ui import forms  # opened forms only: not at start

        self._form(forms.note_form(), self.selected)

    def action_task(self) -> None:
        from console.ui import forms  # opened forms only: not at start

        self._form(forms.task_form(), self.selected)

    def action_severity(self) -> None:
        from console.ui import forms  # opened forms only: not at start

        row = self._row()
        self._form(forms.severity_form(row.severity if row else None), self.selected)

    def action_update(self) -> None:
        from console.ui import forms  # opened forms only: not at start

        self._form(forms.update_form(), self.selected)

    def action_declare(self) -> None:
        from console.ui import forms  # opened forms only: not at start

        row = self._row()
        # offer to declare the selected incident only if nobody has yet (an alert opened
        # it); a declared one would be refused ("use severity to change it")
        undeclared = row is not None and row.is_open and row.severity is None
        inc = self.selected if undeclared else None
        self._form(
            forms.declare_form(
                sorted(self.link.settings.services), [c.name for c in self.snapshot.components], inc
            ),
            inc,
        )

    def action_component(self) -> None:
        from console.ui import forms  # opened forms only: not at start

        row = self._row()
        service = self.link.settings.services.get(row.service) if row and row.service else None
        self._form(
            forms.component_form(
                [c.name for c in self.snapshot.components],
                prefer=list(service.components) if service else (),
            )
        )

    def action_maintenance(self) -> None:
        from console.ui import forms  # opened forms only: not at start

        self._form(forms.maintenance_form(sorted(self.link.settings.services)))

    def action_command(self) -> None:
        self.query_one(CommandLine).open("command")

    def action_filter(self) -> None:
        self.query_one(CommandLine).open("filter", self._filter_text)

    def action_help(self) -> None:
        from console.ui.help_screen import HelpScreen, help_text

        focused = self.focused
        name = focused.id if focused is not None and focused.id in PANES else "incidents"
        pane = self.pane(name)
        keymap = getattr(self.app, "keymap_overrides", {})
        text = help_text(TITLES[name], pane.HELP, keymap, self.link.drill is not None)
        self.app.push_screen(HelpScreen(text))

    def action_quit(self) -> None:
        from console.ui.confirm_screen import ConfirmScreen

        pending = self.snapshot.pending_intents
        if pending and self.link.kind == "live" and self.snapshot.providers:
            self.app.push_screen(
                ConfirmScreen(
                    f"Quit with {pending} change(s) not yet sent?",
                    "They are safe on disk and go out at the next start "
                    "(or with incident-console sync).",
                ),
                lambda yes: self.app.exit() if yes else None,
            )
        else:
            self.app.exit()

    def action_pane(self, name: str) -> None:
        if name != "incidents":
            self.lower = name
        self.pane(name).focus()

    def _focused_pane(self) -> str:
        focused = self.focused
        return focused.id if focused is not None and focused.id in PANES else "incidents"

    def action_next_pane(self) -> None:
        i = PANES.index(self._focused_pane())
        self.action_pane(PANES[(i + 1) % len(PANES)])

    def action_previous_pane(self) -> None:
        i = PANES.index(self._focused_pane())
        self.action_pane(PANES[(i - 1) % len(PANES)])

    def watch_lower(self, name: str) -> None:
        for other in ("timeline", "oncall", "status"):
            self.pane(other).set_class(other == name, "-shown")

    # -- drill -----------------------------------------------------------------------

    def _report_when_drill_ends(self) -> None:
        """(feed thread) Once the drill is over, its report comes to the screen."""
        drill = self.link.drill
        if drill is None or not drill.finished or getattr(self, "_drill_reported", False):
            return
        self._drill_reported = True
        from console.ui.drill_report_screen import report_message

        with self.link.lock:
            message = report_message(drill)
        self.post_message(message)

    def on_drill_finished(self, message) -> None:
        from console.ui.drill_report_screen import DrillReportScreen

        self.say(f"drill over: {message.met} of {message.total} objectives met")
        self.app.push_screen(DrillReportScreen(message))

    def action_drill_pause(self) -> None:
        clock = self.link.drill.clock
        clock.pause(not clock.paused)
        self.query_one(StatusBar).tick()
        self.say("drill paused" if clock.paused else "drill running")

    def action_drill_speed(self, step: int) -> None:
        clock = self.link.drill.clock
        speeds = list(SPEEDS)
        current = min(speeds, key=lambda s: abs(s - clock.speed))
        i = max(0, min(len(speeds) - 1, speeds.index(current) + step))
        clock.set_speed(speeds[i])
        self.query_one(StatusBar).tick()
        self.say(f"drill speed x{speeds[i]}")

    def action_drill_step(self) -> None:
        self.link.drill.clock.advance(60)
        self.query_one(StatusBar).tick()
        self.say("stepped one minute")
