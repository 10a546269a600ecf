"""Each provider's sync state in a few words, for the status bar (pure: no I/O, no clock).

    summarize(health, queued, held, failed, now) -> [ProviderStatus("pagerduty", "ok", ...)]

`health` comes from a running `SyncEngine.health()` or, when no engine runs in this
process, from the newest delivery records (`health_from_deliveries`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pendulum import DateTime

from console.domain.clock import parse_instant

State = Literal["off", "ok", "offline", "backing_off", "paused", "read_only"]


@dataclass(frozen=True)
class Health:
    """What the engine knows about one provider right now."""

    state: State = "ok"
    until: DateTime | None = None  # end of a back-off
    reason: str = ""


@dataclass(frozen=True)
class ProviderStatus:
    provider: str
    state: State
    text: str  # "pagerduty: backing off 12s, 3 queued"
    queued: int = 0
    held: int = 0
    failed: int = 0

    @property
    def level(self) -> str:
        """ "good", "warning" or "error", for the status bar's colour."""
        if self.state in ("paused",) or self.failed:
            return "error"
        if self.state in ("offline", "backing_off") or self.held:
            return "warning"
        return "good"


def _describe(name: str, health: Health, queued: int, held: int, failed: int, now: DateTime) -> str:
    if health.state == "off":
        return f"{name}: off"
    if health.state == "paused":
        words = "paused-401" if "401" in health.reason else "paused"
    elif health.state == "backing_off" and health.until is not None:
        left = max(int((health.until - now).total_seconds() + 0.999), 0)
        words = f"backing off {left}s"
    elif health.state == "backing_off":
        words = "backing off"
    elif health.state == "read_only":
        words = "read-only"
    else:
        words = health.state
    parts = [words]
    if queued:
        parts.append(f"{queued} queued")
    if held:
        parts.append(f"{held} held")
    if failed:
        parts.append(f"{failed} failed")
    return f"{name}: " + ", ".join(parts)


def summarize(
    health: Mapping[str, Health],
    queued: Mapping[str, int],
    held: Mapping[str, int],
    failed: Mapping[str, int],
    now: DateTime,
) -> list[ProviderStatus]:
    """One status per provider named in `health`, in its order."""
    out = []
    for name, h in health.items():
        q, hd, f = queued.get(name, 0), held.get(name, 0), failed.get(name, 0)
        out.append(ProviderStatus(name, h.state, _describe(name, h, q, hd, f, now), q, hd, f))
    return out


def counts_from_deliveries(
    deliveries: Iterable[Mapping[str, Any]],
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """(queued, held, failed) per provider from delivery records (retrying counts as queued)."""
    queued: dict[str, int] = {}
    held: dict[str, int] = {}
    failed: dict[str, int] = {}
    for rec in deliveries:
        target = {"retrying": queued, "held": held, "failed": failed}.get(rec.get("state", ""))
        if target is not None:
            target[rec["provider"]] = target.get(rec["provider"], 0) + 1
    return queued, held, failed


def health_from_deliveries(
    providers: Iterable[str], deliveries: Iterable[Mapping[str, Any]]
) -> dict[str, Health]:
    """A provider's health as its newest delivery record says (for a process with no engine)."""
    newest: dict[str, Mapping[str, Any]] = {}
    for rec in deliveries:
        seen = newest.get(rec["provider"])
        if seen is None or rec.get("at", "") >= seen.get("at", ""):
            newest[rec["provider"]] = rec
    out: dict[str, Health] = {}
    for name in providers:
        rec = newest.get(name)
        if rec is None or rec.get("state") != "retrying":
            out[name] = Health("ok")
            continue
        state = rec.get("health") or "backing_off"
        until = rec.get("until")
        out[name] = Health(state, parse_instant(until) if until else None, rec.get("detail", ""))
    return out
