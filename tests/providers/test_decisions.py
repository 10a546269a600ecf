"""The declared decision for every HTTP status 100-599 of every provider."""

import random

import pytest

from console.providers.decisions import (
    BACKOFF_CAP,
    PROVIDERS,
    Decision,
    backoff_delay,
    decide,
    rate_limit_wait,
    wait_for,
)


def expected(provider: str, status: int) -> str:
    if 200 <= status < 300:
        return "ok"
    if status == 429 or (status == 420 and provider == "statuspage"):
        return "wait"
    if status == 401:
        return "pause"
    if status == 408 or status >= 500 or status < 200:
        return "retry"
    return "final"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_status_has_its_declared_decision(provider):
    for status in range(100, 600):
        decision = decide(provider, status, {})
        assert decision.action == expected(provider, status), (provider, status, decision)
        assert decision.status == status
        assert decision.reason


def test_the_table_samples_read_as_the_issue_says():
    assert decide("pagerduty", 503).action == "retry"
    assert decide("pagerduty", 408).action == "retry"
    assert decide("pagerduty", 404).action == "final"
    assert decide("pagerduty", 400).action == "final"
    assert decide("pagerduty", 420).action == "final"  # only Statuspage means 'slow down' by it
    assert decide("statuspage", 420).action == "wait"
    assert decide("opsgenie", 401).action == "pause"
    assert decide("chat", 302).action == "final"


def test_outside_the_range_is_refused():
    with pytest.raises(ValueError):
        decide("pagerduty", 600)
    with pytest.raises(ValueError):
        decide("nobody", 200)


def test_rate_limit_headers():
    assert decide("pagerduty", 429, {"Retry-After": "7"}).wait_seconds == 7
    assert decide("pagerduty", 429, {"ratelimit-reset": "12"}).wait_seconds == 12
    assert decide("opsgenie", 429, {"X-RateLimit-Period-In-Sec": "60"}).wait_seconds == 60
    assert decide("statuspage", 420, {}).wait_seconds is None
    dated = {
        "Retry-After": "Wed, 21 Oct 2015 07:28:30 GMT",
        "Date": "Wed, 21 Oct 2015 07:28:00 GMT",
    }
    assert rate_limit_wait(dated) == 30
    assert rate_limit_wait({"Retry-After": "soon"}) is None
    assert rate_limit_wait({"Retry-After": "-5"}) == 0
    assert rate_limit_wait({"Retry-After": "1e12"}) < 10_000  # never trusted to be huge


def test_backoff_grows_with_jitter_and_is_capped():
    rng = random.Random(1)
    first = [backoff_delay(1, rng) for _ in range(50)]
    fifth = [backoff_delay(5, rng) for _ in range(50)]
    assert all(0.5 <= d <= 1.0 for d in first)
    assert all(8.0 <= d <= 16.0 for d in fifth)
    assert len(set(first)) > 40  # jitter: not all the same
    assert all(backoff_delay(40, rng) <= BACKOFF_CAP for _ in range(20))


def test_wait_for_uses_the_named_delay_else_backoff():
    rng = random.Random(2)
    assert wait_for(Decision("wait", "x", 429, 9.0), 3, rng) == 9.0
    assert 1.0 <= wait_for(Decision("wait", "x", 429, None), 1, rng) <= 2.0
    assert 2.0 <= wait_for(Decision("retry", "x", 503), 3, rng) <= 4.0
