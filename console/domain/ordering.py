"""How incidents are ordered wherever they are listed."""

from __future__ import annotations

from console.domain.clock import timestamp
from console.domain.model import Incident

_STATUS_RANK = {"triggered": 0, "acknowledged": 1, "resolved": 2}


def incident_order(inc: Incident) -> tuple:
    """Open and unacknowledged first, then by severity (SEV1 first; undeclared last), then oldest first."""
    return (
        _STATUS_RANK.get(inc.status, 3),
        inc.severity if inc.severity is not None else 9,
        timestamp(inc.created_at),
        inc.number,
    )
