"""Rate limits held on our side, so the providers rarely have to refuse us.

Each limit is a token bucket keyed by (provider, a fingerprint of the credential): the
fingerprint is a short hash, so the token itself is never a dictionary key, a log field or
part of a repr. Waiting goes through the Clock, so a test or a drill jumps over it.

PagerDuty's REST limit is also *serial* per token: one request in flight at a time, which
`RateLimiter.slot()` provides as a context manager.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from console.domain.clock import Clock


@dataclass(frozen=True)
class Limit:
    """`requests` per `per_seconds`, with bursts up to `burst` (default: the full amount)."""

    requests: int
    per_seconds: float
    serial: bool = False
    burst: int | None = None

    @property
    def interval(self) -> float:
        return self.per_seconds / self.requests


# The providers' documented limits (per credential):
LIMITS: dict[str, Limit] = {
    # PagerDuty REST: 960 requests a minute per API token, and it asks for serial use.
    "pagerduty": Limit(960, 60.0, serial=True),
    # PagerDuty Events v2: 120 events a minute per routing key.
    "pagerduty_events": Limit(120, 60.0),
    # Statuspage: 1 request a second per API token (it answers 420/429 beyond that).
    "statuspage": Limit(1, 1.0, burst=1),
    # Opsgenie: token buckets per domain whose sizes depend on the plan; 600 a minute is
    # within every plan's limit for the Alert and Configuration domains.
    "opsgenie": Limit(600, 60.0),
    # Slack incoming webhooks: about one message a second per webhook.
    "chat": Limit(1, 1.0, burst=1),
}


def fingerprint(secret: str) -> str:
    """A short, stable, one-way name for a credential (for keys, never for display)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


class RateLimiter:
    """A token bucket that waits through the clock. Thread-safe."""

    def __init__(self, limit: Limit, clock: Clock) -> None:
        self.limit = limit
        self._clock = clock
        self._capacity = float(limit.burst or limit.requests)
        self._tokens = self._capacity
        self._stamp = clock.now()
        self._lock = threading.Lock()
        self._serial = threading.Lock()

    def _refill(self) -> None:
        now = self._clock.now()
        elapsed = (now - self._stamp).total_seconds()
        if elapsed > 0:
            self._tokens = min(self._capacity, self._tokens + elapsed / self.limit.interval)
            self._stamp = now

    def acquire(self) -> float:
        """Take one token, sleeping through the clock until there is one; the wait in seconds."""
        waited = 0.0
        while True:
            with self._lock:
                self._refill()
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return waited
                need = (1.0 - self._tokens) * self.limit.interval
            self._clock.sleep(need)
            waited += need

    @contextmanager
    def slot(self) -> Iterator[None]:
        """A token, and for a serial limit the one in-flight slot for the whole request."""
        if self.limit.serial:
            with self._serial:
                self.acquire()
                yield
        else:
            self.acquire()
            yield


class Unlimited:
    """No limit at all (benchmarks lift limits to measure our own overhead)."""

    @contextmanager
    def slot(self) -> Iterator[None]:
        yield

    def acquire(self) -> float:
        return 0.0


class Limiters:
    """One limiter per (provider, credential), shared by every client of the process."""

    def __init__(
        self, clock: Clock, limits: dict[str, Limit] | None = None, lifted: bool = False
    ) -> None:
        self._clock = clock
        self._limits = dict(LIMITS if limits is None else limits)
        self._lifted = lifted
        self._made: dict[tuple[str, str], RateLimiter | Unlimited] = {}
        self._lock = threading.Lock()

    def for_credential(self, provider: str, secret: str) -> RateLimiter | Unlimited:
        if self._lifted or provider not in self._limits:
            return Unlimited()
        key = (provider, fingerprint(secret))
        with self._lock:
            if key not in self._made:
                self._made[key] = RateLimiter(self._limits[provider], self._clock)
            return self._made[key]
