"""The key bar: the keys that act now, on one line at the bottom of the screen.

It shows what Textual's Footer shows (each shown binding's key and description, dimmed
when it cannot act, the palette's key at the right) but as one widget drawing one line.
The Footer is a widget per key, each restyled twice when it mounts, built empty for the
first frame and rebuilt after it; this bar is in the first frame, and when the keys that
can act change it repaints its one line only if the line changed.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.strip import Strip
from textual.widget import Widget

PALETTE_TEXT = " palette"


class KeyBar(Widget):
    """One line of `key description` pairs for the focused screen's shown bindings."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--divider"}

    DEFAULT_CSS = """
    KeyBar {
        height: 1;
        dock: bottom;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-bar--divider { color: $foreground 20%; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._items: tuple[tuple[str, str, str, bool], ...] = ()
        self._palette: tuple[str, str, bool] | None = None
        self._spans: list[tuple[int, int, str, bool]] = []  # x0, x1, key, enabled
        self._styles: dict[str, Style] | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None

    # -- what to show ----------------------------------------------------------------

    def _read_bindings(self):
        """(key, key display, description, enabled) per action, and the palette's key."""
        items: list[tuple[str, str, str, bool]] = []
        actions: set[str] = set()
        palette = None
        active = self.screen.active_bindings
        for _node, binding, enabled, _tooltip in active.values():
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)  # one entry per action, as the Footer does
            items.append(
                (binding.key, self.app.get_key_display(binding), binding.description, enabled)
            )
        if self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, _tooltip = found
                palette = (binding.key, self.app.get_key_display(binding), enabled)
        return tuple(items), palette

    def _bindings_changed(self, screen) -> None:
        if screen is not self.screen:
            return
        if self._read_bindings() != (self._items, self._palette):
            self.refresh()  # render_line reads them again

    # -- drawing ---------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        if self._styles is None:
            self._styles = {
                n.removeprefix("key-bar--"): self.get_component_rich_style(n, partial=True)
                for n in self.COMPONENT_CLASSES
            }
            # a translucent colour is blended over the bar, as a border's would be
            divider = self.styles.background + self.get_component_styles("key-bar--divider").color
            self._styles["divider"] = Style(color=divider.rich_color)
        return self._styles[name]

    def render_line(self, y: int) -> Strip:
        # read when drawn: the first frame already has the focused pane's keys
        self._items, self._palette = self._read_bindings()
        width = self.size.width
        base = self.rich_style
        dim = Style(dim=True)
        key_style, desc_style = base + self._style("key"), base + self._style("description")
        segments: list[Segment] = []
        spans: list[tuple[int, int, str, bool]] = []
        x = 0
        for key, display, description, enabled in self._items:
            extra = Style() if enabled else dim
            if x + len(display) + 3 + len(description) > width:
                break  # whole keys only: a narrow terminal shows the first ones
            start = x
            segments.append(Segment(f" {display} ", key_style + extra))
            x += len(display) + 2
            if description:
                segments.append(Segment(f"{description} ", desc_style + extra))
                x += len(description) + 1
            spans.append((start, x, key, enabled))
        if self._palette is not None:
            key, display, enabled = self._palette
            extra = Style() if enabled else dim
            tail = 1 + len(display) + len(PALETTE_TEXT) + 1
            if x + tail <= width:
                segments.append(Segment(" " * (width - x - tail), base))
                start = width - tail
                segments.append(Segment("▏", base + self._style("divider")))
                segments.append(Segment(display, key_style + extra))
                segments.append(Segment(PALETTE_TEXT, desc_style + extra))
                segments.append(Segment(" ", base))
                spans.append((start, width, key, enabled))
        self._spans = spans
        return Strip(segments).crop_extend(0, width, base).simplify()

    # -- the mouse ------------------------------------------------------------------------

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """A click on a key presses it (a key that cannot act rings the bell)."""
        for start, end, key, enabled in self._spans:
            if start <= event.x < end:
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
