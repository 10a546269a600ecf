"""Schema versions of the journal and how to bring an old one up to date.

Schema 1 (the first prototype) stored an event's time as `ts` and had no `origin`: every
event was typed locally. Schema 2 names the time `at` and records the origin. Schema 3
keeps the records as they were and splits the snapshot: snapshot.json holds what opening
needs, events-GEN.jsonl the event log (see console/store/coldlog.py); a schema 2 snapshot
is folded and compacted into that layout by the store (`Store._migrate_snapshot`).
"""

from __future__ import annotations

from typing import Any

CURRENT_SCHEMA = 3


def _v1_to_v2(rec: dict[str, Any]) -> dict[str, Any]:
    if rec.get("t") != "event":
        return rec
    out = dict(rec)
    if "at" not in out and "ts" in out:
        out["at"] = out.pop("ts")
    out.setdefault("origin", "local")
    out.setdefault("data", {})
    out.setdefault("incident", None)
    return out


def _v2_to_v3(rec: dict[str, Any]) -> dict[str, Any]:
    return rec  # the records did not change; the snapshot's layout did


_STEPS = {1: _v1_to_v2, 2: _v2_to_v3}


def migrate_records(records: list[dict[str, Any]], schema: int) -> list[dict[str, Any]]:
    """Carry one journal line's records from `schema` to CURRENT_SCHEMA."""
    while schema < CURRENT_SCHEMA:
        step = _STEPS[schema]
        records = [step(r) for r in records]
        schema += 1
    return records
