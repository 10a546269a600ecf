"""Intake's config is checked at load time; every error names the file and the rule."""

from __future__ import annotations

import pytest

from console.domain.intake.config import (
    DEFAULT_SERVICE,
    UNROUTED,
    IntakeConfigError,
    intake_config,
    load_intake_config,
)
from tests.unit.intake.helpers import settings

BASE = {
    "services": {
        "payments": {
            "integration_keys": ["KEY-PAY"],
            "alert_grouping": {"type": "time", "timeout": 300},
        },
        "database": {"integration_keys": ["KEY-DB"], "auto_resolve_alerts": False},
    },
}


def load(extra: dict):
    doc = {**BASE, **extra}
    return load_intake_config(settings(doc))


def test_a_full_config_compiles():
    cfg = load(
        {
            "rules": {
                "global": [
                    {
                        "name": "no tests",
                        "condition": "event.summary matches part 'test'",
                        "actions": {"drop": True},
                    }
                ],
                "router": [
                    {
                        "condition": "event.source matches regex 'db-.*'",
                        "actions": {"route_to": "database"},
                    }
                ],
                "catch_all": {"route_to": "payments"},
            },
            "maintenance": [
                {
                    "service": "database",
                    "start": "2026-12-01T02:00:00Z",
                    "end": "2026-12-01T04:00:00Z",
                    "description": "failover",
                }
            ],
        }
    )
    assert [r.label for r in cfg.global_rules] == ["test.toml: [[rules.global]] #1 (no tests)"]
    assert cfg.router_rules[0].actions.route_to == "database"
    assert cfg.catch_all == "payments"
    assert cfg.by_routing_key == {"KEY-PAY": "payments", "KEY-DB": "database"}
    assert cfg.services["payments"].grouping.timeout == 300
    assert cfg.services["database"].auto_resolve_alerts is False
    assert cfg.maintenance[0].description == "failover"


def test_defaults_catch_all_is_unrouted_with_services_and_default_service_without():
    assert load({}).catch_all == UNROUTED
    assert load_intake_config(settings({})).catch_all == DEFAULT_SERVICE


@pytest.mark.parametrize(
    "extra, needle",
    [
        (
            {
                "rules": {
                    "global": [
                        {
                            "name": "typo",
                            "condition": "event.sumary matches 'x'",
                            "actions": {"drop": True},
                        }
                    ]
                }
            },
            "[[rules.global]] #1 (typo): condition \"event.sumary matches 'x'\": unknown field 'event.sumary'",
        ),
        (
            {
                "rules": {
                    "router": [
                        {"condition": "event.source exists", "actions": {"route_to": "nowhere"}}
                    ]
                }
            },
            "[[rules.router]] #1 actions: route_to 'nowhere' is not a service",
        ),
        (
            {
                "rules": {
                    "global": [
                        {"condition": "event.source exists", "actions": {"route_to": "payments"}}
                    ]
                }
            },
            "route_to belongs in [[rules.router]]",
        ),
        (
            {
                "rules": {
                    "global": [{"condition": "event.source exists", "actions": {"explode": True}}]
                }
            },
            "unknown key 'explode'",
        ),
        (
            {
                "rules": {
                    "global": [{"condition": "event.source exists", "actions": {"priority": "P9"}}]
                }
            },
            "priority must be one of",
        ),
        (
            {
                "rules": {
                    "global": [
                        {"condition": "event.source exists", "actions": {"severity": "fatal"}}
                    ]
                }
            },
            "severity must be one of",
        ),
        (
            {
                "rules": {
                    "global": [{"condition": "event.source exists", "actions": {"drop": "yes"}}]
                }
            },
            "drop must be true or false",
        ),
        (
            {"rules": {"global": [{"condition": "event.source exists", "actions": {}}]}},
            "give at least one of",
        ),
        (
            {"rules": {"global": [{"condition": "event.source exists", "action": {}}]}},
            "unknown key 'action'",
        ),
        ({"rules": {"routers": []}}, "[rules]: unknown key 'routers'"),
        (
            {"rules": {"catch_all": {"route_to": "elsewhere"}}},
            "[rules.catch_all] route_to 'elsewhere'",
        ),
        (
            {"maintenance": [{"service": "payments", "start": "2026-12-01T02:00:00Z"}]},
            "[[maintenance]] #1: end is missing",
        ),
        (
            {
                "maintenance": [
                    {
                        "service": "nope",
                        "start": "2026-12-01T02:00:00Z",
                        "end": "2026-12-01T03:00:00Z",
                    }
                ]
            },
            "service 'nope'",
        ),
        (
            {
                "maintenance": [
                    {
                        "service": "payments",
                        "start": "2026-12-01T04:00:00Z",
                        "end": "2026-12-01T03:00:00Z",
                    }
                ]
            },
            "end must be after start",
        ),
        (
            {
                "maintenance": [
                    {"service": "payments", "start": "soon", "end": "2026-12-01T03:00:00Z"}
                ]
            },
            "start 'soon' is not",
        ),
    ],
)
def test_errors_name_the_rule(extra, needle):
    with pytest.raises(IntakeConfigError) as exc:
        load(extra)
    assert needle in str(exc.value)
    assert str(exc.value).startswith("test.toml")


