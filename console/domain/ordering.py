"""How incidents are ordered wherever they are listed."""

from __future__ import annotations

from console.domain.clock import timestamp
from console.domain.model import Incident

_STATUS_RANK = {"triggered": 0, "acknowledged": 1, "resolved": 2}


def incident_order(inc: Incident) -> tuple:
    """Open and unacknowledged first, then by severity (SEV1 first; undeclared last), then oldest first."""
    return order_key(inc.status, inc.severity, timestamp(inc.created_at), inc.number)


def order_key(status: str, severity: int | None, created_ts: float, number: int) -> tuple:
    """`incident_order` from an incident's parts (a list building rows has them already)."""
    return (
        _STATUS_RANK.get(status, 3),
        severity if severity is not None else 9,
        created_ts,
        number,
    )
