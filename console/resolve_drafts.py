"""Postmortem drafts for resolves that headless processes write (`ingest`, `sync`).

A resolve typed by someone (`exec`, the screen) writes its draft through
console/actions.py; a screen also writes the drafts of resolves it sees arrive from
elsewhere. A headless `ingest` (an alert's resolve, an auto-resolve) or `sync` (the
provider's "resolved", from its poll) running with no screen open would otherwise leave
no draft, so these processes watch their own store writes with `ResolveDrafts` and
write the same draft, in the same place (console/postmortem_file.py), once the write is
durable. Writing it twice (a screen is open too) only replaces an untouched draft.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from console.domain.clock import Clock
from console.domain.settings import Settings
from console.postmortem_file import (
    PostmortemWriteError,
    atomic_write,
    default_path,
    free_path,
    render_for_store,
    with_marker,
)

Report = Callable[[str, Path | None, str], None]


class ResolveDrafts:
    """Renders the draft of each incident that a store write with one of `origins`
    resolves, as the write lands (in the writing thread, where the state is consistent),
    and writes the files at `flush()`, outside the store's lock: a draft's fsync never
    holds up the next write."""

    def __init__(self, store, settings: Settings, clock: Clock, origins: Iterable[str]) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.origins = frozenset(origins)
        self._ready: dict[str, str] = {}  # incident -> rendered draft, newest wins
        self._lock = threading.Lock()
        store.on_change(self._on_records)

    def _on_records(self, records: list[dict[str, Any]]) -> None:
        hits = [
            rec["incident"]
            for rec in records
            if rec.get("t") == "event"
            and rec.get("kind") == "resolved"
            and rec.get("incident")
            and rec.get("origin") in self.origins
        ]
        for inc_id in dict.fromkeys(hits):
            inc = self.store.state.get(inc_id)
            if inc is None or inc.is_open:
                continue  # reopened in the same write: its next resolve writes the draft
            text = with_marker(render_for_store(self.store, inc_id, self.settings, self.clock))
            with self._lock:
                self._ready[inc_id] = text

    def flush(self, done: Report | None = None) -> list[tuple[str, Path | None, str]]:
        """Write the drafts rendered since the last flush: (incident, path or None,
        message) each, also told to `done`."""
        with self._lock:
            ready, self._ready = self._ready, {}
        out: list[tuple[str, Path | None, str]] = []
        for inc_id, text in ready.items():
            try:
                path = free_path(default_path(self.store.path, inc_id))
                atomic_write(path, text)
            except PostmortemWriteError as exc:
                item: tuple[str, Path | None, str] = (inc_id, None, str(exc))
            else:
                item = (inc_id, path, f"postmortem draft written to {path}")
            out.append(item)
            if done is not None:
                done(*item)
        return out
