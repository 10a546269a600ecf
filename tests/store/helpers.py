"""Small writers used by the store tests (also run in child processes)."""

from __future__ import annotations

import uuid

from console.domain.clock import FixedClock
from console.domain.model import Event
from console.store import Batch

T0 = "2026-11-30T09:00:00Z"


def note_batch(i: int, clock: FixedClock, incident: str | None = None, tag: str = "w") -> Batch:
    return Batch(
        events=[
            Event(
                id=uuid.uuid4().hex,
                at=clock.now(),
                kind="marker",
                author="test",
                origin="local",
                text=f"{tag}-{i}",
                incident=incident,
                data={"i": i, "tag": tag, "pad": "x" * 200},
            )
        ],
        intents=[
            {
                "id": uuid.uuid4().hex,
                "op": "chat.post",
                "incident": incident,
                "args": {"text": f"{tag}-{i}"},
                "created_at": T0,
                "origin": "local",
            }
        ],
    )


def markers(store, tag: str | None = None) -> set[int]:
    return {
        e.data["i"]
        for e in store.state.store_events
        if e.kind == "marker" and (tag is None or e.data["tag"] == tag)
    }


def journal_lines_size(journal) -> int:
    """The bytes a journal's lines take: past them, the zeros of the space it allocates
    ahead (console/store/journal.py)."""
    return len(journal.read_bytes().rstrip(b"\0"))
