"""Repaint only what changed: every repainted cell is bytes over a slow SSH link.

Textual writes a refreshed line from the widget's left edge (its border included) to the
end of the refreshed region, so a line whose end did not change need only be refreshed up
to its last changed cell. And the border title's setter repaints the whole widget, which
a pane whose title names the selected incident must not pay on every cursor move.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip


def changed_until(old: Strip, new: Strip) -> int:
    """Cells of `new`, from its left edge, that must be written for the screen to go from
    `old` to `new`: 0 if they are the same, up to and including the last differing cell
    (to the cell or a little beyond, never short of it)."""
    if old is new:
        return 0
    width = new.cell_length
    if old.cell_length != width:
        return max(width, old.cell_length)
    a, b = list(old), list(new)
    i, j = len(a) - 1, len(b) - 1
    same = 0  # cells at the end that are the same in both
    while i >= 0 and j >= 0 and a[i] == b[j]:
        same += cell_len(b[j].text)
        i, j = i - 1, j - 1
    if i < 0 and j < 0:
        return 0
    if i >= 0 and j >= 0 and a[i].style == b[j].style:
        # the first differing runs share a style: their common ending is unchanged too
        x, y = a[i].text, b[j].text
        k = 0
        while k < len(x) and k < len(y) and x[-1 - k] == y[-1 - k]:
            k += 1
        same += cell_len(y[len(y) - k :])
    return width - same


class QuietBorder:
    """Mixin for a Widget: border title and subtitle setters that repaint only their own
    border line (put it before the Widget class in the bases)."""

    _border_line: str | None = None
    _border_cells: int | None = None

    def set_border_title(self, title: str | Text) -> None:
        """Set the border title if it changed, repainting only the top border line (up to
        the end of the longer of the old and new titles, when they sit on the left)."""
        self._set_border("top", "border_title", title)

    def set_border_subtitle(self, subtitle: str | Text) -> None:
        """Set the border subtitle if it changed, repainting only the bottom border line."""
        self._set_border("bottom", "border_subtitle", subtitle)

    def _set_border(self, line: str, name: str, value: str | Text) -> None:
        shown = getattr(self, "_border_values", None)
        if shown is None:
            shown = self._border_values = {}
        if name in shown and shown[name] == value:
            return
        before = shown.get(name)
        shown[name] = value
        self._border_line = line
        self._border_cells = None
        if line == "top" and before is not None and self.styles.border_title_align == "left":
            # "╭─ title ": the corner, a rule and the title padded by a space each side
            self._border_cells = 4 + max(cell_len(str(before)), cell_len(str(value)))
        try:
            setattr(self, name, value)
        finally:
            self._border_line = None

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, **kwargs):
        """As Widget.refresh; while a border text is set, only that border's line."""
        line = self._border_line
        if line is not None and not regions and repaint and not layout and not kwargs:
            x, y = self.content_offset
            width, height = self.outer_size
            if self._border_cells is not None:
                width = min(width, self._border_cells)
            top = -y if line == "top" else height - y - 1
            return super().refresh(Region(-x, top, width, 1))
        return super().refresh(*regions, repaint=repaint, layout=layout, **kwargs)
