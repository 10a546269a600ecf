"""One HTTP request an adapter means to make, decided without doing any I/O.

The adapters' mapping modules (statuspage_calls, opsgenie_calls, chat_message) turn an
outbox intent into these, so what each provider receives can be tested without a network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HttpCall:
    """A request relative to the provider's base URL (`path` starts with '/')."""

    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    purpose: str = ""  # what it does, in words for the timeline ("create status-page incident")


@dataclass(frozen=True)
class Skip:
    """The intent needs nothing from this provider, and why (shown in the sync detail)."""

    reason: str


@dataclass(frozen=True)
class Refusal:
    """The intent concerns this provider but cannot be expressed to it (a person with no
    identity there, a service with no escalation policy): final, and shown, never retried."""

    reason: str
