"""A State driven by command lines on a clock that only moves when told (no store)."""

from __future__ import annotations

from console.commands.apply import ApplyContext, apply
from console.commands.grammar import parse
from console.domain.model import State


class World:
    def __init__(self, settings, clock):
        self.state = State()
        self.settings = settings
        self.clock = clock
        self.intents: list[dict] = []

    def run(self, line, after_seconds: float = 0, selected=None):
        if after_seconds:
            self.clock.advance(after_seconds)
        ctx = ApplyContext(now=self.clock.now(), settings=self.settings, selected=selected)
        out = apply(self.state, parse(line), ctx)
        for ev in out.events:
            self.state.apply(ev)
        self.intents.extend(out.intents)
        return out
