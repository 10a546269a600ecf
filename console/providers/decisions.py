"""What to do after each HTTP answer (or failure to get one), for every provider.

One table, declared for every status 100-599 of every provider, so that no answer is left
to chance: `decide(provider, status, headers)` says ok, retry (with backoff), wait (a rate
limit, for as long as the provider asks), final (shown, never retried) or pause (bad
credentials: the provider stops until new ones are given).

The retry itself is the sync engine's job; this module only decides and computes delays.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Action = Literal["ok", "retry", "wait", "final", "pause"]

PROVIDERS = ("pagerduty", "pagerduty_events", "statuspage", "opsgenie", "chat")

# A rate-limited answer without any header to say how long: wait this long at first,
# doubling per consecutive refusal (with jitter), up to RATE_LIMIT_CAP.
RATE_LIMIT_DEFAULT_WAIT = 2.0
RATE_LIMIT_CAP = 120.0
# Transient failures: exponential backoff from BACKOFF_BASE, capped.
BACKOFF_BASE = 1.0
BACKOFF_CAP = 300.0


@dataclass(frozen=True)
class Decision:
    """The verdict on one answer; `wait_seconds` is set when the provider named a delay."""

    action: Action
    reason: str
    status: int | None = None
    wait_seconds: float | None = None

    @property
    def retryable(self) -> bool:
        return self.action in ("retry", "wait")


def _rate_limit_statuses(provider: str) -> frozenset[int]:
    # Statuspage answers 420 ("Enhance your calm") as well as 429 when throttling.
    return frozenset({429, 420}) if provider == "statuspage" else frozenset({429})


def decide(provider: str, status: int, headers: Mapping[str, str] | None = None) -> Decision:
    """The declared decision for `status` from `provider` (see the module docstring)."""
    if provider not in PROVIDERS:
        raise ValueError(f"unknown provider {provider!r}")
    if not 100 <= status <= 599:
        raise ValueError(f"not an HTTP status: {status}")
    headers = headers or {}
    if 200 <= status <= 299:
        return Decision("ok", "accepted", status)
    if status in _rate_limit_statuses(provider):
        return Decision("wait", "rate limited", status, rate_limit_wait(headers))
    if status == 401:
        return Decision("pause", "credentials refused (401): paused until new credentials", status)
    if status == 408:
        return Decision("retry", "request timeout (408)", status)
    if 500 <= status <= 599:
        return Decision("retry", f"server error ({status})", status)
    if 100 <= status <= 199:
        # httpx never hands an interim answer back as final; if one arrives the exchange
        # was broken in transit, which is a transient fault.
        return Decision("retry", f"unexpected interim answer ({status})", status)
    if 300 <= status <= 399:
        # Same-host redirects are followed by the HTTP layer; one still here went to
        # another host (refused: it could carry the token away) or looped.
        return Decision("final", f"redirect refused ({status})", status)
    return Decision("final", f"refused by the provider ({status})", status)


def rate_limit_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from Retry-After (seconds, or an HTTP date read against the
    answer's own Date header) or ratelimit-reset / X-RateLimit-Reset (seconds).

    None when the answer names no usable delay (the caller falls back to backoff).
    Header names match case-insensitively; a huge value is capped, never trusted.
    """
    lowered = {k.lower(): v.strip() for k, v in headers.items()}
    # X-RateLimit-Period-In-Sec is what Opsgenie sends with its 429s.
    for name in (
        "retry-after",
        "ratelimit-reset",
        "x-ratelimit-reset",
        "x-ratelimit-period-in-sec",
    ):
        raw = lowered.get(name)
        if raw is None:
            continue
        try:
            seconds: float | None = float(raw)
        except ValueError:
            seconds = _seconds_until_date(raw, lowered.get("date"))
        if seconds is not None and seconds == seconds:  # not NaN
            return min(max(seconds, 0.0), RATE_LIMIT_CAP * 30)
    return None


def _seconds_until_date(until_text: str, date_text: str | None) -> float | None:
    if not date_text:
        return None
    try:
        until = email.utils.parsedate_to_datetime(until_text)
        now = email.utils.parsedate_to_datetime(date_text)
        return (until - now).total_seconds()
    except (TypeError, ValueError):
        return None


def backoff_delay(
    attempt: int, rng: random.Random, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP
) -> float:
    """Exponential backoff with jitter: attempt 1 waits about `base`, each next one twice as long.

    'Equal jitter': half the window fixed, half random, so waits never collapse to zero
    and many consoles retrying at once spread out.
    """
    window = min(cap, base * (2 ** max(attempt - 1, 0)))
    return window / 2 + rng.uniform(0, window / 2)


def wait_for(decision: Decision, attempt: int, rng: random.Random) -> float:
    """How long to wait before the next try after `decision` (the `attempt`-th failure)."""
    if decision.action == "wait":
        if decision.wait_seconds is not None:
            return decision.wait_seconds
        return backoff_delay(attempt, rng, base=RATE_LIMIT_DEFAULT_WAIT, cap=RATE_LIMIT_CAP)
    return backoff_delay(attempt, rng)
