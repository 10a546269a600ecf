"""'?': help for the focused pane, every key of the screen, and the command language."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from console.commands.grammar import verbs
from console.ui.keymap import KEYS, key_label


def help_text(pane_title: str, pane_help: str, keymap: dict[str, str], drill: bool) -> Text:
    """The help page as plain Text (pure: tests and the palette read it too)."""
    out = Text()
    out.append(f"{pane_title}\n", style="bold")
    out.append(pane_help.strip() + "\n\n")
    out.append("Keys\n", style="bold")
    for k in KEYS:
        if k.drill_only and not drill:
            continue
        keys = key_label(keymap.get(k.id, k.keys))
        out.append(f"  {keys:<12} {k.description}  ({k.id})\n")
    out.append("  j k g G      down, up, first, last (hidden aliases)\n")
    out.append("  ctrl+p       palette: commands named 'noun: verb', themes\n\n")
    out.append("Command language (':' line, palette, drill scripts, exec)\n", style="bold")
    for spec in verbs():
        out.append(f"  {spec.usage}\n")
        out.append(f"      {spec.summary}\n", style="dim")
    return out


class HelpScreen(ModalScreen[None]):
    """Scrollable help; escape, q or ? closes."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; max-width: 100; height: 90%; border: round $primary;
        background: $surface; padding: 0 1;
    }
    """

    def __init__(self, text: Text) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "Help (esc closes)"
            yield Static(self.text)

    def action_close(self) -> None:
        self.dismiss(None)
