"""Short text for cells: severities, statuses and ages, each with a glyph or label.

Severity and status are never told by colour alone: every one carries a label (SEV1,
TRIG) and a glyph, so monochrome and colour-blind users read the same screen.
Ages are computed with plain arithmetic: pendulum's `diff_for_humans` costs ~35 us a
call, 350 ms for a 10k-row column.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size

STATUS_LABELS = {
    "triggered": ("●", "TRIG"),
    "acknowledged": ("◐", "ACK"),
    "resolved": ("○", "RES"),
}

COMPONENT_LABELS = {
    "operational": ("✓", "operational"),
    "degraded_performance": ("◔", "degraded"),
    "partial_outage": ("◑", "partial outage"),
    "major_outage": ("✖", "MAJOR OUTAGE"),
    "under_maintenance": ("⚒", "maintenance"),
}

COMPONENT_CLASS = {
    "operational": "ok",
    "degraded_performance": "degraded",
    "partial_outage": "partial",
    "major_outage": "major",
    "under_maintenance": "maintenance",
}


def sev_label(severity: int | None) -> str:
    """'SEV1'.. or '—' for an incident nobody has given a severity."""
    return f"SEV{severity}" if severity else "—"


def status_label(status: str) -> str:
    glyph, label = STATUS_LABELS.get(status, ("?", status[:4].upper()))
    return f"{glyph} {label}"


def component_label(status: str) -> str:
    glyph, label = COMPONENT_LABELS.get(status, ("?", status))
    return f"{glyph} {label}"


def age(seconds: float) -> str:
    """A compact age: '<1m', '4m', '3h', '2d' (never negative).

    Minutes are the finest unit so that ages change once a minute, when the panes
    repaint them (a seconds column would be wrong 59 seconds in 60, or cost a repaint
    of every visible row each second).
    """
    s = max(0, int(seconds))
    if s < 60:
        return "<1m"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h"
    return f"{s // 86400}d"


def ago(seconds: float) -> str:
    """'4m ago', 'just now', or 'in 4m' for a time still to come."""
    if seconds < 0:
        return f"in {age(-seconds)}"
    if seconds < 60:
        return "just now"
    return f"{age(seconds)} ago"


def fit(text: str, width: int) -> str:
    """Exactly `width` cells: cut with an ellipsis, or padded (wide characters counted)."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, 1)
    return set_cell_size(text, width)


def short_path(path: str, room: int, home: str | None = None) -> str:
    """`path` in at most `room` cells where it can be: the home folder as `~`, then the
    leading folders as `…` (the file's own name and its nearest folders are what a reader
    needs to find it)."""
    import os

    home = home if home is not None else os.path.expanduser("~")
    if home and home != "/" and (path == home or path.startswith(home.rstrip("/") + "/")):
        path = "~" + path[len(home.rstrip("/")) :]
    if len(path) <= room:
        return path
    parts = path.split("/")
    for i in range(1, len(parts)):
        tail = "…/" + "/".join(parts[i:])
        if len(tail) <= room:
            return tail
    return parts[-1]
