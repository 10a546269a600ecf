"""The status bar's words for each provider (pure)."""

import pendulum

from console.sync.status import Health, counts_from_deliveries, health_from_deliveries, summarize

NOW = pendulum.datetime(2026, 3, 1, 12, 0, tz="UTC")


def texts(health, queued=None, held=None, failed=None):
    return [s.text for s in summarize(health, queued or {}, held or {}, failed or {}, NOW)]


def test_each_state_in_words():
    assert texts({"pagerduty": Health("ok")}) == ["pagerduty: ok"]
    assert texts({"statuspage": Health("off")}) == ["statuspage: off"]
    assert texts({"opsgenie": Health("offline", NOW.add(seconds=30))}, {"opsgenie": 4}) == [
        "opsgenie: offline, 4 queued"
    ]
    assert texts({"pagerduty": Health("backing_off", NOW.add(seconds=11.2))}, {"pagerduty": 2}) == [
        "pagerduty: backing off 12s, 2 queued"
    ]
    assert texts(
        {"chat": Health("paused", None, "chat: credentials refused (401)")}, {"chat": 1}
    ) == ["chat: paused-401, 1 queued"]
    assert texts({"pagerduty": Health("ok")}, held={"pagerduty": 1}, failed={"pagerduty": 2}) == [
        "pagerduty: ok, 1 held, 2 failed"
    ]


def test_levels_for_colour():
    (s,) = summarize({"p": Health("paused", None, "401")}, {}, {}, {}, NOW)
    assert s.level == "error"
    (s,) = summarize({"p": Health("offline")}, {}, {}, {}, NOW)
    assert s.level == "warning"
    (s,) = summarize({"p": Health("ok")}, {}, {}, {}, NOW)
    assert s.level == "good"


def test_from_records_when_no_engine_runs_here():
    recs = [
        {"intent": "a", "provider": "pagerduty", "state": "sent", "at": "2026-03-01T11:00:00Z"},
        {
            "intent": "b",
            "provider": "pagerduty",
            "state": "retrying",
            "at": "2026-03-01T11:59:00Z",
            "health": "offline",
            "until": "2026-03-01T12:00:30Z",
            "detail": "pagerduty: cannot connect",
        },
        {"intent": "c", "provider": "statuspage", "state": "held", "at": "2026-03-01T11:59:00Z"},
        {"intent": "d", "provider": "statuspage", "state": "failed", "at": "2026-03-01T11:58:00Z"},
    ]
    queued, held, failed = counts_from_deliveries(recs)
    health = health_from_deliveries(["pagerduty", "statuspage"], recs)
    assert texts(health, queued, held, failed) == [
        "pagerduty: offline, 1 queued",
        "statuspage: ok, 1 held, 1 failed",
    ]
