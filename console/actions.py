"""Run one command line against a store: parse, apply under the write lock, persist.

The one path by which the ':' line, the palette, keys, drill scripts and `exec` change
state (DESIGN.md, 'One direction for data').
"""

from __future__ import annotations

from console.commands.apply import ApplyContext, Outcome, Refused, apply
from console.commands.grammar import Command, ParseError, parse
from console.domain.clock import Clock
from console.domain.settings import Settings
from console.store import Store

__all__ = ["execute", "execute_line", "ParseError", "Refused"]


def execute(
    store: Store,
    cmd: Command,
    settings: Settings,
    clock: Clock,
    origin: str = "local",
    selected: str | None = None,
) -> Outcome:
    """Apply `cmd` to the store's freshest state and make it durable; or raise Refused."""

    def run(state):
        ctx = ApplyContext(now=clock.now(), settings=settings, origin=origin, selected=selected)
        return apply(state, cmd, ctx)

    return store.transact(run)


def execute_line(store: Store, line: str, settings: Settings, clock: Clock, **kw) -> Outcome:
    return execute(store, parse(line), settings, clock, **kw)
