"""Intents to Statuspage requests, checked field for field against the Statuspage spec."""

import pytest

from console.providers import statuspage_calls as sp
from console.providers.http_call import Skip
from console.providers.public_components import PublicComponents, PublicNameError
from tests.providers.spec_check import load_spec

PAGE = "pg123"
CONFIG = {
    "status": {
        "components": [
            {"name": "Payment Processing", "statuspage_id": "cmp_pay"},
            {"name": "Checkout", "statuspage_id": "cmp_chk"},
        ]
    },
    "services": {
        "payments": {
            "name": "payments-service-prod-us-east-1",
            "components": ["Payment Processing"],
        },
        "batch": {},
    },
}
INCIDENT = {
    "id": "INC-3",
    "title": "payments-service-prod-us-east-1 5xx spike",
    "components": ["Payment Processing", "payments"],
    "provider_ids": {},
}


@pytest.fixture(scope="module")
def spec():
    return load_spec("statuspage/statuspage-api-v1.openapi.json", maps={"components"})


@pytest.fixture
def names():
    return PublicComponents.from_config(CONFIG)


def intent(op, args, incident="INC-3"):
    return {
        "id": "a1b2c3d4e5f6a7b8",
        "op": op,
        "incident": incident,
        "args": args,
        "created_at": "2026-11-30T04:00:00Z",
        "origin": "local",
    }


def checked(spec, calls):
    assert not isinstance(calls, Skip), calls
    for call in calls:
        spec.check_request(
            call.method,
            f"/pages/{PAGE}" + call.path.split(f"/pages/{PAGE}", 1)[1],
            call.params,
            call.json,
        )
    return calls


def test_declare_public_creates_an_investigating_incident_with_public_names_only(spec, names):
    public = {
        "status": "investigating",
        "impact": "major",
        "components": {"payments": "partial_outage"},
    }
    calls = checked(
        spec,
        sp.plan(
            intent(
                "incident.declare", {"severity": 2, "title": INCIDENT["title"], "public": public}
            ),
            page_id=PAGE,
            names=names,
            incident=INCIDENT,
        ),
    )
    (call,) = calls
    assert (call.method, call.path) == ("POST", f"/pages/{PAGE}/incidents")
    body = call.json["incident"]
    assert body["status"] == "investigating"
    assert body["impact_override"] == "major"
    assert body["components"] == {"cmp_pay": "partial_outage"}
    assert body["component_ids"] == ["cmp_pay"]
    assert body["metadata"] == {
        "incident_console": {"intent": "a1b2c3d4e5f6a7b8", "incident": "INC-3"}
    }
    assert "payments-service" not in repr(call.json)
    assert body["name"] == "Payment Processing 5xx spike"
    assert "Payment Processing" in body["body"]


def test_declare_without_public_impact_does_nothing(names):
    got = sp.plan(
        intent("incident.declare", {"severity": 4, "title": "x", "public": None}),
        page_id=PAGE,
        names=names,
    )
    assert isinstance(got, Skip)
    assert not sp.concerns(intent("incident.declare", {"public": None}))
    assert sp.concerns(intent("incident.declare", {"public": {"status": "investigating"}}))


def test_status_update_patches_the_linked_incident(spec, names):
    args = {
        "status": "identified",
        "text": "Root cause found in payments-service-prod-us-east-1",
        "components": {"Checkout": "degraded_performance"},
    }
    (call,) = checked(
        spec,
        sp.plan(
            intent("status.update", args),
            page_id=PAGE,
            names=names,
            incident=INCIDENT,
            remote_id="sp_inc_9",
        ),
    )
    assert (call.method, call.path) == ("PATCH", f"/pages/{PAGE}/incidents/sp_inc_9")
    assert call.json == {
        "incident": {
            "status": "identified",
            "body": "Root cause found in Payment Processing",
            "components": {"cmp_chk": "degraded_performance"},
            "component_ids": ["cmp_chk"],
        }
    }


def test_status_update_without_a_public_incident_creates_one(spec, names):
    (call,) = checked(
        spec,
        sp.plan(
            intent(
                "status.update", {"status": "monitoring", "text": "Fix deployed", "components": {}}
            ),
            page_id=PAGE,
            names=names,
            incident=INCIDENT,
        ),
    )
    assert call.method == "POST" and call.json["incident"]["status"] == "monitoring"
    assert "components" not in call.json["incident"]


def test_status_update_refuses_a_scheduled_status(names):
    with pytest.raises(ValueError, match="not one of investigating"):
        sp.plan(
            intent("status.update", {"status": "scheduled", "text": "x"}),
            page_id=PAGE,
            names=names,
            incident=INCIDENT,
            remote_id="r",
        )


