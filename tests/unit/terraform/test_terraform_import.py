"""The bundled Terraform (sample_data/terraform) mapped onto docs/config.md's sections."""

import re
from pathlib import Path

import pytest

from console.domain.settings import settings_from_dict
from console.terraform import import_terraform, read_terraform_config

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "sample_data" / "terraform"
TF = SAMPLE.as_posix()  # sources name files as the path was given


def bare(node):
    """The value without its __source__ keys, for comparing shapes."""
    if isinstance(node, dict):
        return {k: bare(v) for k, v in node.items() if k != "__source__"}
    if isinstance(node, list):
        return [bare(v) for v in node]
    return node


@pytest.fixture(scope="module")
def imported():
    return import_terraform([SAMPLE])


def test_users_from_for_each_and_data_sources_with_tfvars(imported):
    users = imported.config["users"]
    assert sorted(users) == ["ada", "grace", "kenji", "mateo", "priya", "seun"]
    # terraform.tfvars sets email_domain over the variable's default
    assert users["ada"]["email"] == "ada@acme.example"
    assert users["ada"]["name"] == "Ada Lovelace"
    assert users["ada"]["time_zone"] == "Europe/London"
    assert users["seun"] == {"__source__": f"{TF}/users.tf:12", "email": "seun@acme.example"}


def test_schedules_keep_layers_restrictions_and_time_zones(imported):
    sched = imported.config["schedules"]
    assert sorted(sched) == ["database_oncall", "eng_managers", "payments_primary", "platform_sun"]
    weekdays, weekends = sched["payments_primary"]["layers"]
    assert sched["payments_primary"]["time_zone"] == "America/New_York"
    assert weekdays["users"] == ["grace", "mateo", "ada"]  # a for expression over handles
    assert weekdays["rotation_turn_length_seconds"] == 604800  # 7 * local.one_day
    assert weekdays["__source__"] == f"{TF}/schedules.tf:7"
    assert bare(weekdays["restrictions"]) == [
        {
            "type": "weekly_restriction",
            "start_time_of_day": "00:00:00",
            "duration_seconds": 432000,
            "start_day_of_week": 1,
        }
    ]
    assert weekends["users"] == ["seun", "kenji"]
    until, since = sched["database_oncall"]["layers"]
    assert until["end"] == since["start"] == "2026-06-01T10:00:00+02:00"
    assert "end" not in since
    assert sched["platform_sun"]["layers"][0]["rotation_turn_length_seconds"] == 28800


def test_policies_map_targets_to_keys(imported):
    pol = imported.config["policies"]
    assert pol["payments"]["num_loops"] == 2
    assert pol["payments"]["teams"] == ["Shop engineering"]  # pagerduty_team.shop's name
    assert "teams" not in pol["search"]
    assert [r["escalation_delay_in_minutes"] for r in pol["payments"]["rules"]] == [15, 15, 30]
    assert pol["identity"]["rules"][1]["__source__"] == f"{TF}/policies.tf:113"
    assert pol["identity"]["rules"][1]["targets"] == [
        {"type": "user", "id": "ada"},
        {"type": "schedule", "id": "eng_managers"},
    ]


def test_services_timeouts_grouping_and_integration_keys(imported):
    svc = imported.config["services"]
    assert svc["payments"]["escalation_policy"] == "payments"
    assert svc["payments"]["acknowledgement_timeout"] == 1800
    assert svc["payments"]["auto_resolve_timeout"] == 14400
    assert svc["payments"]["alert_grouping"] == {"type": "time", "timeout": 300}
    assert svc["database"]["alert_grouping"] == {
        "type": "content_based",
        "fields": ["source", "component"],
    }
    # "null" means no timeout: the key is left out
    assert "acknowledgement_timeout" not in svc["database"]
    assert "auto_resolve_timeout" not in svc["checkout"]
    assert svc["search"]["integration_keys"] == ["acme0search0routing0key00000004"]
    assert svc["payments"]["paging"] == ["pagerduty"]


def test_maintenance_window_makes_one_entry_per_service(imported):
    windows = imported.config["maintenance"]
    assert [w["service"] for w in windows] == ["database", "search"]
    assert windows[0]["start"] == "2026-12-06T02:00:00Z"
    assert windows[0]["end"] == "2026-12-06T04:00:00Z"


