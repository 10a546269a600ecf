"""What the live console does in the background: fire due escalations, drain the outbox.

Runs in one thread worker (never on the UI thread). Escalations, acknowledgement
timeouts and auto-resolves come from the on-call room's timers and are written like any
other event, with deterministic ids, so a second console on the same store firing the
same timer changes nothing. The sync engine carries queued intents to the providers and
records each delivery in the store, which the status bar reads.

A drill does neither here: its session ticks the simulated clock and its fakes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TIMER_HORIZON_HOURS = 24
STEP_SECONDS = 0.25


class LiveBackground:
    """`run(cancelled)` in a thread worker of the live console."""

    def __init__(self, link, config_path: Path | None) -> None:
        self.link = link  # console.ui.store_link.StoreLink: its lock guards the shared State
        self.settings = link.settings
        self.clock = link.clock
        self.config_path = config_path
        self.engine: Any = None
        self.problem = ""
        self._timers: Any = None
        self._timers_until = None

    @property
    def store(self):
        # read in the worker thread: waits for a store still opening
        return self.link.store

    @property
    def read_only(self) -> bool:
        return self.link.read_only

    # -- escalation timers -------------------------------------------------------------

    def _due_timers(self, state, now) -> list:
        from console.drill.timers import DrillTimers  # the same timers a drill fires

        if self._timers is None or now >= self._timers_until:
            self._timers_until = now.add(hours=TIMER_HORIZON_HOURS)
            self._timers = DrillTimers(self.settings, self._timers_until, origin="local")
        return [e for e in self._timers.due(state, now) if e.id not in state.event_ids]

    def fire_timers(self) -> int:
        """Write every escalation, ack timeout and auto-resolve that is due; how many."""
        if self.read_only or not self.settings.raw.get("policies"):
            return 0
        from console.store import Batch

        now = self.clock.now()
        with self.link.lock:
            if not self._due_timers(self.store.state, now):
                return 0
            [batch] = self.link.transact_many(
                [lambda state: Batch(events=self._due_timers(state, now))]
            )
        return len(batch.events)

    # -- sync ----------------------------------------------------------------------------

    def start_engine(self) -> None:
        """The sync engine, when a provider has credentials and the store may send."""
        if self.read_only:
            return
        try:
            from console.sync.engine import SyncEngine
            from console.sync.settings import sync_settings
            from console.sync.wiring import live_providers

            cfg = sync_settings(self.settings.raw, self.settings.source)
            wiring = live_providers(
                self.settings.raw, self.config_path, self.clock, read_only=False
            )
            self.link.provider_names = [p.name for p in wiring.providers]
            if not wiring.providers:
                return
            from console.store import Store

            # the engine works on its own view of the store, as `sync` in another process
            # would: the UI picks its deliveries up by refreshing, and no lock is held
            # across a provider's round trip
            own = Store.open(self.store.path, kind=self.store.kind)
            self.engine = SyncEngine(
                own,
                wiring.providers,
                self.clock,
                hold_seconds=cfg.hold_seconds,
                poll_seconds=cfg.poll_seconds,
                components=self.settings.components,
            )
            self._poll_seconds = cfg.poll_seconds
        except Exception as exc:  # a bad credentials file or URL: said once, the console goes on
            self.problem = f"sync is off: {exc}"

    # -- the loop --------------------------------------------------------------------------

    def run(self, cancelled: Callable[[], bool], say: Callable[[str], None] | None = None) -> None:
        self.start_engine()
        if self.problem and say is not None:
            say(self.problem)
        next_poll = self.clock.now()
        seen_version = -1
        try:
            while not cancelled():
                self.fire_timers()
                if self.engine is not None:
                    own = self.engine.store
                    own.refresh()
                    now = self.clock.now()
                    wake = self.engine.next_wake()
                    poll = now >= next_poll
                    if poll or own.version != seen_version or (wake and now >= wake):
                        self.engine.run_once(poll=poll)
                        if poll:
                            next_poll = self.clock.now().add(seconds=self._poll_seconds)
                        seen_version = own.version
                # short steps, so quitting never waits on this thread
                for _ in range(int(1 / STEP_SECONDS)):
                    if cancelled():
                        break
                    time.sleep(STEP_SECONDS)
        finally:
            if self.engine is not None:
                self.engine.close()
