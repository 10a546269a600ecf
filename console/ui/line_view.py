"""A scrolling pane of pre-built lines drawn through Textual's Line API.

Only the visible lines are rendered, each once until its text or the width changes, so
a pane with a long timeline costs what its visible rows cost.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


@dataclass(frozen=True)
class Folded:
    """A line shown whole where it fits, else as `folded` (e.g. its tail on a second,
    indented line), so nothing that matters is cut at a narrow pane's edge."""

    line: Text
    folded: tuple[Text, ...]

    def fit(self, width: int, console) -> list[Text]:
        if self.line.cell_len <= width:
            return [self.line]
        out: list[Text] = []
        for part in self.folded:
            if part.no_wrap or part.cell_len <= width:
                out.append(part)
            else:
                out.extend(part.wrap(console, width))
        return out


@dataclass(frozen=True)
class Squeezed:
    """One line `head middle tail` where, if it is too wide, `middle` (a title) is cut
    with '…' so that `tail` (an age, a time) stays readable."""

    head: Text
    middle: Text
    tail: Text

    def fit(self, width: int, console) -> list[Text]:
        line = Text(no_wrap=True)
        line.append_text(self.head)
        room = width - self.head.cell_len - self.tail.cell_len
        if self.middle.cell_len <= room:
            line.append_text(self.middle)
        elif room >= 2:
            middle = self.middle.copy()
            middle.truncate(room, overflow="ellipsis")
            line.append_text(middle)
        else:  # too narrow for any of the title: the line is cut at the edge as before
            line.append_text(self.middle)
        line.append_text(self.tail)
        return [line]


class LineView(ScrollView, can_focus=True):
    """Shows `lines` (Rich `Text`, rendered as plain text, never as markup)."""

    DEFAULT_CSS = """
    LineView { overflow-x: hidden; scrollbar-size-vertical: 1; }
    """

    BINDINGS = [
        Binding("down,j", "scroll_down", "Down", show=False),
        Binding("up,k", "scroll_up", "Up", show=False),
        Binding("g,home", "scroll_home", "Top", show=False),
        Binding("G,end", "scroll_end", "Bottom", show=False),
    ]
    HELP = ""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[Text] = []
        self._source: list[Text | Folded | Squeezed] = []
        self._base = None
        self._cache: dict[int, Strip] = {}
        self.follow = False  # stay at the end as lines are added

    def set_lines(self, lines: list[Text | Folded | Squeezed]) -> None:
        """Show `lines`: those made with `no_wrap=True` are cut at the edge, others wrap;
        `Folded` and `Squeezed` ones are laid out for the pane's width."""
        self._source = lines
        self._reflow()

    def _reflow(self) -> None:
        at_end = self.scroll_offset.y >= self.max_scroll_y
        width = max(self.size.width - 1, 10)
        out: list[Text] = []
        for text in self._source:
            if not isinstance(text, Text):  # Folded, Squeezed: laid out for this width
                out.extend(text.fit(width, self.app.console))
                continue
            if text.no_wrap or text.cell_len <= width:
                out.append(text)
            else:
                out.extend(text.wrap(self.app.console, width))
        old = self._lines
        self._lines = out
        self._cache.clear()
        # No horizontal scrolling (long lines are wrapped or cut). The height never goes
        # below the pane's, so a short timeline replacing another does not change the
        # virtual size, and only the lines that differ are repainted (bytes over SSH).
        size = Size(0, max(len(out), self.size.height))
        if size != self.virtual_size:
            self.virtual_size = size
            self.refresh()
        else:
            for i in range(max(len(old), len(out))):
                if i >= len(old) or i >= len(out) or old[i] != out[i]:
                    self.refresh_line(i)
        if self.follow and at_end:
            # forced: the scrollbar that allows scrolling appears only at the next layout,
            # and without it an immediate scroll is refused (the newest event stayed hidden)
            self.scroll_end(animate=False, immediate=True, force=True, x_axis=False)
            self.call_after_refresh(self._sync_scrollbar)

    def _sync_scrollbar(self) -> None:
        # a scrollbar that appears after the scroll starts at the top: move its thumb
        if self.show_vertical_scrollbar:
            self.vertical_scrollbar.position = self.scroll_offset.y

    def on_resize(self) -> None:
        self._reflow()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()
        self._base = None

    def base_style(self):
        """The pane's own style, computed once per style change (not once per line:
        `rich_style` walks the ancestors' backgrounds every time it is read)."""
        if self._base is None:
            self._base = self.rich_style
        return self._base

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self.base_style()
        if index >= len(self._lines):
            return Strip.blank(width, base)
        strip = self._cache.get(index)
        if strip is None:
            text = self._lines[index]
            segments = [
                Segment(seg.text, base + seg.style if seg.style else base)
                for seg in text.render(self.app.console)
                if seg.text != "\n"
            ]
            strip = Strip(segments)
            self._cache[index] = strip
        # runs of one style merged (the padding too): fewer escape sequences over SSH
        return strip.crop_extend(scroll_x, scroll_x + width, base).simplify()
