"""A scrolling pane of pre-built lines drawn through Textual's Line API.

Only the visible lines are rendered, each once until its text or the width changes, so
a pane with a long timeline costs what its visible rows cost. New lines repaint only the
visible lines that differ, each only up to its last changed cell (console.ui.repaint).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.ui.repaint import QuietBorder, changed_until


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
    with '…' so that `tail` (an age, a time) stays readable. Where that would leave the
    title fewer than `min_middle` cells, the tail goes on a second line (`indent` + tail)
    and the title keeps the first line's room."""

    head: Text
    middle: Text
    tail: Text
    min_middle: int = 0
    indent: str = "    "

    def fit(self, width: int, console) -> list[Text]:
        line = Text(no_wrap=True)
        line.append_text(self.head)
        room = width - self.head.cell_len - self.tail.cell_len
        short = min(self.middle.cell_len, self.min_middle)
        if self.middle.cell_len > room and room < short:
            middle = self.middle.copy()
            middle.truncate(max(width - self.head.cell_len, 2), overflow="ellipsis")
            line.append_text(middle)
            tail = Text(self.indent + self.tail.plain.lstrip(), self.tail.style, no_wrap=True)
            return [line, tail]
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


class LineView(QuietBorder, ScrollView, can_focus=True):
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
        # by the identity of a source line (kept alive in the value, so the id is not
        # reused): its layout for a width, and a shown line's strip, kept across
        # set_lines (up to a bound). A pane rebuilt on every cursor move from cached
        # lines pays for the lines that are new only.
        self._laid_out: dict[int, tuple[object, int, list[Text]]] = {}
        self._drawn: dict[int, tuple[Text, Strip]] = {}
        self._drawn_for: tuple | None = None
        self.follow = False  # stay at the end as lines are added

    def set_lines(self, lines: list[Text | Folded | Squeezed]) -> None:
        """Show `lines`: those made with `no_wrap=True` are cut at the edge, others wrap;
        `Folded` and `Squeezed` ones are laid out for the pane's width."""
        self._source = lines
        self._reflow()

    def _reflow(self) -> None:
        at_end = self.scroll_offset.y >= self.max_scroll_y
        pane = self.size
        width = max(pane.width - 1, 10)
        out: list[Text] = []
        laid_out = self._laid_out
        if len(laid_out) > 8 * 1024:
            laid_out.clear()
        for text in self._source:
            hit = laid_out.get(id(text))
            if hit is not None and hit[0] is text and hit[1] == width:
                lines = hit[2]
            else:
                if not isinstance(text, Text):  # Folded, Squeezed: laid out for this width
                    lines = text.fit(width, self.app.console)
                elif text.no_wrap or text.cell_len <= width:
                    lines = [text]
                else:
                    lines = text.wrap(self.app.console, width)
                laid_out[id(text)] = (text, width, lines)
            out.extend(lines)
        old, old_strips = self._lines, self._cache
        self._lines = out
        self._cache = {}
        # No horizontal scrolling (long lines are wrapped or cut). The height never goes
        # below the pane's, so a short timeline replacing another does not change the
        # virtual size, and only the lines that differ are repainted (bytes over SSH).
        size = Size(0, max(len(out), pane.height))
        if size != self.virtual_size:
            self.virtual_size = size
            self.refresh()
        else:
            self._repaint_changes(old, old_strips, pane)
        if self.follow and at_end and (len(out) > pane.height or self.scroll_offset.y):
            # forced: the scrollbar that allows scrolling appears only at the next layout,
            # and without it an immediate scroll is refused (the newest event stayed hidden)
            self.scroll_end(animate=False, immediate=True, force=True, x_axis=False)
            self.call_after_refresh(self._sync_scrollbar)

    def _repaint_changes(self, old: list[Text], old_strips: dict[int, Strip], pane: Size) -> None:
        """Refresh the visible lines that changed, each up to its last changed cell."""
        top = self.scroll_offset.y
        out = self._lines
        full = self.scrollable_content_region.width
        regions = []
        for y in range(pane.height):
            i = top + y
            before = old[i] if i < len(old) else None
            after = out[i] if i < len(out) else None
            if before is after or before == after:
                continue
            was = old_strips.get(i)
            # never drawn (or a style change cleared it): all of it
            end = full if was is None else changed_until(was, self._strip(i, pane.width))
            if end:
                regions.append(Region(0, y, end, 1))
        if regions:
            self.refresh(*regions)  # one call: each costs a walk of the widget's geometry

    def refresh_line(self, y: int) -> None:
        """Repaint line `y` (an index into the lines), its scrollbar cell excluded."""
        width = self.scrollable_content_region.width
        self.refresh(Region(0, y - self.scroll_offset.y, width, 1))

    def _sync_scrollbar(self) -> None:
        # a scrollbar that appears after the scroll starts at the top: move its thumb
        if self.show_vertical_scrollbar:
            self.vertical_scrollbar.position = self.scroll_offset.y

    def on_resize(self) -> None:
        self._reflow()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()
        self._drawn.clear()
        self._base = None

    def base_style(self):
        """The pane's own style, computed once per style change (not once per line:
        `rich_style` walks the ancestors' backgrounds every time it is read)."""
        if self._base is None:
            self._base = self.rich_style
        return self._base

    def render_line(self, y: int) -> Strip:
        return self._strip(self.scroll_offset.y + y)

    def _strip(self, index: int, width: int | None = None) -> Strip:
        """Line `index` as drawn at the pane's width (cached until the lines change)."""
        strip = self._cache.get(index)
        if strip is not None:
            return strip
        if width is None:
            width = self.size.width
        base = self.base_style()
        if index >= len(self._lines):
            strip = Strip.blank(width, base)
        else:
            strip = self._drawn_strip(self._lines[index], width, base)
        self._cache[index] = strip
        return strip

    def predraw(self, text: Text) -> None:
        """Draw `text` now, for a `set_lines` to come (a line that fits the pane: one
        that wraps is laid out anew at every `set_lines`)."""
        width = self.size.width
        if text.no_wrap or text.cell_len <= max(width - 1, 10):
            self._drawn_strip(text, width, self.base_style())

    def _drawn_strip(self, text: Text, width: int, base: Style) -> Strip:
        """`text` drawn at `width` on `base`, drawn once while its object lives."""
        if self._drawn_for != (width, base) or len(self._drawn) > 8 * 1024:
            self._drawn, self._drawn_for = {}, (width, base)
        hit = self._drawn.get(id(text))
        if hit is not None and hit[0] is text:
            return hit[1]
        strip = self._draw(text, width, base)
        self._drawn[id(text)] = (text, strip)
        return strip

    def _draw(self, text: Text, width: int, base: Style) -> Strip:
        segments = _segments(text, base)
        if segments is None:  # overlapping or named styles: Rich works it out
            segments = [
                Segment(seg.text, base + seg.style if seg.style else base)
                for seg in text.render(self.app.console)
                if seg.text != "\n"
            ]
        # runs of one style merged (the padding too): fewer escape sequences over SSH
        return Strip(segments).crop_extend(0, width, base).simplify()


def _segments(text: Text, base: Style) -> list[Segment] | None:
    """The segments of a line built by appending styled runs (spans in order, none
    overlapping, styles as Style objects), without Rich's general span renderer, which
    costs several times more; None for any other line."""
    own = text.style
    if isinstance(own, str):
        if own:
            return None
        own = base
    else:
        own = base + own
    plain, out, at = text.plain, [], 0
    for start, end, style in text.spans:
        if start < at or isinstance(style, str):
            return None
        if start > at:
            out.append(Segment(plain[at:start], own))
        if end > start:
            out.append(Segment(plain[start:end], own + style))
        at = max(at, end)
    if at < len(plain):
        out.append(Segment(plain[at:], own))
    return out
