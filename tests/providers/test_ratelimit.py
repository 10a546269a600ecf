"""Rate limits wait through the clock, per credential."""

import threading

from console.domain.clock import FixedClock
from console.providers.ratelimit import LIMITS, Limit, Limiters, RateLimiter, Unlimited, fingerprint


def test_statuspage_is_one_a_second():
    clock = FixedClock("2026-01-01T00:00:00Z")
    limiter = RateLimiter(LIMITS["statuspage"], clock)
    start = clock.now()
    for _ in range(5):
        limiter.acquire()
    assert (clock.now() - start).total_seconds() == 4.0


def test_events_allow_a_burst_of_120_then_two_a_second_per_minute():
    clock = FixedClock("2026-01-01T00:00:00Z")
    limiter = RateLimiter(LIMITS["pagerduty_events"], clock)
    start = clock.now()
    for _ in range(120):
        limiter.acquire()
    assert clock.now() == start
    for _ in range(120):
        limiter.acquire()
    assert abs((clock.now() - start).total_seconds() - 60.0) < 1e-3


def test_pagerduty_rest_is_serial_per_token():
    clock = FixedClock("2026-01-01T00:00:00Z")
    limiter = RateLimiter(LIMITS["pagerduty"], clock)
    inside = []
    peak = []

    def work():
        with limiter.slot():
            inside.append(1)
            peak.append(len(inside))
            threading.Event().wait(0.01)
            inside.pop()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert max(peak) == 1


def test_limiters_are_per_credential_and_keyed_by_fingerprint():
    clock = FixedClock("2026-01-01T00:00:00Z")
    limiters = Limiters(clock)
    a = limiters.for_credential("statuspage", "token-a")
    assert limiters.for_credential("statuspage", "token-a") is a
    assert limiters.for_credential("statuspage", "token-b") is not a
    assert all("token" not in k[1] for k in limiters._made)
    assert fingerprint("token-a") != "token-a"
    assert isinstance(Limiters(clock, lifted=True).for_credential("pagerduty", "t"), Unlimited)


def test_a_limit_with_a_smaller_burst_spaces_requests():
    clock = FixedClock("2026-01-01T00:00:00Z")
    limiter = RateLimiter(Limit(10, 1.0, burst=1), clock)
    start = clock.now()
    for _ in range(11):
        limiter.acquire()
    assert abs((clock.now() - start).total_seconds() - 1.0) < 1e-6
