"""The status bar: LIVE or DRILL (and read-only), the clock, each provider's sync state.

The clock is its own widget and repaints only itself once a second (a few dozen bytes),
instead of re-laying out the bar.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Static


class ClockLabel(Widget):
    """The (possibly simulated) time, HH:MM:SSZ, and the drill's speed."""

    DEFAULT_CSS = """
    ClockLabel { width: auto; min-width: 10; height: 1; padding: 0 1; color: $foreground; }
    """

    def __init__(self, clock, *, ticking: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.ticking = ticking

    def on_mount(self) -> None:
        if self.ticking:
            self.set_interval(1.0, self.refresh)

    def render(self) -> Text:
        now = self.clock.now().in_tz("UTC")
        text = now.strftime("%H:%M:%SZ")
        speed = getattr(self.clock, "speed", None)
        if speed is not None:
            paused = getattr(self.clock, "paused", False)
            text += " ‖ paused" if paused else f" ▶ x{speed:g}"
        return Text(text)

    def get_content_width(self, container, viewport) -> int:
        return len(self.render().plain)


class StatusBar(Horizontal):
    """One line across the top."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        dock: top;
        background: $panel;
        & > #mode { width: auto; padding: 0 1; text-style: bold; background: $mode-live; color: $background; }
        &.-drill > #mode { background: $mode-drill; }
        & > #ro { width: auto; padding: 0 1; text-style: bold; color: $warning; display: none; }
        &.-read-only > #ro { display: block; }
        & > #providers { width: 1fr; padding: 0 1; color: $text-muted; text-align: right; }
        & > #providers.-warning { color: $warning; }
        & > #providers.-error { color: $error; text-style: bold; }
        & > #stale { width: auto; max-width: 60%; padding: 0 1; text-style: bold; color: $background; background: $warning; display: none; }
        & > #stale.-shown { display: block; }
    }
    """

    def __init__(self, clock, *, ticking: bool = True) -> None:
        super().__init__()
        self._clock = clock
        self._ticking = ticking
        self._texts: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static("LIVE", id="mode")
        yield Static("READ-ONLY", id="ro")
        yield ClockLabel(self._clock, ticking=self._ticking, id="clock")
        yield Static("", id="stale")
        yield Static("", id="providers")

    def show(self, kind: str, read_only: bool, providers, pending: int) -> None:
        """Mode, read-only flag and the providers' words (`(name, text, level)` tuples).

        `pending` (intents not settled yet) is not shown: each provider's words say how
        many wait for it."""
        self._update("#mode", "DRILL" if kind == "drill" else "LIVE")
        self.set_class(kind == "drill", "-drill")
        self.set_class(read_only, "-read-only")
        label = self.query_one("#providers", Static)
        if providers:
            text = " · ".join(p[1] for p in providers)
            levels = {p[2] for p in providers}
        else:
            # nothing drains the outbox without a provider, so a count of "queued" changes
            # would promise a send that never comes (and q rightly does not ask about it)
            text = "no providers configured: nothing is sent"
            levels = set()
        self._update("#providers", text)
        label.set_class("error" in levels, "-error")
        label.set_class("warning" in levels and "error" not in levels, "-warning")

    def show_stale(self, text: str) -> None:
        """The stale-status-page warning (console.domain.stale.status_bar_text); '' hides it."""
        self._update("#stale", f"⚠ {text}" if text else "")
        self.query_one("#stale", Static).set_class(bool(text), "-shown")

    def _update(self, selector: str, text: str) -> None:
        # only on a change: Static.update lays the bar out again, on every snapshot and
        # every minute otherwise (the bytes of a repainted bar, and a layout pass)
        if self._texts.get(selector) != text:
            self._texts[selector] = text
            self.query_one(selector, Static).update(Text(text))

    def tick(self) -> None:
        self.query_one(ClockLabel).refresh()
