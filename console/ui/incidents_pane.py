"""The Incidents pane: a virtualised list over the sorted snapshot rows.

Built on the Line API rather than `DataTable`: only visible rows are rendered, a cursor
move repaints the two lines that changed, a scroll repaints the rows (not the header, and
the scrollbar only when its thumb moves a visible step), and the age column ticks by
repainting only its own cells. 10,000 incidents cost what a screenful costs.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBarRender
from textual.strip import Strip

from console.ui.filtering import Filter
from console.ui.formatting import age, fit, sev_label, status_label
from console.ui.repaint import QuietBorder, changed_until
from console.ui.view_model import IncidentRow, Snapshot

MARK_W, ID_W, SEV_W, STATUS_W, SERVICE_W, AGE_W, WHO_W = 2, 7, 5, 7, 12, 4, 14


class IncidentsPane(QuietBorder, ScrollView, can_focus=True):
    """Incidents: open and unacknowledged first, then by severity and age.

    | key | does |
    |---|---|
    | down, j / up, k | move the cursor |
    | g, home / G, end | first / last incident |
    | pageup / pagedown | a screenful |
    """

    HELP = (
        "Incidents: open and unacknowledged first, then by severity and age. "
        "Markers: ⚠ the status page has had no update for [status] stale_minutes; "
        "▲ an escalation fires within 5 minutes; ! just arrived."
    )

    # priority: while the list has focus, its moves run as the app first sees the key,
    # not after the key has bubbled from the list through the screen back to the app
    # (four message hops, a fifth of a millisecond a move)
    BINDINGS = [
        Binding("down,j", "cursor(1)", "Down", show=False, id="list.down", priority=True),
        Binding("up,k", "cursor(-1)", "Up", show=False, id="list.up", priority=True),
        Binding("g,home", "cursor_to(0)", "First", show=False, id="list.first", priority=True),
        Binding("G,end", "cursor_to(-1)", "Last", show=False, id="list.last", priority=True),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list.page_down", priority=True),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list.page_up", priority=True),
    ]

    COMPONENT_CLASSES = {
        "incidents--header",
        "incidents--cursor",
        "incidents--cursor-blurred",
        "incidents--sev-1",
        "incidents--sev-2",
        "incidents--sev-3",
        "incidents--sev-4",
        "incidents--sev-5",
        "incidents--status-triggered",
        "incidents--status-acknowledged",
        "incidents--status-resolved",
        "incidents--muted",
        "incidents--marker",
        "incidents--flash",
    }

    DEFAULT_CSS = """
    IncidentsPane {
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        & > .incidents--header { color: $foreground; text-style: bold underline; }
        & > .incidents--cursor { background: $primary; color: $background; text-style: bold; }
        & > .incidents--cursor-blurred { background: $primary 30%; color: $foreground; text-style: bold; }
        & > .incidents--sev-1 { color: $sev-1; text-style: bold; }
        & > .incidents--sev-2 { color: $sev-2; text-style: bold; }
        & > .incidents--sev-3 { color: $sev-3; }
        & > .incidents--sev-4 { color: $sev-4; }
        & > .incidents--sev-5 { color: $sev-5; }
        & > .incidents--status-triggered { color: $status-triggered; text-style: bold; }
        & > .incidents--status-acknowledged { color: $status-acknowledged; }
        & > .incidents--status-resolved { color: $status-resolved; }
        & > .incidents--muted { color: $muted; }
        & > .incidents--marker { color: $warning; text-style: bold; }
        & > .incidents--flash { background: $flash; }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=False, repaint=False)
    """Index of the selected row within the filtered rows."""

    class Selected(Message):
        """The selected incident changed with the rows (a new snapshot or filter; None:
        the list is empty). A cursor move posts nothing: watch `cursor` for those."""

        def __init__(self, incident: str | None) -> None:
            super().__init__()
            self.incident = incident

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.snapshot = Snapshot(version=-1)
        self.filter = Filter()
        self.rows: tuple[IncidentRow, ...] = ()
        self.now_ts = 0.0
        self.stale_minutes = 30
        self.flashing: set[str] = set()
        self._cache: dict[tuple, Strip] = {}
        self._id_w = ID_W
        # screen line -> the strip last drawn there (every repaint, whole or not, draws
        # through render_line, so this is what the terminal shows)
        self._shown: dict[int, Strip] = {}
        self._styles: dict[str, Style] | None = None
        self._selected_id: str | None = None
        self._base = None

    # -- data ------------------------------------------------------------------------

    @property
    def selected(self) -> IncidentRow | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    def show(self, snapshot: Snapshot, now_ts: float) -> None:
        """Take a new snapshot; the selection follows its incident, not its position."""
        self.snapshot = snapshot
        self.now_ts = now_ts
        # the id column fits the longest id (INC-10000 is not cut to "INC-10…"), from all
        # rows so that a filter does not move the columns
        self._id_w = min(max(ID_W, max((len(r.id) for r in snapshot.rows), default=0)), 12)
        self._refilter()

    def set_filter(self, flt: Filter) -> None:
        self.filter = flt
        self._refilter(gone_to_top=True)

    def _refilter(self, gone_to_top: bool = False) -> None:
        """`gone_to_top`: a selection the rows no longer hold moves to the first row (a
        new filter: where the cursor was means nothing in the list it makes), else it
        stays at its place (a new snapshot without the selected incident)."""
        rows = self.snapshot.rows
        if not self.filter.empty:
            rows = tuple(r for r in rows if self.filter.matches(r))
        self.rows = rows
        self.virtual_size = Size(0, len(rows) + 1)
        keep = self._selected_id
        index = None
        if keep is not None:
            index = next((i for i, r in enumerate(rows) if r.id == keep), None)
        if index is None:
            index = 0 if gone_to_top else min(self.cursor, max(len(rows) - 1, 0))
        self.set_reactive(IncidentsPane.cursor, index)
        self._cache.clear()
        self._scroll_to_cursor()
        self.refresh()
        self._announce()

    def tick(self, now_ts: float) -> None:
        """Time moved: on the minute, repaint the visible rows whose age or stale marker
        changed, each up to its last changed cell (a 28d-old row stays as it is)."""
        before = int(self.now_ts // 60)
        self.now_ts = now_ts
        if int(now_ts // 60) != before and self.rows:
            self._repaint_rows()

    def flash(self, incident: str) -> None:
        self.flashing.add(incident)
        self._refresh_row_of(incident)
        self.set_timer(2.0, lambda: self._unflash(incident))

    def _unflash(self, incident: str) -> None:
        self.flashing.discard(incident)
        self._refresh_row_of(incident)

    def _refresh_row_of(self, incident: str) -> None:
        for i, r in enumerate(self.rows):
            if r.id == incident:
                self._cache.clear()
                self.refresh_line(i + 1)
                return

    # -- moving ----------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        top = self.scroll_offset.y
        self._scroll_to_cursor()  # first: a scroll repaints every row anyway
        if self.scroll_offset.y == top:
            # only the two rows whose selection changed (line 0 is the header)
            self.refresh_line(old + 1)
            self.refresh_line(new + 1)
        # no Selected message: whoever follows the selection watches `cursor`, and a
        # message bubbling through the screen after the frame delays the frame's last byte
        self._announce(post=False)

    def _announce(self, post: bool = True) -> None:
        row = self.selected
        new_id = row.id if row else None
        if new_id != self._selected_id:
            self._selected_id = new_id
            if post:
                self.post_message(self.Selected(new_id))

    def watch_scroll_y(self, old: float, new: float) -> None:
        # ScrollView repaints the whole pane and its scrollbar on every scroll; the header
        # and, at thousands of rows, the one-cell thumb mostly stay where they are
        if self.show_vertical_scrollbar:
            self._move_scrollbar(new)
        if round(old) != round(new):
            self._repaint_rows()

    def _repaint_rows(self) -> None:
        """Refresh the rows (not the header) whose drawing changed, each up to its last
        changed cell: a scroll by one row moves every row, but not every cell of a row,
        and never the cell under the scrollbar."""
        regions, full = [], self._width()
        for y in range(1, self.size.height):
            old = self._shown.get(y)
            end = full if old is None else changed_until(old, self._line(y))
            if end:
                regions.append(Region(0, y, end, 1))
        if regions:
            self.refresh(*regions)

    def refresh_line(self, y: int) -> None:
        """Repaint line `y` of the list (1: the first row), its scrollbar cell excluded."""
        self.refresh(Region(0, y - self.scroll_offset.y, self._width(), 1))

    def _width(self) -> int:
        # the rows' width: the content less the scrollbar (`size` includes it)
        return self.scrollable_content_region.width

    def _move_scrollbar(self, position: float) -> None:
        bar = self.vertical_scrollbar
        if _thumb(bar, position) == _thumb(bar, bar.position):
            # the same cells: keep the position without the repaint its setter asks for
            bar.set_reactive(type(bar).position, bar.validate_position(position))
        else:
            bar.position = position

    def _scroll_to_cursor(self) -> None:
        visible = max(self.size.height - 1, 1)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))

    def action_cursor_to(self, index: int) -> None:
        if self.rows:
            self.cursor = len(self.rows) - 1 if index < 0 else min(index, len(self.rows) - 1)

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(self.size.height - 2, 1))

    def select(self, incident: str) -> bool:
        """Move the cursor to `incident` if it is listed."""
        for i, r in enumerate(self.rows):
            if r.id == incident:
                self.cursor = i
                return True
        return False

    def on_focus(self) -> None:
        self.refresh_line(self.cursor + 1)

    def on_blur(self) -> None:
        self.refresh_line(self.cursor + 1)

    def on_resize(self) -> None:
        self.virtual_size = Size(0, len(self.rows) + 1)
        self._cache.clear()
        self._scroll_to_cursor()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._base = None
        self._cache.clear()

    # -- drawing ---------------------------------------------------------------------

    def _columns(self, width: int) -> dict[str, int]:
        cols = {"mark": MARK_W, "id": self._id_w, "sev": SEV_W, "status": STATUS_W}
        cols["service"] = SERVICE_W if width >= 60 else 0
        cols["age"] = AGE_W
        cols["who"] = WHO_W if width >= 100 else 0
        fixed = sum(cols.values()) + sum(1 for v in cols.values() if v) - 1
        cols["title"] = max(width - fixed - 1, 8)
        return cols

    def _style(self, name: str) -> Style:
        if self._styles is None:
            self._styles = {
                n.removeprefix("incidents--"): self.get_component_rich_style(n, partial=True)
                for n in self.COMPONENT_CLASSES
            }
        return self._styles[name]

    def render_line(self, y: int) -> Strip:
        strip = self._shown[y] = self._line(y)
        return strip

    def _line(self, y: int) -> Strip:
        """Screen line `y` of the pane (0: the header) as it should be drawn now."""
        width = self._width()
        if self._base is None:  # rich_style walks the ancestors; once per style change
            self._base = self.rich_style
        base = self._base
        if y == 0:
            return self._header(width, base)
        index = self.scroll_offset.y + y - 1
        if index >= len(self.rows):
            if not self.rows and y == 1:
                text = (
                    "Opening the store…"
                    if self.snapshot.loading
                    else "No incidents."
                    if self.filter.empty
                    else "No incident matches the filter."
                )
                return Strip([Segment(fit(" " + text, width), base + self._style("muted"))])
            return Strip.blank(width, base)
        return self._cached_row(self._key(index, width, int(self.now_ts // 60)), width, base)

    def _cached_row(self, key: tuple, width: int, base: Style) -> Strip:
        """The row `key` (from `_key`) names, drawn once while its drawing holds."""
        strip = self._cache.get(key)
        if strip is None:
            if len(self._cache) > 4 * 1024:  # a long walk down 10k rows
                self._cache.clear()
            row, selected, flashing = key[0], key[2], key[3]
            strip = self._cache[key] = self._row_strip(row, width, base, selected, flashing)
        return strip

    def _key(self, index: int, width: int, minute: int, selected: bool | None = None) -> tuple:
        """What row `index`'s drawing depends on (its strips are cached by it)."""
        row = self.rows[index]
        if selected is None:
            selected = index == self.cursor
        return (row, width, selected, row.id in self.flashing, self.has_focus, minute)

    def prepare_row(self, index: int) -> None:
        """Draw row `index` as the cursor will show it, and the cursor's row as it will
        be once the cursor has left it, ahead of a move there."""
        if not 0 <= index < len(self.rows) or not self.is_mounted:
            return
        width, minute = self._width(), int(self.now_ts // 60)
        if self._base is None:
            self._base = self.rich_style
        for at, selected in ((index, True), (self.cursor, False)):
            if 0 <= at < len(self.rows):
                self._cached_row(self._key(at, width, minute, selected=selected), width, self._base)

    def _header(self, width: int, base: Style) -> Strip:
        cols = self._columns(width)
        style = base + self._style("header")
        parts = [
            "  ",
            fit("ID", cols["id"]),
            fit("SEV", cols["sev"]),
            fit("STATUS", cols["status"]),
        ]
        parts.append(fit("TITLE", cols["title"]))
        if cols["service"]:
            parts.append(fit("SERVICE", cols["service"]))
        parts.append(fit("AGE", cols["age"]))
        if cols["who"]:
            parts.append(fit("WHO", cols["who"]))
        text = parts[0] + " ".join(parts[1:])
        return Strip([Segment(fit(text, width), style)])

    def _row_strip(
        self, row: IncidentRow, width: int, base: Style, selected: bool, flashing: bool
    ) -> Strip:
        cols = self._columns(width)
        if flashing:
            base = base + self._style("flash")
        muted = self._style("muted")
        mark, mark_style = " ", Style()  # a blank mark joins the id's run of style
        if flashing:
            mark = "!"
        elif row.status == "triggered" and row.id in self.snapshot.escalations_soon:
            mark = "▲"
        elif row.page_stale(self.now_ts, self.stale_minutes):
            mark = "⚠"
        if mark != " ":
            mark_style = self._style("marker")
        sev_style = self._style(f"sev-{row.severity}") if row.severity else muted
        status_style = (
            self._style(f"status-{row.status}")
            if row.status
            in (
                "triggered",
                "acknowledged",
                "resolved",
            )
            else muted
        )
        text_style = muted if row.status == "resolved" else Style()
        if selected:
            # the cursor row is one colour pair in every theme (monochrome included); its
            # labels and glyphs still say severity and status
            base = base + self._style("cursor" if self.has_focus else "cursor-blurred")
            sev_style = status_style = text_style = muted = Style()
        segs = [
            Segment(fit(mark, cols["mark"]), base + (mark_style or text_style)),
            Segment(fit(row.id, cols["id"]) + " ", base + text_style),
            Segment(fit(sev_label(row.severity), cols["sev"]) + " ", base + sev_style),
            Segment(fit(status_label(row.status), cols["status"]) + " ", base + status_style),
            Segment(fit(row.title, cols["title"]) + " ", base + text_style),
        ]
        if cols["service"]:
            segs.append(Segment(fit(row.service, cols["service"]) + " ", base + muted))
        segs.append(Segment(fit(age(self.now_ts - row.created_ts), cols["age"]), base + muted))
        if cols["who"]:
            segs.append(Segment(" " + fit(row.who, cols["who"]), base + text_style))
        # the row's last run reaches the edge, and runs of one style are merged (the cursor
        # row is one run): fewer escape sequences per repainted row
        last = segs[-1]
        short = width - sum(len(s.text) for s in segs)
        if short > 0:
            segs[-1] = Segment(last.text + " " * short, last.style)
        return Strip(segs).crop_extend(0, width, base).simplify()


def _thumb(bar, position: float) -> tuple:
    """Where `bar` draws its thumb at `position`, as Textual's own scrollbar renders it."""
    window = bar.window_size if bar.window_size < bar.window_virtual_size else 0
    segments = ScrollBarRender.render_bar(
        size=bar.size.height,
        virtual_size=bar.window_virtual_size,
        window_size=window,
        position=bar.validate_position(position),
    )
    return tuple((seg.text, seg.style) for seg in segments.segments)
