"""Schema versions of the journal and how to bring an old one up to date.

Schema 1 (the first prototype) stored an event's time as `ts` and had no `origin`: every
event was typed locally. Schema 2 names the time `at` and records the origin.
"""

from __future__ import annotations

from typing import Any

CURRENT_SCHEMA = 2


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


_STEPS = {1: _v1_to_v2}


def migrate_records(records: list[dict[str, Any]], schema: int) -> list[dict[str, Any]]:
    """Carry one journal line's records from `schema` to CURRENT_SCHEMA."""
    while schema < CURRENT_SCHEMA:
        step = _STEPS[schema]
        records = [step(r) for r in records]
        schema += 1
    return records
