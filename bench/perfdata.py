"""Build stores of a given size through the real store API (cached per run)."""

from __future__ import annotations

import atexit
import random
import shutil
import tempfile
import uuid
from functools import cache
from pathlib import Path

import pendulum

from console.domain.model import Event
from console.store import Batch, Store

SERVICES = ["payments", "checkout", "database", "search", "auth"]
T0 = pendulum.datetime(2026, 11, 1, tz="UTC")
_ROOT = Path(tempfile.mkdtemp(prefix="ic-bench-"))
# each run builds some 40 MB of stores: gone when the run ends, not left in /tmp
atexit.register(shutil.rmtree, _ROOT, ignore_errors=True)


def _ev(inc: str | None, kind: str, at, text: str, /, **data) -> Event:
    return Event(
        id=uuid.uuid4().hex,
        at=at,
        kind=kind,
        author="bench",
        origin="local",
        text=text,
        incident=inc,
        data=data,
    )


@cache
def store_with(incidents: int, events: int, compact: bool = True) -> Path:
    """A store folder holding `incidents` incidents and about `events` timeline events."""
    path = _ROOT / f"store-{incidents}-{events}-{int(compact)}"
    store = Store.open(path)
    rng = random.Random(incidents * 7 + events)
    per = max(2, events // max(1, incidents))
    batches = []
    for n in range(1, incidents + 1):
        inc = f"INC-{n}"
        at = T0.add(minutes=n)
        evs = [
            _ev(
                inc,
                "opened",
                at,
                f"Opened: incident {n}",
                title=f"{rng.choice(SERVICES)} incident {n}: error rate up",
                severity=rng.randint(1, 5),
                urgency="high",
                service=rng.choice(SERVICES),
                components=[],
            )
        ]
        status = rng.random()
        for k in range(per - 1):
            evs.append(
                _ev(inc, "note", at.add(seconds=k + 1), f"note {k} on {inc}", text=f"note {k}")
            )
        if status < 0.9:
            evs.append(_ev(inc, "resolved", at.add(minutes=30), "Resolved"))
        elif status < 0.95:
            evs.append(_ev(inc, "acknowledged", at.add(minutes=5), "Acknowledged"))
        batches.append(Batch(events=evs))
        if len(batches) >= 500:
            store.transact_many([lambda s, b=b: b for b in batches])
            batches = []
    if batches:
        store.transact_many([lambda s, b=b: b for b in batches])
    if compact:
        store.compact()
    store.close()
    return path
