"""A stale status page: public impact, and no status-page post for too long (pure).

Customers read the status page; when it has said nothing new for `stale_minutes`
([status] stale_minutes, default 30) while the incident is open, the incidents pane marks
the row and the status bar says which incident, so the commander posts an update before
customers start contacting support.

    stale_page(incident, now, minutes)      -> StalePage | None   (one row)
    stale_pages(state, now, minutes)        -> [StalePage]        (the status bar)
    row_marker(stale)                       -> "page 42m"         (a short cell)
    status_bar_text(stales)                 -> "INC-3: status page silent 42m — post an update"
    silent_for(is_open, page_status, last_ts, now_ts, minutes) -> minutes | None (the rule)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pendulum import DateTime

from console.domain.model import Incident, State

DEFAULT_STALE_MINUTES = 30


@dataclass(frozen=True)
class StalePage:
    """An open incident whose public status page has been silent for `minutes` (whole)."""

    incident: str
    last_update: DateTime
    minutes: int
    page_status: str


def has_public_impact(inc: Incident) -> bool:
    """The incident has an open status-page incident (declared public, or posted to)."""
    return inc.page_status is not None and inc.page_status != "resolved"


def silent_for(
    is_open: bool,
    page_status: str | None,
    last_update_ts: float | None,
    now_ts: float,
    minutes: int = DEFAULT_STALE_MINUTES,
) -> int | None:
    """The one rule, on plain values (the UI's snapshot rows keep timestamps): the whole
    minutes the page has been silent when that is `minutes` or more, else None.

    Stale from the instant `minutes` have passed since the last post (inclusive), so a
    30-minute limit marks the row at 30:00, not 30:59. Not public (no page incident, or
    a resolved one), a resolved incident, or no post time: never stale.
    """
    if not is_open or page_status in (None, "resolved") or last_update_ts is None:
        return None
    silent = now_ts - last_update_ts
    if silent < minutes * 60:
        return None
    return int(silent // 60)


def stale_page(
    inc: Incident, now: DateTime, minutes: int = DEFAULT_STALE_MINUTES
) -> StalePage | None:
    """`inc`'s staleness at `now`, or None when its page is fresh, resolved or not public."""
    last = inc.last_page_update_at
    silent = silent_for(
        inc.is_open,
        inc.page_status,
        last.timestamp() if last is not None else None,
        now.timestamp(),
        minutes,
    )
    if silent is None or last is None:
        return None
    return StalePage(inc.id, last, silent, str(inc.page_status))


def stale_pages(
    state: State, now: DateTime, minutes: int = DEFAULT_STALE_MINUTES
) -> list[StalePage]:
    """Every stale incident, the longest-silent first (ties by incident number)."""
    found = [s for inc in state.open_incidents() if (s := stale_page(inc, now, minutes))]
    return sorted(found, key=lambda s: (-s.minutes, _number(s.incident)))


def _number(inc_id: str) -> int:
    return int(inc_id.split("-", 1)[1])


def silent_words(minutes: int) -> str:
    """`42m`, `1h 05m`."""
    hours, mins = divmod(minutes, 60)
    return f"{hours}h {mins:02d}m" if hours else f"{mins}m"


def row_marker(stale: StalePage | None) -> str:
    """The incidents pane's cell: empty when fresh."""
    return "" if stale is None else f"page {silent_words(stale.minutes)}"


def status_bar_text(stales: Sequence[StalePage | tuple[str, int]], short: bool = False) -> str:
    """One line naming the longest-silent incident; empty when none. `short` fits the
    status bar at 80 columns (`INC-1 status page silent 45m (+1)`).

    Takes `StalePage`s or `(incident id, silent minutes)` pairs (the UI's rows)."""
    pairs = [(s.incident, s.minutes) if isinstance(s, StalePage) else s for s in stales]
    if not pairs:
        return ""
    inc, minutes = max(pairs, key=lambda p: (p[1], -_number(p[0])))
    if short:
        more = f" (+{len(pairs) - 1})" if len(pairs) > 1 else ""
        return f"{inc} status page silent {silent_words(minutes)}{more}"
    more = f" (+{len(pairs) - 1} more)" if len(pairs) > 1 else ""
    return f"{inc}: status page silent {silent_words(minutes)}{more} — post an update"
