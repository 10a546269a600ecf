"""State.apply's "opened": the incident it makes is the one Incident(...) makes."""

from __future__ import annotations

import dataclasses

import pendulum

from console.domain.model import Event, Incident, State, incident_to_row

T0 = pendulum.datetime(2026, 8, 20, 10, 0, 0, 123456, tz="UTC")


def _opened(data: dict) -> Incident:
    state = State()
    state.apply(Event("e1", T0, "opened", "x", "intake", "", "INC-7", data))
    return state.incidents["INC-7"]


def test_an_opened_incident_equals_the_constructed_one_field_for_field():
    for data in (
        {},
        {"title": "Disk full", "service": "db", "urgency": "low", "priority": "P3", "severity": 2},
        {"components": ["api", "web"]},
    ):
        got = _opened(data)
        want = Incident(
            id="INC-7",
            title=data.get("title", ""),
            created_at=T0,
            severity=data.get("severity"),
            priority=data.get("priority"),
            urgency=data.get("urgency", "high"),
            service=data.get("service"),
            components=list(data.get("components", [])),
        )
        want.last_event_at = T0  # as the fold sets it
        assert got == want
        for f in dataclasses.fields(Incident):
            assert getattr(got, f.name) == getattr(want, f.name), f.name
        assert incident_to_row(got) == incident_to_row(want)


def test_an_opened_incidents_containers_are_its_own():
    a, b = _opened({}), _opened({})
    a.roles["commander"] = "ada"
    a.components.append("api")
    a.provider_ids["pagerduty"] = "P1"
    assert (b.roles, b.components, b.provider_ids, b.action_items) == ({}, [], {}, [])
    assert Incident.__dict__.get("roles") is None  # no shared default on the class
