"""One escalation on the timeline when PagerDuty's own escalation (from the poll) is the
one this console already recorded from its timers (lead's list 11)."""

from __future__ import annotations

from console.domain.clock import parse_instant
from console.domain.model import Event, State
from console.providers.protocol import RemoteNews
from console.sync.reconcile import link_event, news_events

T0 = parse_instant("2026-11-30T09:00:00Z")


def _state() -> State:
    state = State()
    state.apply(
        Event(
            id="o1",
            at=T0,
            kind="opened",
            author="ada",
            origin="local",
            text="Opened",
            incident="INC-1",
            data={"title": "Payments down", "service": "payments"},
        )
    )
    state.apply(link_event("INC-1", "pagerduty", "PD1", T0))
    state.apply(
        Event(
            id="esc-step-2",
            at=T0.add(minutes=15),
            kind="escalated",
            author="escalation",
            origin="local",
            text="Paged level 2 (pass 1 of 2) of Payments escalation: Grace",
            incident="INC-1",
            data={"level": 2},
        )
    )
    return state


def _escalated(key: str, minutes: float, channel: str = "timeout") -> RemoteNews:
    return RemoteNews(
        provider="pagerduty",
        key=key,
        kind="escalated",
        at=T0.add(seconds=minutes * 60),
        author="PagerDuty",
        text="Escalated to Grace Hopper",
        remote_incident="PD1",
        data={"channel": channel},
    )


def test_pagerdutys_escalation_matching_a_local_one_is_not_recorded_twice():
    events = news_events([_escalated("L1", 15.5)], _state(), {})
    assert events == []


def test_an_escalation_with_no_local_match_is_still_shown():
    events = news_events([_escalated("L1", 40)], _state(), {})
    assert [e.kind for e in events] == ["remote_activity"]


def test_one_local_escalation_matches_one_remote_escalation_only():
    events = news_events([_escalated("L1", 15.2), _escalated("L2", 16)], _state(), {})
    assert [e.data.get("provider") for e in events] == ["pagerduty"]  # the second one shows
