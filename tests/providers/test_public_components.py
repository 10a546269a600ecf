"""The status page only ever hears customer-facing names."""

import pytest

from console.providers.public_components import PublicComponents, PublicNameError

CONFIG = {
    "status": {
        "components": [
            {"name": "Payment Processing", "statuspage_id": "cmp_pay"},
            {"name": "Checkout"},
            {"name": "Login", "internal_name": "auth-svc-prod"},
        ]
    },
    "services": {
        "payments": {
            "name": "payments-service-prod-us-east-1",
            "components": ["Payment Processing"],
        },
        "checkout-api": {"components": ["Checkout", "Payment Processing"]},
        "batch": {},
    },
}


@pytest.fixture
def names():
    return PublicComponents.from_config(CONFIG)


def test_names_ids_and_internal_map_come_from_the_config(names):
    assert names.names == ["Payment Processing", "Checkout", "Login"]
    assert names.ids == {"Payment Processing": "cmp_pay"}
    assert names.internal["payments-service-prod-us-east-1"] == ["Payment Processing"]
    assert names.internal["checkout-api"] == ["Checkout", "Payment Processing"]
    assert names.internal["auth-svc-prod"] == ["Login"]


def test_internal_names_translate_to_public_statuses(names):
    got = names.statuses(
        {"payments-service-prod-us-east-1": "major_outage", "Login": "degraded_performance"}
    )
    assert got == {"Payment Processing": "major_outage", "Login": "degraded_performance"}


def test_unknown_names_and_private_services_are_refused_by_name(names):
    with pytest.raises(PublicNameError, match="'Search' is not a customer-facing"):
        names.statuses({"Search": "major_outage"})
    with pytest.raises(PublicNameError, match="'batch' is an internal name"):
        names.statuses({"batch": "major_outage"})
    with pytest.raises(PublicNameError, match="not one of"):
        names.statuses({"Login": "on_fire"})


def test_ids_are_learnt_by_exact_name_but_never_override_the_config(names):
    learnt = names.learn(
        [
            {"id": "x1", "name": "Checkout"},
            {"id": "x2", "name": "Payment Processing"},
            {"id": "x3", "name": "payments-service-prod-us-east-1"},
            {"id": "g1", "name": "Login", "group": True},
        ]
    )
    assert learnt == ["Checkout"]
    assert names.ids == {"Payment Processing": "cmp_pay", "Checkout": "x1"}
    with pytest.raises(PublicNameError, match="no statuspage_id"):
        names.id_for("Login")


def test_scrub_replaces_internal_names_in_one_pass(names):
    text = "payments-service-prod-us-east-1 is down; AUTH-SVC-PROD slow; batch stalled; payments-service-prod-us-east-12"
    assert names.scrub(text) == (
        "Payment Processing is down; Login slow; an internal system stalled; payments-service-prod-us-east-12"
    )
    # a public name containing an internal word is not rewritten again
    assert names.scrub("payments") == "Payment Processing"