def test_resolve_restores_the_incidents_public_components(spec, names):
    (call,) = checked(
        spec,
        sp.plan(
            intent("incident.resolve", {"note": "All clear"}),
            page_id=PAGE,
            names=names,
            incident=INCIDENT,
            remote_id="sp_inc_9",
        ),
    )
    assert call.json["incident"] == {
        "status": "resolved",
        "body": "All clear",
        "components": {"cmp_pay": "operational"},
        "component_ids": ["cmp_pay"],
    }
    assert isinstance(
        sp.plan(intent("incident.resolve", {}), page_id=PAGE, names=names, incident=INCIDENT), Skip
    )


def test_component_set_by_internal_name_sets_the_public_component(spec, names):
    (call,) = checked(
        spec,
        sp.plan(
            intent("component.set", {"component": "payments", "status": "major_outage"}, None),
            page_id=PAGE,
            names=names,
        ),
    )
    assert (call.method, call.path, call.json) == (
        "PATCH",
        f"/pages/{PAGE}/components/cmp_pay",
        {"component": {"status": "major_outage"}},
    )


def test_component_set_refuses_a_private_service(names):
    with pytest.raises(PublicNameError, match="'batch' is an internal name"):
        sp.plan(
            intent("component.set", {"component": "batch", "status": "major_outage"}, None),
            page_id=PAGE,
            names=names,
        )


def test_maintenance_is_scheduled_on_the_services_public_components(spec, names):
    args = {
        "service": "payments",
        "start": "2026-12-01T02:00:00Z",
        "end": "2026-12-01T04:00:00Z",
        "description": "payments-service-prod-us-east-1 failover",
    }
    (call,) = checked(
        spec, sp.plan(intent("maintenance.create", args, None), page_id=PAGE, names=names)
    )
    body = call.json["incident"]
    assert body["status"] == "scheduled"
    assert (body["scheduled_for"], body["scheduled_until"]) == (
        "2026-12-01T02:00:00Z",
        "2026-12-01T04:00:00Z",
    )
    assert (
        body["component_ids"] == ["cmp_pay"]
        and body["name"] == "Scheduled maintenance: Payment Processing"
    )
    assert body["body"] == "Payment Processing failover"
    skipped = sp.plan(
        intent("maintenance.create", {**args, "service": "batch"}, None), page_id=PAGE, names=names
    )
    assert isinstance(skipped, Skip) and "no customer-facing" in skipped.reason


def test_missing_ids_are_named_not_guessed():
    names = PublicComponents.from_config({"status": {"components": [{"name": "API"}]}})
    with pytest.raises(PublicNameError, match="'API' has no statuspage_id"):
        sp.plan(
            intent("component.set", {"component": "API", "status": "major_outage"}, None),
            page_id=PAGE,
            names=names,
        )


def test_list_calls_are_paginated_and_valid(spec):
    for call in (sp.list_components(PAGE, 2), sp.list_unresolved(PAGE), sp.list_upcoming(PAGE)):
        checked(spec, [call])
        assert call.params["per_page"] == 100


def test_find_created_matches_the_intent_marker():
    incidents = [
        {"id": "a", "metadata": {}},
        {"id": "b", "metadata": {"incident_console": {"intent": "i1"}}},
        {"id": "c"},
    ]
    assert sp.find_created(incidents, "i1")["id"] == "b"
    assert sp.find_created(incidents, "i2") is None


def test_hostile_text_is_plain_and_bounded(spec, names):
    args = {"status": "identified", "text": "\x1b[2J" + "y" * 30000, "components": {}}
    (call,) = checked(
        spec,
        sp.plan(
            intent("status.update", args),
            page_id=PAGE,
            names=names,
            incident={**INCIDENT, "title": "t\x07" * 300},
            remote_id=None,
        ),
    )
    body = call.json["incident"]
    assert "\x1b" not in body["body"] and len(body["body"]) <= sp.BODY_LIMIT
    assert len(body["name"]) <= sp.NAME_LIMIT and "\x07" not in body["name"]


def test_the_strict_check_catches_a_misspelt_field(spec):
    with pytest.raises(AssertionError, match="Additional properties"):
        spec.check_request(
            "PATCH", f"/pages/{PAGE}/incidents/x", {}, {"incident": {"staus": "resolved"}}
        )
    with pytest.raises(AssertionError, match="query parameter 'limit'"):
        spec.check_request("GET", f"/pages/{PAGE}/components", {"limit": 5}, None)
