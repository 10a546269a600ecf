"""Shared helpers for intake's tests: the providers' specs, settings, a fixed id source."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pendulum
import pytest

from console.domain.model import State
from console.domain.settings import settings_from_dict

SPECS = Path(__file__).resolve().parents[3] / ".." / "shared" / "specs"
T0 = pendulum.datetime(2026, 8, 20, 10, 0, tz="UTC")


def spec_json(rel: str):
    path = SPECS / rel
    if not path.exists():
        pytest.skip(
            f"provider specs not found at {SPECS} (expected ../shared/specs beside the repo)"
        )
    return json.loads(path.read_text())


def counter_ids(prefix: str = "id"):
    n = itertools.count(1)
    return lambda: f"{prefix}{next(n)}"


def settings(doc: dict | None = None):
    return settings_from_dict(doc or {}, source="test.toml")


def trigger(
    key: str | None = "k1",
    summary: str = "Disk full on db-1",
    severity: str = "critical",
    routing_key: str = "KEY-PAY",
    **payload,
):
    body = {
        "routing_key": routing_key,
        "event_action": "trigger",
        "payload": {
            "summary": summary,
            "source": payload.pop("source", "db-1"),
            "severity": severity,
            **payload,
        },
    }
    if key is not None:
        body["dedup_key"] = key
    return body


def action(kind: str, key: str, routing_key: str = "KEY-PAY"):
    return {"routing_key": routing_key, "event_action": kind, "dedup_key": key}


class Feed:
    """Apply intake's events to a State as the store would, step by step."""

    def __init__(self, doc: dict | None = None) -> None:
        from console.domain.intake.engine import intake_result

        self._intake = intake_result
        self.state = State()
        self.settings = settings(doc)
        self.ids = counter_ids()
        self.intents: list[dict] = []
        self.events = []

    def send(self, body, at=None, fmt=None):
        res = self._intake(self.state, self.settings, body, at or T0, fmt=fmt, ids=self.ids)
        for ev in res.events:
            self.state.apply(ev)
        self.events.extend(res.events)
        self.intents.extend(res.intents)
        return res

    def kinds(self, res=None):
        return [e.kind for e in (res.events if res else self.events)]


class MemorySink:
    """An in-memory stand-in for the store's `transact_many` (tests only): folds into a State.

    It keeps the store's contract (each function sees the previous ones' effects, results
    in order) without a disk, and counts commits so tests can see group commit happen.
    """

    def __init__(self) -> None:
        import threading

        self.state = State()
        self.events: list = []
        self.intents: list[dict] = []
        self.commits = 0
        self.fail_next = False
        self._lock = threading.Lock()

    def transact_many(self, fns):
        with self._lock:
            if self.fail_next:
                self.fail_next = False
                raise OSError(28, "No space left on device")
            results = []
            for fn in fns:
                result = fn(self.state)
                for ev in getattr(result, "events", []):
                    self.state.apply(ev)
                    self.events.append(ev)
                self.intents.extend(getattr(result, "intents", []))
                results.append(result)
            self.commits += 1
            return results
