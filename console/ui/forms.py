"""The keys' forms as data, and the command lines they make (pure; tests call these).

Each form is a list of `Field`s; its `line(values, incident)` builds a command line of the
command language (quoted like a shell line), which then runs through console.actions
like any typed ':' line.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

from console.domain.model import COMPONENT_STATUSES, PAGE_STATUSES

SEVERITY_CHOICES = tuple((f"SEV{i}", f"sev{i}") for i in range(1, 6))


class FormError(ValueError):
    """A field is missing or wrong; the message names the field."""


@dataclass(frozen=True)
class Field:
    """One input: `choices` (label, value) make it a list to pick from; else free text."""

    name: str
    label: str
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = True
    placeholder: str = ""
    default: str = ""


@dataclass(frozen=True)
class Form:
    title: str
    fields: tuple[Field, ...]
    make_line: Callable[[dict[str, str], str | None], str]
    confirm: Callable[[dict[str, str]], str | None] = field(default=lambda v: None)

    def line(self, values: dict[str, str], incident: str | None) -> str:
        for f in self.fields:
            if f.required and not (values.get(f.name) or "").strip():
                raise FormError(f"{f.label}: needs a value")
        return self.make_line(values, incident)


def q(text: str) -> str:
    return shlex.quote(text.strip())


def _declare(v: dict[str, str], inc: str | None) -> str:
    words = ["declare"]
    if v.get("which") == "selected" and inc:
        words.append(inc)
    words.append(v["severity"])
    if v.get("title", "").strip():
        words.append(q(v["title"]))
    if v.get("service"):
        words += ["--service", q(v["service"])]
    for comp in (v.get("components") or "").split(","):
        if comp.strip():
            words += ["--component", q(comp)]
    if v.get("commander", "").strip():
        words += ["--commander", q(v["commander"])]
    return " ".join(words)


def declare_form(services: list[str], components: list[str], incident: str | None) -> Form:
    fields = []
    if incident:
        fields.append(
            Field(
                "which",
                "Incident",
                choices=((f"declare {incident} (selected)", "selected"), ("a new incident", "new")),
            )
        )
    fields += [
        Field("severity", "Severity", choices=SEVERITY_CHOICES, default="sev2"),
        Field("title", "Title", required=not incident, placeholder="Payments degraded"),
        Field(
            "service",
            "Service",
            choices=tuple((s, s) for s in services),
            required=False,
        )
        if services
        else Field("service", "Service", required=False, placeholder="payments"),
        Field(
            "components",
            "Components",
            required=False,
            placeholder=", ".join(components[:3]) or "comma-separated status components",
        ),
        Field("commander", "Commander", required=False, placeholder="you, if left empty"),
    ]
    return Form("Declare an incident", tuple(fields), _declare)


def note_form() -> Form:
    return Form(
        "Add a note",
        (Field("text", "Note", placeholder="what happened, what you saw"),),
        lambda v, inc: f"note {inc} {q(v['text'])}",
    )


def task_form() -> Form:
    return Form(
        "Add an action item",
        (
            Field("text", "Task", placeholder="add a retry budget to the payments client"),
            Field("owner", "Owner", required=False, placeholder="a user, optional"),
        ),
        lambda v, inc: (
            f"task {inc} {q(v['text'])}"
            + (f" --owner {q(v['owner'])}" if v.get("owner", "").strip() else "")
        ),
    )


def severity_form(current: int | None) -> Form:
    return Form(
        "Change the severity",
        (Field("severity", "Severity", choices=SEVERITY_CHOICES, default=f"sev{current or 3}"),),
        lambda v, inc: f"severity {inc} {v['severity']}",
    )


def component_form(components: list[str], prefer=()) -> Form:
    """The component form; its list starts on the first of `prefer` (the selected
    incident's service's components) that is configured, else on the first component."""
    default = next((c for c in prefer if c in components), "")
    return Form(
        "Set a status component",
        (
            Field(
                "component",
                "Component",
                choices=tuple((c, c) for c in components),
                default=default,
            )
            if components
            else Field("component", "Component", placeholder="Payment Processing"),
            Field(
                "status",
                "Status",
                choices=tuple((s.replace("_", " "), s) for s in COMPONENT_STATUSES),
            ),
        ),
        lambda v, inc: f"component {q(v['component'])} {v['status']}",
        confirm=lambda v: (
            f"Set {v['component']} to MAJOR OUTAGE on the public status page?"
            if v.get("status") == "major_outage"
            else None
        ),
    )


def update_form() -> Form:
    return Form(
        "Post a status-page update",
        (
            Field("status", "Status", choices=tuple((s, s) for s in PAGE_STATUSES)),
            Field("text", "Message", placeholder="We are investigating elevated payment errors."),
        ),
        lambda v, inc: f"update {inc} {v['status']} {q(v['text'])}",
    )


def maintenance_form(services: list[str]) -> Form:
    return Form(
        "Schedule a maintenance window",
        (
            Field("service", "Service", choices=tuple((s, s) for s in services))
            if services
            else Field("service", "Service", placeholder="database"),
            Field("start", "Start", placeholder="now, +30m or 2026-11-30T22:00Z", default="now"),
            Field("end", "End", placeholder="+2h or an ISO time", default="+1h"),
            Field("text", "Description", placeholder="Primary database failover"),
        ),
        lambda v, inc: f"maint {q(v['service'])} {q(v['start'])} {q(v['end'])} {q(v['text'])}",
    )
