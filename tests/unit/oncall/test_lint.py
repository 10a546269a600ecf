"""Lint: each rule, where findings point, and the bundled config's cleanliness."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from console.config import load_settings
from console.domain.oncall import OnCallConfigError, lint, load_team
from console.domain.oncall.lint import internal_name_reasons

from .helpers import at, config, daily, layer, rule, schedule, settings

NOW = at("2026-03-01T00:00:00Z")
ALWAYS = schedule([layer(["ada"], "2026-01-01T00:00:00Z", 86400)])
NIGHTS = schedule(
    [layer(["grace"], "2026-01-01T00:00:00Z", 86400, restrictions=[daily("22:00:00", 8 * 3600)])]
)
ACME = Path(__file__).resolve().parents[3] / "sample_data" / "config" / "acme.toml"


def good(**over):
    doc = config(
        schedules={"always": copy.deepcopy(ALWAYS), "nights": copy.deepcopy(NIGHTS)},
        policies={
            "p": {
                "num_loops": 1,
                "rules": [rule(15, ("schedule", "always")), rule(15, ("user", "grace"))],
            }
        },
        services={"pay": {"escalation_policy": "p", "acknowledgement_timeout": 1800}},
    )
    doc.update(over)
    return doc


def found(doc, source="team.toml"):
    return [(f.severity, f.rule, f.where) for f in lint(settings(doc, source), NOW)]


def test_a_good_config_has_no_findings():
    assert found(good()) == []


def test_a_gap_in_a_schedule_a_policy_relies_on_is_an_error():
    doc = good(
        policies={"p": {"rules": [rule(15, ("schedule", "nights")), rule(15, ("user", "ada"))]}}
    )
    findings = lint(settings(doc), NOW)
    gap = [f for f in findings if f.rule == "coverage-gap"]
    assert [(f.severity, f.where) for f in gap] == [("error", "team.toml: [schedules.nights]")]
    assert "2026-03-01 06:00Z to 2026-03-01 22:00Z and 29 more" in gap[0].message
    assert "policy p relies on it" in gap[0].message


def test_a_gap_in_an_unused_schedule_is_not_reported():
    assert found(good()) == []  # 'nights' has gaps but no policy uses it


def test_a_policy_that_pages_nobody_at_some_time():
    doc = good(
        policies={
            "p": {"rules": [rule(15, ("schedule", "nights")), rule(15, ("schedule", "nights"))]}
        }
    )
    rules = {(s, r) for s, r, _ in found(doc)}
    assert ("error", "pages-nobody") in rules
    finding = next(f for f in lint(settings(doc), NOW) if f.rule == "pages-nobody")
    assert "from 2026-03-01 06:00Z to 2026-03-01 22:00Z" in finding.message


def test_policies_without_rules_or_targets():
    doc = good(
        policies={
            "p": {
                "rules": [
                    {"escalation_delay_in_minutes": 5, "targets": []},
                    rule(5, ("user", "ada")),
                ]
            },
            "q": {"rules": []},
        }
    )
    wheres = {(r, w) for _, r, w in found(doc) if r == "pages-nobody"}
    assert ("pages-nobody", "team.toml: [policies.p] rules[1]") in wheres
    assert ("pages-nobody", "team.toml: [policies.q]") in wheres


def test_targets_that_do_not_exist():
    doc = good(
        schedules={
            "always": schedule(
                [layer(["ada", "ghost"], "2026-01-01T00:00:00Z", 86400)],
                overrides=[
                    {
                        "start": "2026-03-02T00:00:00Z",
                        "end": "2026-03-03T00:00:00Z",
                        "user": "nobody",
                    }
                ],
            )
        },
        policies={
            "p": {
                "rules": [
                    rule(15, ("schedule", "always")),
                    rule(15, ("user", "zed"), ("schedule", "gone")),
                ]
            }
        },
        services={"pay": {"escalation_policy": "p"}, "web": {"escalation_policy": "missing"}},
    )
    missing = sorted(
        ((f.where, f) for f in lint(settings(doc), NOW) if f.rule == "missing-target"),
        key=lambda x: (x[0], x[1].message),
    )
    assert [w for w, _ in missing] == [
        "team.toml: [policies.p] rules[2]",
        "team.toml: [policies.p] rules[2]",
        "team.toml: [schedules.always] layers[1]",
        "team.toml: [schedules.always] overrides[1]",
        "team.toml: [services.web]",
    ]
    assert all(f.severity == "error" for _, f in missing)
    messages = " ".join(f.message for _, f in missing)
    for name in ("ghost", "nobody", "zed", "gone", "missing"):
        assert f"'{name}'" in messages


def test_a_service_without_a_policy_is_an_error():
    doc = good(services={"pay": {"escalation_policy": "p"}, "web": {}})
    assert ("error", "no-policy", "team.toml: [services.web]") in found(doc)


def test_warnings():
    doc = good(
        policies={
            "p": {"rules": [rule(15, ("schedule", "always"))]},
            "q": {"rules": [rule(15, ("schedule", "always")), rule(15, ("user", "ada"))]},
        },
        services={
            "pay": {"escalation_policy": "p", "acknowledgement_timeout": 600},
            "web": {"escalation_policy": "q"},
        },
    )
    assert sorted(found(doc)) == [
        ("warning", "ack-timeout-short", "team.toml: [services.pay]"),
        ("warning", "same-person-twice", "team.toml: [policies.q]"),
        ("warning", "single-rule", "team.toml: [policies.p]"),
    ]


@pytest.mark.parametrize(
    ("name", "internal"),
    [
        ("payments-api-prod-us-east-1", True),
        ("db01.prod.acme.net", True),
        ("Checkout (eu-west-2)", True),
        ("Search v2.3", True),
        ("API 1.4.2", True),
        ("web-03", True),
        ("auth_service", True),
        ("Payment Processing", False),
        ("Checkout", False),
        ("Public API", False),
        ("Order History", False),
        ("Login", False),
    ],
)
def test_internal_looking_component_names(name, internal):
    assert bool(internal_name_reasons(name)) is internal


def test_internal_component_names_are_warnings_with_their_place():
    doc = good(status={"components": [{"name": "Checkout"}, {"name": "search-prod-eu-west-1"}]})
    doc["services"]["pay"]["components"] = ["pay-gw-v2"]
    assert sorted(r for r in found(doc) if r[1] == "internal-component-name") == [
        ("warning", "internal-component-name", "team.toml: [[status.components]] #2"),
        ("warning", "internal-component-name", "team.toml: [services.pay]"),
    ]


def test_terraform_sources_name_file_and_line_and_are_ignored_as_keys():
    doc = good(
        policies={
            "p": {
                "__source__": "policies.tf:3",
                "rules": [dict(rule(15, ("user", "ghost")), __source__="policies.tf:7")],
            }
        }
    )
    doc["schedules"]["always"]["__source__"] = "schedules.tf:12"
    doc["schedules"]["always"]["layers"][0]["__source__"] = "schedules.tf:15"
    wheres = {w for _, _, w in found(doc)}
    assert (
        "policies.tf:7: [policies.p] rules[1]" in wheres
    )  # the missing target, on the rule's line
    assert "policies.tf:3: [policies.p]" in wheres  # the single-rule warning, on the policy's line
    team = load_team(settings(doc))
    assert team.where("schedules.always") == "schedules.tf:12: [schedules.always]"
    assert (
        team.where("schedules.always layers[1]") == "schedules.tf:15: [schedules.always] layers[1]"
    )


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["schedules"]["always"].update(timezone="UTC"),
            "team.toml: [schedules.always]: unknown key 'timezone'",
        ),
        (
            lambda d: d["schedules"]["always"].update(time_zone="Mars/Base"),
            "unknown time zone 'Mars/Base'",
        ),
        (
            lambda d: d["schedules"]["always"]["layers"][0].update(start="2026-01-01T00:00:00"),
            "team.toml: [schedules.always] layers[1]: start '2026-01-01T00:00:00' needs an offset",
        ),
        (
            lambda d: d["schedules"]["always"]["layers"][0].update(rotation_turn_length_seconds=0),
            "rotation_turn_length_seconds must be a whole number at least 60",
        ),
        (
            lambda d: d["schedules"]["nights"]["layers"][0]["restrictions"][0].update(
                duration_seconds=90000
            ),
            "[schedules.nights] layers[1] restrictions[1]: duration_seconds must be a whole number from 1 to 86400",
        ),
        (
            lambda d: d["schedules"]["nights"]["layers"][0]["restrictions"][0].update(
                start_time_of_day="25:00:00"
            ),
            "start_time_of_day '25:00:00' is not a time of day",
        ),
        (
            lambda d: d["schedules"]["nights"]["layers"][0]["restrictions"][0].update(
                type="weekly_restriction"
            ),
            "needs start_day_of_week",
        ),
        (
            lambda d: d["policies"]["p"]["rules"][1].update(escalation_delay_in_minutes=0),
            "[policies.p] rules[2]: escalation_delay_in_minutes must be a whole number at least 1",
        ),
        (
            lambda d: d["policies"]["p"]["rules"][0]["targets"][0].update(type="team"),
            "[policies.p] rules[1] targets[1]: type must be one of user, schedule",
        ),
        (
            lambda d: d["policies"]["p"].update(num_loops=-1),
            "num_loops must be a whole number from 0 to 9",
        ),
    ],
)
def test_bad_tables_are_refused_by_key_path(mutate, message):
    doc = good()
    mutate(doc)
    with pytest.raises(OnCallConfigError) as info:
        load_team(settings(doc))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_pagerduty_reference_type_names_are_accepted():
    doc = good(
        policies={
            "p": {
                "rules": [
                    {
                        "escalation_delay_in_minutes": 5,
                        "targets": [
                            {"type": "schedule_reference", "id": "always"},
                            {"type": "user_reference", "id": "grace"},
                        ],
                    }
                ]
            }
        }
    )
    team = load_team(settings(doc))
    assert [t.kind for t in team.policies["p"].rules[0].targets] == ["schedule", "user"]


@pytest.mark.parametrize(
    "when",
    [
        "2026-01-06T00:00:00Z",
        "2026-03-28T12:00:00Z",
        "2026-10-24T00:00:00Z",
        "2026-11-30T04:30:00Z",
        "2027-06-01T00:00:00Z",
    ],
)
def test_the_bundled_config_has_no_lint_errors(when):
    findings = lint(load_settings(ACME), at(when))
    assert [f.line() for f in findings if f.severity == "error"] == []
    assert sorted(f.rule for f in findings) == ["same-person-twice", "single-rule"]
