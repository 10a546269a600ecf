"""Run one command line against a store: parse, apply under the write lock, persist.

The one path by which the ':' line, the palette, keys, drill scripts and `exec` change
state (DESIGN.md, 'One direction for data').
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from console.commands.apply import ApplyContext, Outcome, Refused, apply
from console.commands.grammar import Command, ParseError, parse
from console.domain.clock import Clock
from console.domain.settings import Settings
from console.postmortem_file import write_after_resolve
from console.store import Store

__all__ = ["execute", "execute_line", "ParseError", "Refused"]


def execute(
    store: Store,
    cmd: Command,
    settings: Settings,
    clock: Clock,
    origin: str = "local",
    selected: str | None = None,
    postmortem_done: Callable[[str, Path | None, str], None] | None = None,
    background: bool = False,
) -> Outcome:
    """Apply `cmd` to the store's freshest state and make it durable; or raise Refused.

    A command that resolves an incident also writes its postmortem draft
    (console/postmortem_file.py), after the resolve is durable and whatever the providers'
    state: `background=True` writes it in a thread (the TUI), and `postmortem_done(inc,
    path or None, message)` hears how it went. A draft that cannot be written never
    undoes the resolve.
    """

    def run(state):
        ctx = ApplyContext(now=clock.now(), settings=settings, origin=origin, selected=selected)
        return apply(state, cmd, ctx)

    outcome = store.transact(run)
    write_after_resolve(
        store,
        outcome,
        settings,
        clock,
        background=background,
        done=postmortem_done or _report_to_stderr,
    )
    return outcome


def _report_to_stderr(inc_id: str, path: Path | None, message: str) -> None:
    # headless callers (exec, drills) see a failed draft on stderr; success stays quiet
    if path is None:
        sys.stderr.write(f"incident-console: {message}\n")


def execute_line(store: Store, line: str, settings: Settings, clock: Clock, **kw) -> Outcome:
    return execute(store, parse(line), settings, clock, **kw)
