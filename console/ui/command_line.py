"""The ':' command line and the '/' filter line: one Input, two modes.

In command mode it completes from the command language's REGISTRY (verbs, then the
selected incident, severities, statuses and component names) and keeps a history
(up/down). In filter mode each keystroke narrows the Incidents pane.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input

from console.domain.model import COMPONENT_STATUSES, PAGE_STATUSES

SEVERITIES = ("sev1", "sev2", "sev3", "sev4", "sev5")


def complete(value: str, selected: str | None, components: list[str]) -> str | None:
    """The whole line with its last word completed, or None (pure: tests call it)."""
    if not value or value.endswith(" ") and not value.strip():
        return None
    from console.commands.grammar import ALIASES, REGISTRY  # with the first keystroke

    words = value.split(" ")
    last = words[-1].lower()
    if len(words) == 1:
        verbs = sorted(set(REGISTRY) | set(ALIASES))
        hit = next((v for v in verbs if v.startswith(last) and v != last), None)
        return value + hit[len(last) :] if hit and last else None
    verb = ALIASES.get(words[0].lower(), words[0].lower())
    spec = REGISTRY.get(verb)
    if spec is None:
        return None
    candidates: list[str] = []
    if len(words) == 2 and spec.takes_incident and selected:
        candidates.append(selected)
    if verb in ("declare", "severity"):
        candidates += SEVERITIES
    if verb == "update":
        candidates += PAGE_STATUSES
    if verb == "component":
        candidates += [f'"{c}"' for c in components] + list(COMPONENT_STATUSES)
    if verb == "update" or verb == "resolve" or spec.options:
        candidates += [f"--{o}" for o in spec.options]
    if not last:
        return None
    hit = next((c for c in candidates if c.lower().startswith(last) and c.lower() != last), None)
    return value + hit[len(last) :] if hit else None


class CommandSuggester(Suggester):
    """Feeds `complete` to the Input's inline suggestion (right or tab accepts it)."""

    def __init__(self, line: CommandLine) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.line = line

    async def get_suggestion(self, value: str) -> str | None:
        if self.line.mode != "command":
            return None
        return complete(value, self.line.selected, self.line.components)


class CommandLine(Input):
    """':' runs a command line; '/' filters. Enter submits, escape closes."""

    BINDINGS = [
        Binding("escape", "close", "Close", show=False),
        Binding("up", "history(-1)", "Previous", show=False),
        Binding("down", "history(1)", "Next", show=False),
        Binding("tab", "accept_suggestion", "Complete", show=False, priority=True),
    ]

    DEFAULT_CSS = """
    CommandLine {
        height: 1;
        border: none;
        padding: 0 1;
        display: none;
        background: $panel;
        &:focus { border: none; }
        &.-open { display: block; }
    }
    """

    class Entered(Message):
        def __init__(self, mode: str, value: str) -> None:
            super().__init__()
            self.mode = mode
            self.value = value

    class FilterChanged(Message):
        def __init__(self, value: str) -> None:
            super().__init__()
            self.value = value

    class Closed(Message):
        def __init__(self, mode: str) -> None:
            super().__init__()
            self.mode = mode

    def __init__(self) -> None:
        super().__init__(id="command-line", select_on_focus=False)
        self.suggester = CommandSuggester(self)
        self.mode = "command"
        self.selected: str | None = None
        self.components: list[str] = []
        self.history: list[str] = []
        self._history_at = 0

    def open(self, mode: str, value: str = "") -> None:
        self.mode = mode
        self.placeholder = (
            "command (tab completes, ↑ history, esc closes) e.g. note the db is back"
            if mode == "command"
            else "filter: words, sev:1 status:triggered service:payments (esc clears)"
        )
        self.value = value
        self.cursor_position = len(value)
        self._history_at = len(self.history)
        self.add_class("-open")
        self.focus()

    def close(self) -> None:
        self.remove_class("-open")

    def action_close(self) -> None:
        mode = self.mode
        self.close()
        self.post_message(self.Closed(mode))

    def action_accept_suggestion(self) -> None:
        # at the end of the line, moving right takes the inline suggestion
        self.cursor_position = len(self.value)
        self.action_cursor_right()

    def action_history(self, step: int) -> None:
        if self.mode != "command" or not self.history:
            return
        self._history_at = max(0, min(len(self.history), self._history_at + step))
        self.value = self.history[self._history_at] if self._history_at < len(self.history) else ""
        self.cursor_position = len(self.value)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.mode == "filter":
            self.post_message(self.FilterChanged(self.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = self.value.strip()
        if self.mode == "command" and value:
            if not self.history or self.history[-1] != value:
                self.history.append(value)
            self._history_at = len(self.history)
        self.post_message(self.Entered(self.mode, value))
