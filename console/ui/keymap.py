"""Every key of the main screen, as data: one table feeds BINDINGS, help and the palette.

Each binding has a stable id (`incident.ack`, ...) that `[ui.keymap]` in the config can
rebind: `"incident.ack" = "A"`. Vim keys are hidden aliases on the same bindings.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Key:
    id: str
    keys: str
    action: str
    description: str
    show: bool = False
    drill_only: bool = False


KEYS: tuple[Key, ...] = (
    Key("incident.ack", "a", "ack", "Ack", show=True),
    Key("incident.resolve", "r", "resolve", "Resolve", show=True),
    Key("incident.escalate", "e", "escalate", "Escalate"),
    Key("incident.note", "n", "note", "Note", show=True),
    Key("incident.declare", "d", "declare", "Declare", show=True),
    Key("incident.severity", "s", "severity", "Severity"),
    Key("status.component", "c", "component", "Component"),
    Key("status.update", "u", "update", "Status update"),
    Key("status.maintenance", "m", "maintenance", "Maintenance"),
    Key("incident.task", "t", "task", "Task"),
    Key("app.command", "colon", "command", "Command", show=True),
    Key("app.filter", "slash", "filter", "Filter", show=True),
    Key("app.help", "question_mark", "help", "Help", show=True),
    Key("app.quit", "q", "quit", "Quit", show=True),
    Key("pane.next", "tab", "next_pane", "Next pane"),
    Key("pane.previous", "shift+tab", "previous_pane", "Previous pane"),
    Key("pane.incidents", "1", "pane('incidents')", "Incidents pane"),
    Key("pane.timeline", "2", "pane('timeline')", "Timeline pane"),
    Key("pane.oncall", "3", "pane('oncall')", "On-call pane"),
    Key("pane.status", "4", "pane('status')", "Status pane"),
    Key("drill.pause", "p", "drill_pause", "Pause", show=True, drill_only=True),
    Key("drill.faster", "greater_than_sign", "drill_speed(1)", "Faster", drill_only=True),
    Key("drill.slower", "less_than_sign", "drill_speed(-1)", "Slower", drill_only=True),
    Key("drill.step", "full_stop", "drill_step", "Step", drill_only=True),
)

# actions that change the store: hidden in a read-only console
WRITE_ACTIONS = {
    "ack",
    "resolve",
    "escalate",
    "note",
    "declare",
    "severity",
    "component",
    "update",
    "maintenance",
    "task",
}
# actions that need a selected incident (greyed without one)
INCIDENT_ACTIONS = {"ack", "resolve", "escalate", "note", "severity", "update", "task"}


def bindings() -> list[Binding]:
    return [Binding(k.keys, k.action, k.description, show=k.show, id=k.id) for k in KEYS]


def keymap_from_settings(ui: dict) -> tuple[dict[str, str], list[str]]:
    """`[ui.keymap]` as Textual's keymap, and one line per entry that cannot be used."""
    raw = ui.get("keymap") or {}
    known = {k.id for k in KEYS} | {
        "list.down",
        "list.up",
        "list.first",
        "list.last",
        "list.page_down",
        "list.page_up",
    }
    keymap: dict[str, str] = {}
    problems: list[str] = []
    if not isinstance(raw, dict):
        return {}, ["[ui.keymap] must be a table of binding id = keys"]
    for binding_id, keys in raw.items():
        if binding_id not in known:
            problems.append(f"[ui.keymap] unknown binding id '{binding_id}'")
        elif not isinstance(keys, str) or not keys.strip():
            problems.append(f'[ui.keymap] {binding_id} must be a key string like "A" or "ctrl+a"')
        else:
            keymap[binding_id] = keys
    return keymap, problems


def key_label(keys: str) -> str:
    names = {
        "colon": ":",
        "slash": "/",
        "question_mark": "?",
        "greater_than_sign": ">",
        "less_than_sign": "<",
        "full_stop": ".",
    }
    return ", ".join(names.get(k, k) for k in keys.split(","))