def test_router_and_catch_all(imported):
    rules = imported.config["rules"]
    assert [r["actions"]["route_to"] for r in rules["router"]] == [
        "payments",
        "checkout",
        "database",
        "search",
        "auth",
    ]
    assert (
        rules["router"][2]["condition"]
        == "event.source matches regex 'db-.*' or event.class matches 'postgres'"
    )
    assert rules["catch_all"]["route_to"] == "unrouted"


def test_global_orchestration_flattens_nested_sets(imported):
    rules = imported.config["rules"]["global"]
    assert [r["name"] for r in rules] == [
        "Synthetic checks are not incidents",
        "Staging never pages",
        "Critical alerts get a second look > Customers can see it",
        "Critical alerts get a second look",
    ]
    assert [r["actions"] for r in rules] == [
        {"drop": True},
        {"suppress": True},
        {"annotate": "Critical at the edge: check the status page", "priority": "P1"},
        {"annotate": "Critical at the edge: check the status page"},
    ]
    # two condition blocks are "any of"; a nested set is "parent and child"
    assert (
        rules[1]["condition"]
        == "event.custom_details.env matches 'staging' or event.source matches regex 'stg-.*'"
    )
    assert rules[2]["condition"] == (
        "event.severity matches 'critical' and event.custom_details.customer_facing matches 'true'"
        " or event.severity matches 'critical' and event.component matches 'checkout'"
    )
    assert rules[3]["condition"] == "event.severity matches 'critical'"


def test_service_orchestrations_become_service_rules_with_catch_all_last(imported):
    db = imported.config["services"]["database"]["rules"]
    assert db[0]["actions"] == {"suppress": True}
    assert db[1]["actions"] == {
        "severity": "critical",
        "priority": "P1",
        "annotate": "Runbook: https://runbooks.acme.example/orders-db/failover",
    }
    assert db[-1] == {
        "__source__": f"{TF}/orchestration.tf:212",
        "name": "catch-all",
        "actions": {"severity": "warning"},
    }
    pay = imported.config["services"]["payments"]["rules"]
    assert [r["actions"].get("priority") for r in pay] == ["P2", "P3"]
    assert "rules" not in imported.config["services"]["checkout"]


def test_skipped_resources_are_listed_with_reasons(imported):
    skipped = {s.address: s for s in imported.skipped}
    assert set(skipped) == {
        "pagerduty_event_orchestration_unrouted.shop",
        "data.pagerduty_vendor.datadog",
        "pagerduty_service_dependency.checkout_needs_payments",
        "pagerduty_team_membership.shop",
        "pagerduty_user_contact_method.ada_phone",
    }
    assert skipped["pagerduty_team_membership.shop"].source == f"{TF}/users.tf:21"
    assert any("action 'extraction' is not modelled" in w for w in imported.warnings)
    assert any("search_datadog" in w and "integration key" in w for w in imported.warnings)


def _sources(node, path="config"):
    if isinstance(node, dict):
        if "__source__" in node:
            yield path, node["__source__"]
        for k, v in node.items():
            yield from _sources(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _sources(v, f"{path}[{i}]")


def test_every_imported_table_and_rule_names_a_real_file_and_line(imported):
    config = imported.config
    tables = [
        *config["users"].values(),
        *config["services"].values(),
        *config["schedules"].values(),
        *config["policies"].values(),
        *config["rules"]["global"],
        *config["rules"]["router"],
        config["rules"]["catch_all"],
        *config["maintenance"],
        *(r for s in config["services"].values() for r in s.get("rules", [])),
    ]
    assert all("__source__" in t for t in tables)
    found = list(_sources(config))
    assert len(found) >= len(tables)
    for path, source in found:
        file, line = source.rsplit(":", 1)
        text = Path(file).read_text().splitlines()[int(line) - 1]
        assert re.match(r"\s*(resource|data|rule|catch_all|layer|restriction)\b", text), (
            f"{path}: {source} is {text!r}"
        )


def test_the_console_accepts_the_imported_config(imported):
    settings = settings_from_dict(imported.config, source="tf")
    assert settings.services["payments"].escalation_policy == "payments"
    assert settings.services["database"].acknowledgement_timeout is None
    assert settings.users["priya"].name == "Priya Raman"


def test_read_terraform_config_reads_a_folder_or_a_file():
    assert read_terraform_config(SAMPLE) == import_terraform([SAMPLE]).config
    one = read_terraform_config(SAMPLE / "variables.tf")
    assert one == {}  # variables alone map onto nothing
