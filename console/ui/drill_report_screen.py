"""The drill's after-action report, shown when the drill ends (and kept on disk).

The report is plain text here (its Markdown source, which reads well as it is): text
from alerts, customers and responders in it has been made inert by the drill room, and
it is shown as Rich Text, never as markup or rendered Markdown (no links to click).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static


class DrillFinished(Message):
    """Posted once by the screen's feed when the drill session reports `.finished`."""

    def __init__(self, markdown: str, met: int, total: int, saved: tuple[str, ...]) -> None:
        super().__init__()
        self.markdown = markdown
        self.met = met
        self.total = total
        self.saved = saved


def report_message(session) -> DrillFinished:
    """The message for a finished drill session (console.drill.DrillSession)."""
    report = session.report()
    score = report.data["score"]
    saved = tuple(str(p) for p in getattr(session, "report_paths", ()) or ())
    return DrillFinished(report.markdown, score["met"], score["total"], saved)


def report_text(message: DrillFinished) -> Text:
    out = Text()
    out.append(
        f"Drill over: {message.met} of {message.total} objectives met\n",
        style="bold",
    )
    if message.saved:
        out.append("Saved as " + " and ".join(message.saved) + "\n", style="dim")
    out.append("\n")
    out.append(message.markdown)
    return out


class DrillReportScreen(ModalScreen[None]):
    """Scrollable after-action report; escape or q closes (the drill's store stays open)."""

    BINDINGS = [Binding("escape,q", "close", "Close", id="drill.report.close")]
    DEFAULT_CSS = """
    DrillReportScreen { align: center middle; }
    DrillReportScreen > VerticalScroll {
        width: 95%; max-width: 120; height: 95%; border: round $primary;
        background: $surface; padding: 0 1;
    }
    """

    def __init__(self, message: DrillFinished) -> None:
        super().__init__()
        self.text = report_text(message)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "After-action report (esc closes)"
            yield Static(self.text)

    def action_close(self) -> None:
        self.dismiss(None)
