"""A stand-in for console.store.Store's outbox API, in memory and without durability.

The engine tests run on the real store when `console.store.Store` is importable; this
double keeps them runnable before it is (and states plainly that it is not the store).
"""

from __future__ import annotations

import threading
from typing import Any

from console.domain.model import State


class MemoryStore:
    """State, intents and deliveries; `transact(fn)` applies fn's batch under a lock."""

    def __init__(self, kind: str = "live", read_only: bool = False) -> None:
        self.kind = kind
        self.read_only = read_only
        self.state = State()
        self.intents: dict[str, dict[str, Any]] = {}
        self.deliveries: dict[tuple[str, str], dict[str, Any]] = {}
        self.writes = 0
        self._lock = threading.RLock()

    def refresh(self) -> bool:
        return False

    def transact(self, fn):
        if self.read_only:
            raise RuntimeError("read-only")
        with self._lock:
            result = fn(self.state)
            for ev in getattr(result, "events", []):
                self.state.apply(ev)
            for it in getattr(result, "intents", []):
                self.intents[it["id"]] = dict(it)
            for d in getattr(result, "deliveries", []):
                self.deliveries[(d["intent"], d["provider"])] = dict(d)
            self.writes += 1
            return result

    def close(self) -> None:
        return None
