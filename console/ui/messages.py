"""Messages from worker threads to the screen (the only way results cross over)."""

from __future__ import annotations

from textual.message import Message

from console.ui.store_link import Attention
from console.ui.view_model import Snapshot


class SnapshotReady(Message):
    """A new view of the store. A newer one replaces any still queued, so a flood of
    store changes (an alert storm) costs at most one repaint a frame."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SnapshotReady)


class CommandDone(Message):
    """A command line was applied and is durable."""

    def __init__(self, line: str, incident: str | None, events: int) -> None:
        super().__init__()
        self.line = line
        self.incident = incident
        self.events = events


class DraftWritten(Message):
    """A resolve wrote the incident's postmortem draft (`path`), or could not (`path` None)."""

    def __init__(self, incident: str, path: str | None, message: str) -> None:
        super().__init__()
        self.incident = incident
        self.path = path
        self.message = message


class CommandFailed(Message):
    """A command line was refused, did not parse, or the store could not take it."""

    def __init__(self, line: str, reason: str) -> None:
        super().__init__()
        self.line = line
        self.reason = reason


class AttentionNeeded(Message):
    """Ring the bell and flash these incidents' rows."""

    def __init__(self, items: list[Attention]) -> None:
        super().__init__()
        self.items = items


class OnCallReady(Message):
    """The On-call pane's rows (and the selected incident's outlook), computed off-thread."""

    def __init__(
        self, rows: list, outlook: tuple | None, incident: str | None, problem: str = ""
    ) -> None:
        super().__init__()
        self.rows = rows
        self.outlook = outlook
        self.incident = incident
        self.problem = problem

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, OnCallReady)


class OutlookReady(Message):
    """Who a triggered incident pages next (`row`: its IncidentRow when asked), computed
    off-thread for the given minute."""

    def __init__(self, row, minute: int, outlook: tuple) -> None:
        super().__init__()
        self.row = row
        self.minute = minute
        self.outlook = outlook


class TimelineRead(Message):
    """An incident's stored timeline was read into `timelines` (a snapshot's mapping) by
    a worker, or could not be (`problem`: the damage, naming the file)."""

    def __init__(self, incident: str, timelines, problem: str = "") -> None:
        super().__init__()
        self.incident = incident
        self.timelines = timelines
        self.problem = problem
