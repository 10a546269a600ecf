"""The Timeline pane: the selected incident's events, newest at the bottom.

Each event: absolute UTC time, relative age, author, origin, kind, then its text (inert,
wrapped to the pane). Follows new events while at the bottom; scrolls back on demand.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.style import Style
from rich.text import Text

from console.domain.text import inert
from console.ui.formatting import ago
from console.ui.line_view import LineView

# a storm incident can gather thousands of alert events; the pane shows the newest
MAX_EVENTS = 1000
TEXT_LINES = 6  # a long note wraps to at most this many lines, then is cut


class TimelinePane(LineView):
    """Timeline of the selected incident.

    | key | does |
    |---|---|
    | down, j / up, k | scroll |
    | g, home / G, end | oldest / newest (and follow new events) |
    """

    HELP = (
        "Timeline of the selected incident: UTC time, how long ago, who, from where "
        "(local, intake, provider, drill, sync), and what. New events appear at the bottom; "
        "scroll up to read back, G to follow again."
    )

    COMPONENT_CLASSES = {
        "timeline--time",
        "timeline--who",
        "timeline--kind",
        "timeline--muted",
        "timeline--pending",
    }

    DEFAULT_CSS = """
    TimelinePane {
        scrollbar-size-vertical: 1;
        & > .timeline--time { color: $muted; }
        & > .timeline--who { color: $accent; }
        & > .timeline--kind { color: $primary; text-style: bold; }
        & > .timeline--muted { color: $muted; }
        & > .timeline--pending { color: $warning; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.follow = True
        self.incident: str | None = None
        self.events: tuple = ()
        self.pending: tuple[str, ...] = ()
        self.note: str | None = None  # said instead of events ("loading timeline…")
        self.now_ts = 0.0
        self._styles: dict[str, Style] | None = None
        # an event's lines for (event id, minute, width): moving back to an incident, or
        # between incidents, builds only the lines not seen this minute
        self._event_cache: dict[tuple, list[Text]] = {}

    def show(
        self,
        incident: str | None,
        events: tuple,
        now_ts: float,
        pending: tuple[str, ...] = (),
        note: str | None = None,
    ) -> None:
        """Show `events` of `incident`, then what has not reached a provider yet
        (`pending`: console.domain.pending lines), or one muted line `note` instead (its
        timeline is still being read, or cannot be); rebuilds only if something changed."""
        same = (
            incident == self.incident
            and len(events) == len(self.events)
            and pending == self.pending
            and note == self.note
        )
        minute_moved = int(now_ts // 60) != int(self.now_ts // 60)
        if same and not minute_moved and self._lines:
            return
        if incident != self.incident and (self.scroll_offset.y or self.scroll_target_y):
            # another incident: from its start (the lines that differ are repainted)
            self.scroll_home(animate=False, immediate=True)
        # the events that replace "loading timeline…" are shown from their start, as
        # moving to the incident shows them, not followed to the end as new events are
        from_note = self.note is not None and note is None and incident == self.incident
        self.incident, self.events, self.now_ts = incident, events, now_ts
        self.pending, self.note = pending, note
        follow, self.follow = self.follow, self.follow and not from_note
        try:
            self.rebuild()
        finally:
            self.follow = follow

    def on_resize(self) -> None:
        if self.is_mounted:
            self.rebuild()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._event_cache.clear()
        if self.is_mounted:
            self.rebuild()

    def _part_styles(self) -> dict[str, Style]:
        # read once per style change: a rebuild runs on every cursor move in the list
        if self._styles is None:
            self._styles = {
                n: self.get_component_rich_style(n, partial=True) for n in self.COMPONENT_CLASSES
            }
        return self._styles

    def rebuild(self) -> None:
        style = self._part_styles()
        width = max(self.size.width - 1, 20)
        if self.incident is None:
            self.set_lines(
                [Text(" Select an incident to see its timeline.", style["timeline--muted"])]
            )
            return
        if self.note is not None:
            self.set_lines([Text(f" {self.note}", style["timeline--muted"])])
            return
        events = self.events[-MAX_EVENTS:]
        lines: list[Text] = []
        if len(self.events) > MAX_EVENTS:
            lines.append(
                Text(
                    f" … {len(self.events) - MAX_EVENTS} earlier events "
                    f"(incident-console show {self.incident})",
                    style["timeline--muted"],
                )
            )
        for ev in events:
            lines.extend(self._made(ev, width, style))
        for text in self.pending:  # queued for a provider: shown until it is delivered
            lines.extend(self._pending_lines(text, width, style["timeline--pending"]))
        if not lines:
            lines = [Text(" No events yet.", style["timeline--muted"])]
        self.set_lines(lines)

    def _made(self, ev, width: int, style: dict[str, Style]) -> list[Text]:
        """`ev`'s lines, made once a minute (the relative ages change with it)."""
        cache = self._event_cache
        key = (ev.id, int(self.now_ts // 60), width)
        made = cache.get(key)
        if made is None:
            if len(cache) > 8 * 1024:
                cache.clear()
            made = cache[key] = self._event_lines(ev, width, style)
        return made

    def prepare(self, events: tuple, chunk: int = 50) -> Iterator[None]:
        """Make and draw the lines of `events` (a timeline the cursor may move to next),
        pausing after every `chunk` events: the steps of console.ui.prepare_ahead."""
        if not self.is_mounted or self.note is not None:
            return
        style = self._part_styles()
        width = max(self.size.width - 1, 20)
        for n, ev in enumerate(events[-MAX_EVENTS:], 1):
            for text in self._made(ev, width, style):
                self.predraw(text)
            if n % chunk == 0:
                yield

    def _pending_lines(self, text: str, width: int, style: Style) -> list[Text]:
        """` ↻ pending  TEXT`, its continuation lines indented under TEXT (not at the edge)."""
        head = " ↻ pending  "
        wrapped = Text(inert(text, 300)).wrap(self.app.console, max(width - len(head), 10))
        # one run of one style a line (fewer escape bytes per repaint)
        return [
            Text((head if i == 0 else " " * len(head)) + line.plain.rstrip(), style)
            for i, line in enumerate(wrapped)
        ]

    def _event_lines(self, ev, width: int, style: dict[str, Style]) -> list[Text]:
        when = ev.at.in_tz("UTC")
        head = Text(no_wrap=True)
        # three runs of colour a line: every change of style costs escape bytes per repaint
        head.append(
            f"{when.strftime('%H:%M:%SZ')} {ago(self.now_ts - when.timestamp()):>8} ",
            style["timeline--time"],
        )
        head.append(f"{inert(ev.author, 40)} ({inert(ev.origin, 12)}) ", style["timeline--who"])
        head.append(inert(ev.kind, 30), style["timeline--kind"])
        out = [head]
        text = inert(ev.text, 2000)
        if text:
            body = Text(text)  # plain Text: markup in the data stays literal
            room = max(width - 3, 10)
            if "\n" not in text and body.cell_len <= room:  # most notes: one line, no wrap
                wrapped = [body]
            else:
                wrapped = body.wrap(self.app.console, room)
            for i, line in enumerate(wrapped):
                if i == TEXT_LINES:
                    out.append(Text("   …", style["timeline--muted"]))
                    break
                line.rstrip()
                out.append(Text("   ") + line)
        return out
