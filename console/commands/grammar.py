"""Parse one command line into a `Command`.

One grammar serves the ':' line, the palette, drill scripts and `incident-console exec`.
A line is split like a shell line (quotes group words); the leading ':' is optional.
Parsing checks the shape and the words (SEV, DURATION, status words); whether the
incident or the user exists is `apply`'s business, since it needs the state.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from console.domain.model import COMPONENT_STATUSES, PAGE_STATUSES, PRIORITIES, ROLES
from console.domain.words import WordError, is_inc, parse_duration, parse_inc, parse_sev


class ParseError(ValueError):
    """The line does not follow the grammar. The message is one sentence for the user."""


@dataclass(frozen=True)
class Command:
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    line: str = ""

    @property
    def incident(self) -> str | None:
        return self.args.get("inc")


@dataclass(frozen=True)
class CommandSpec:
    """One verb of the language: its usage line, what it does, how to read its words."""

    name: str
    usage: str
    summary: str
    parse: Callable[[list[str], dict[str, list[str]]], dict[str, Any]]
    options: tuple[str, ...] = ()
    repeatable: tuple[str, ...] = ()
    takes_incident: bool = True
    group: str = "incident"


REGISTRY: dict[str, CommandSpec] = {}
ALIASES: dict[str, str] = {"acknowledge": "ack", "sev": "severity", "maintenance": "maint"}


def command(
    name: str,
    usage: str,
    summary: str,
    *,
    options=(),
    repeatable=(),
    takes_incident=True,
    group="incident",
):
    def register(fn):
        REGISTRY[name] = CommandSpec(
            name, usage, summary, fn, tuple(options), tuple(repeatable), takes_incident, group
        )
        return fn

    return register


# -- tokenising -------------------------------------------------------------------


def tokenize(line: str) -> list[str]:
    text = line.strip()
    if text.startswith(":"):
        text = text[1:].lstrip()
    try:
        return shlex.split(text)
    except ValueError as exc:  # unbalanced quotes
        raise ParseError(f"cannot read the line: {exc}") from None


def _split_options(spec: CommandSpec, words: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    positional: list[str] = []
    opts: dict[str, list[str]] = {}
    i = 0
    while i < len(words):
        w = words[i]
        if w.startswith("--") and len(w) > 2:
            name, eq, value = w[2:].partition("=")
            if name not in spec.options:
                allowed = ", ".join(f"--{o}" for o in spec.options) or "none"
                raise ParseError(f"{spec.name}: unknown option --{name} (options: {allowed})")
            if not eq:
                i += 1
                if i >= len(words):
                    raise ParseError(f"{spec.name}: --{name} needs a value")
                value = words[i]
            if name in opts and name not in spec.repeatable:
                raise ParseError(f"{spec.name}: --{name} given twice")
            opts.setdefault(name, []).append(value)
        else:
            positional.append(w)
        i += 1
    return positional, opts


def parse(line: str) -> Command:
    words = tokenize(line)
    if not words:
        raise ParseError("empty command")
    verb = words[0].lower()
    verb = ALIASES.get(verb, verb)
    spec = REGISTRY.get(verb)
    if spec is None:
        raise ParseError(f"unknown command '{words[0]}' (commands: {', '.join(sorted(REGISTRY))})")
    positional, opts = _split_options(spec, words[1:])
    try:
        args = spec.parse(positional, opts)
    except WordError as exc:
        raise ParseError(f"{spec.name}: {exc}") from None
    return Command(spec.name, args, line.strip())


# -- helpers for the verbs ------------------------------------------------------------


def _take_inc(pos: list[str]) -> str | None:
    if pos and is_inc(pos[0]):
        return parse_inc(pos.pop(0))
    return None


def _need_inc(pos: list[str], verb: str) -> str:
    if not pos or not is_inc(pos[0]):
        raise ParseError(f"{verb}: name the incident (e.g. {verb} INC-1)")
    return parse_inc(pos.pop(0))


def _text(pos: list[str], verb: str, what: str = "a text") -> str:
    text = " ".join(pos).strip()
    if not text:
        raise ParseError(f"{verb}: needs {what}")
    return text


def _one(opts: dict[str, list[str]], name: str) -> str | None:
    values = opts.get(name)
    return values[0] if values else None


def _no_more(pos: list[str], verb: str) -> None:
    if pos:
        raise ParseError(f"{verb}: unexpected '{pos[0]}'")


def _choice(word: str, allowed: tuple[str, ...], what: str) -> str:
    w = word.lower()
    if w not in allowed:
        raise ParseError(f"'{word}' is not a {what} (use {', '.join(allowed)})")
    return w


# -- the verbs ------------------------------------------------------------------------


@command(
    "declare",
    'declare [INC] SEV ["title"] [--service S] [--component C]... [--commander USER]',
    "declare an incident (a new one, or one an alert opened)",
    options=("service", "component", "commander"),
    repeatable=("component",),
)
def _declare(pos, opts):
    inc = _take_inc(pos)
    if not pos:
        raise ParseError("declare: needs a severity (sev1 to sev5)")
    sev = parse_sev(pos.pop(0))
    return {
        "inc": inc,
        "severity": sev,
        "title": " ".join(pos).strip() or None,
        "service": _one(opts, "service"),
        "components": opts.get("component", []),
        "commander": _one(opts, "commander"),
    }


@command("ack", "ack [INC]", "acknowledge an incident")
def _ack(pos, opts):
    inc = _take_inc(pos)
    _no_more(pos, "ack")
    return {"inc": inc}


@command("resolve", "resolve [INC] [--note TEXT]", "resolve an incident", options=("note",))
def _resolve(pos, opts):
    inc = _take_inc(pos)
    _no_more(pos, "resolve")
    return {"inc": inc, "note": _one(opts, "note")}


@command("reopen", "reopen INC", "reopen a resolved incident")
def _reopen(pos, opts):
    inc = _need_inc(pos, "reopen")
    _no_more(pos, "reopen")
    return {"inc": inc}


@command(
    "escalate",
    "escalate [INC] [--level N]",
    "escalate to the next level (or level N)",
    options=("level",),
)
def _escalate(pos, opts):
    inc = _take_inc(pos)
    _no_more(pos, "escalate")
    level = _one(opts, "level")
    if level is not None and (not level.isdigit() or int(level) < 1):
        raise ParseError(f"escalate: --level must be a level number from 1, not '{level}'")
    return {"inc": inc, "level": int(level) if level else None}


@command("reassign", "reassign [INC] USER", "assign the incident to someone else")
def _reassign(pos, opts):
    inc = _take_inc(pos)
    return {"inc": inc, "user": _text(pos, "reassign", "a user")}


@command(
    "page",
    "page [INC] USER|POLICY [--message TEXT]",
    "ask another responder to join",
    options=("message",),
)
def _page(pos, opts):
    inc = _take_inc(pos)
    return {
        "inc": inc,
        "target": _text(pos, "page", "a user or an escalation policy"),
        "message": _one(opts, "message"),
    }


@command("note", "note [INC] TEXT", "add a note to the timeline")
def _note(pos, opts):
    inc = _take_inc(pos)
    return {"inc": inc, "text": _text(pos, "note")}


@command("severity", "severity [INC] SEV", "change the severity")
def _severity(pos, opts):
    inc = _take_inc(pos)
    if len(pos) != 1:
        raise ParseError("severity: needs one severity (sev1 to sev5)")
    return {"inc": inc, "severity": parse_sev(pos[0])}


@command("priority", "priority [INC] P1..P5", "change the priority")
def _priority(pos, opts):
    inc = _take_inc(pos)
    if len(pos) != 1:
        raise ParseError("priority: needs one priority (P1 to P5)")
    return {
        "inc": inc,
        "priority": _choice(pos[0], tuple(p.lower() for p in PRIORITIES), "priority").upper(),
    }


@command("role", "role [INC] ROLE USER", "hand a role (commander, comms, ops, scribe) to someone")
def _role(pos, opts):
    inc = _take_inc(pos)
    if len(pos) < 2:
        raise ParseError("role: needs a role and a user (e.g. role INC-1 comms grace)")
    role = _choice(pos.pop(0), ROLES, "role")
    return {"inc": inc, "role": role, "user": " ".join(pos)}


@command("task", "task [INC] TEXT [--owner USER]", "add an action item", options=("owner",))
def _task(pos, opts):
    inc = _take_inc(pos)
    return {"inc": inc, "text": _text(pos, "task"), "owner": _one(opts, "owner")}


@command(
    "component",
    'component "NAME" STATUS',
    "set a status component's status",
    takes_incident=False,
    group="status",
)
def _component(pos, opts):
    if len(pos) < 2:
        raise ParseError(
            'component: needs a name and a status (e.g. component "Payment Processing" degraded_performance)'
        )
    status = _choice(pos[-1], COMPONENT_STATUSES, "component status")
    return {"component": " ".join(pos[:-1]), "status": status}


@command(
    "update",
    "update [INC] STATUS TEXT [--component NAME=STATUS]...",
    "post a status-page update (investigating, identified, monitoring, resolved)",
    options=("component",),
    repeatable=("component",),
    group="status",
)
def _update(pos, opts):
    inc = _take_inc(pos)
    if not pos:
        raise ParseError(f"update: needs a status ({', '.join(PAGE_STATUSES)}) and a text")
    status = _choice(pos.pop(0), PAGE_STATUSES, "status-page status")
    changes: dict[str, str] = {}
    for item in opts.get("component", []):
        name, eq, value = item.rpartition("=")
        if not eq or not name.strip():
            raise ParseError(f"update: --component takes NAME=STATUS, not '{item}'")
        changes[name.strip()] = _choice(value.strip(), COMPONENT_STATUSES, "component status")
    return {"inc": inc, "status": status, "text": _text(pos, "update"), "components": changes}


@command("say", "say [INC] TEXT", "post a message to the stakeholders' chat", group="status")
def _say(pos, opts):
    inc = _take_inc(pos)
    return {"inc": inc, "text": _text(pos, "say")}


@command("snooze", "snooze [INC] DURATION", "snooze an acknowledged incident")
def _snooze(pos, opts):
    inc = _take_inc(pos)
    if len(pos) != 1:
        raise ParseError("snooze: needs one duration (e.g. 30m)")
    return {"inc": inc, "seconds": parse_duration(pos[0])}


@command("merge", "merge INTO FROM...", "merge incidents into one", takes_incident=False)
def _merge(pos, opts):
    if len(pos) < 2:
        raise ParseError(
            "merge: needs the incident to merge into and at least one to merge (merge INC-1 INC-2)"
        )
    into = parse_inc(pos[0])
    sources = [parse_inc(w) for w in pos[1:]]
    return {"inc": into, "sources": sources}


@command(
    "maint",
    "maint SERVICE START END TEXT",
    "schedule a maintenance window",
    takes_incident=False,
    group="status",
)
def _maint(pos, opts):
    if len(pos) < 4:
        raise ParseError(
            'maint: needs a service, a start, an end and a text (maint database now +2h "Failover")'
        )
    return {"service": pos[0], "start": pos[1], "end": pos[2], "text": " ".join(pos[3:])}


def verbs() -> list[CommandSpec]:
    """Every verb, for help, the palette and completion."""
    return [REGISTRY[name] for name in sorted(REGISTRY)]