@pytest.mark.parametrize(
    "service, needle",
    [
        ({"alert_grouping": {"type": "smart"}}, "type must be one of"),
        ({"alert_grouping": {"type": "time", "timeout": -1}}, "timeout must be a whole number"),
        ({"alert_grouping": {"type": "content_based"}}, "content_based grouping needs fields"),
        (
            {"alert_grouping": {"type": "content_based", "fields": ["colour"]}},
            "unknown field 'colour'",
        ),
        ({"alert_grouping": {"type": "time", "window": 3}}, "unknown key 'window'"),
        ({"integration_keys": "KEY"}, "integration_keys must be a list"),
        ({"auto_resolve_alerts": "sometimes"}, "auto_resolve_alerts must be true or false"),
        (
            {"rules": [{"condition": "event.source matches", "actions": {"priority": "P1"}}]},
            "[services.extra] [[rules]] #1: condition",
        ),
        (
            {"rules": [{"condition": "event.source exists", "actions": {"route_to": "payments"}}]},
            "route_to belongs in [[rules.router]]",
        ),
    ],
)
def test_service_errors(service, needle):
    doc = {"services": {**BASE["services"], "extra": service}}
    with pytest.raises(IntakeConfigError) as exc:
        load_intake_config(settings(doc))
    assert needle in str(exc.value)


def test_a_shared_integration_key_is_refused_without_echoing_it():
    doc = {
        "services": {
            "a": {"integration_keys": ["SECRET-KEY-1"]},
            "b": {"integration_keys": ["SECRET-KEY-1"]},
        }
    }
    with pytest.raises(IntakeConfigError) as exc:
        load_intake_config(settings(doc))
    assert "SECRET-KEY-1" not in str(exc.value)
    assert "[services.a]" in str(exc.value) and "[services.b]" in str(exc.value)


def test_disabled_rules_are_skipped_and_compiled_config_is_reused():
    s = settings(
        {
            **BASE,
            "rules": {
                "global": [
                    {
                        "condition": "event.source exists",
                        "actions": {"drop": True},
                        "disabled": True,
                    }
                ]
            },
        }
    )
    first = intake_config(s)
    assert first.global_rules == ()
    assert intake_config(s) is first
    assert intake_config(settings(BASE)) is not first


def test_a_rule_without_condition_matches_every_alert():
    from console.domain.intake.alert import Alert

    cfg = load({"rules": {"global": [{"actions": {"priority": "P4"}}]}})
    rule = cfg.global_rules[0]
    assert rule.condition == "" and rule.test(Alert(format="x", action="trigger", dedup_key="k"))


def test_terraform_sourced_tables_are_named_by_file_and_line():
    doc = {
        **BASE,
        "rules": {
            "router": [
                {
                    "__source__": "orchestration.tf:86",
                    "condition": "event.sorce exists",
                    "actions": {"route_to": "payments"},
                }
            ]
        },
    }
    with pytest.raises(IntakeConfigError) as exc:
        load_intake_config(settings(doc))
    assert str(exc.value).startswith("orchestration.tf:86: [[rules.router]] #1: condition")


def test_the_terraform_example_loads():
    from pathlib import Path

    from console.terraform import read_terraform_config

    folder = Path(__file__).resolve().parents[3] / "sample_data" / "terraform"
    if not folder.is_dir():
        pytest.skip("no Terraform example in sample_data/terraform")
    cfg = load_intake_config(settings(read_terraform_config(folder)))
    assert cfg.router_rules and cfg.catch_all == UNROUTED
