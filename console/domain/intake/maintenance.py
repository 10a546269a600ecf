"""Maintenance windows: which are active or coming, and which end soon (the Status pane).

Windows come from the config (`[[maintenance]]`) and from the timeline
(`maintenance_scheduled` events folded into `State.maintenance`). A window covers its
service from `start` (inclusive) to `end` (exclusive); during it, that service's alerts
are recorded as suppressed and open no incident.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pendulum import DateTime

from console.domain.model import MaintenanceWindow

# how long before its end a window is flagged, so no one is surprised by pages resuming
ENDING_SOON_SECONDS = 15 * 60


@dataclass(frozen=True)
class WindowStatus:
    """One window as the Status pane shows it."""

    window: MaintenanceWindow
    state: str  # "active" | "ending_soon" | "upcoming"
    seconds_left: int  # until it ends (active) or starts (upcoming)

    @property
    def warn(self) -> bool:
        return self.state == "ending_soon"


def all_windows(config: Any, state: Any) -> list[MaintenanceWindow]:
    """The config's windows and the timeline's, without duplicates, by start time."""
    if not config.maintenance and not state.maintenance:
        return []  # the usual case, once per alert: nothing to copy or sort
    seen: set[tuple[str, Any, Any]] = set()
    out: list[MaintenanceWindow] = []
    for w in list(config.maintenance) + list(state.maintenance):
        key = (w.service, w.start, w.end)
        if key not in seen:
            seen.add(key)
            out.append(w)
    return sorted(out, key=lambda w: (w.start, w.service))


def active_window(
    windows: list[MaintenanceWindow], service: str, at: DateTime
) -> MaintenanceWindow | None:
    """The window covering `service` at `at` (the one ending last, if several)."""
    if not windows:
        return None  # the usual case, once per new alert
    covering = [w for w in windows if w.service == service and w.covers(at)]
    return max(covering, key=lambda w: w.end) if covering else None


def window_statuses(
    windows: list[MaintenanceWindow],
    now: DateTime,
    horizon_seconds: int = 24 * 3600,
    ending_soon_seconds: int = ENDING_SOON_SECONDS,
) -> list[WindowStatus]:
    """Active windows (flagged when ending soon) and those starting within the horizon."""
    out: list[WindowStatus] = []
    for w in windows:
        if w.covers(now):
            left = int((w.end - now).total_seconds())
            out.append(
                WindowStatus(w, "ending_soon" if left <= ending_soon_seconds else "active", left)
            )
        elif now < w.start and (w.start - now).total_seconds() <= horizon_seconds:
            out.append(WindowStatus(w, "upcoming", int((w.start - now).total_seconds())))
    order = {"ending_soon": 0, "active": 1, "upcoming": 2}
    return sorted(out, key=lambda s: (order[s.state], s.seconds_left))
