"""Small builders for on-call config dicts (docs/config.md shapes)."""

from __future__ import annotations

from typing import Any

import pendulum

from console.domain.settings import settings_from_dict

USERS = ["ada", "grace", "kenji", "priya", "mateo", "seun"]


def at(text: str):
    """A UTC pendulum DateTime from ISO text with an offset."""
    return pendulum.parse(text).in_tz("UTC")


def layer(
    users: list[str],
    start: str,
    turn: int,
    *,
    vstart: str | None = None,
    end: str | None = None,
    restrictions: list[dict] | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "start": start,
        "rotation_virtual_start": vstart or start,
        "rotation_turn_length_seconds": turn,
        "users": users,
    }
    if end:
        out["end"] = end
    if restrictions:
        out["restrictions"] = restrictions
    if name:
        out["name"] = name
    return out


def daily(start: str, duration: int) -> dict[str, Any]:
    return {"type": "daily_restriction", "start_time_of_day": start, "duration_seconds": duration}


def weekly(day: int, start: str, duration: int) -> dict[str, Any]:
    return {
        "type": "weekly_restriction",
        "start_day_of_week": day,
        "start_time_of_day": start,
        "duration_seconds": duration,
    }


def config(
    schedules: dict | None = None,
    policies: dict | None = None,
    services: dict | None = None,
    users: list[str] | None = None,
    status: dict | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "users": {u: {"name": u.title(), "email": f"{u}@example.com"} for u in (users or USERS)},
        "schedules": schedules or {},
        "policies": policies or {},
        "services": services or {},
    }
    if status:
        doc["status"] = status
    return doc


def settings(doc: dict[str, Any], source: str = "team.toml"):
    return settings_from_dict(doc, source=source)


def schedule(
    layers: list[dict], tz: str = "UTC", overrides: list[dict] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {"time_zone": tz, "layers": layers}
    if overrides:
        out["overrides"] = overrides
    return out


def rule(delay: int, *targets: tuple[str, str]) -> dict[str, Any]:
    return {
        "escalation_delay_in_minutes": delay,
        "targets": [{"type": k, "id": i} for k, i in targets],
    }
