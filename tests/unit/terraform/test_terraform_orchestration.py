"""Event orchestrations flattened to first-match lists: edge cases and a property test.

The property: for random nested sets, the flattened list (first matching rule wins)
gives every event the same actions as PagerDuty's own evaluation of the sets (rules in
order, a match applies its actions and may continue in another set, a set with no match
applies the catch-all), evaluated with the console's own condition language.
"""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.domain.intake.alert import Alert
from console.domain.intake.condition import compile_condition
from console.terraform import TerraformError, import_terraform
from console.terraform.orchestration import conjoin, render, split_or

SERVICE = """
resource "pagerduty_user" "ada" {
  name  = "Ada"
  email = "ada@x"
}
resource "pagerduty_escalation_policy" "p" {
  name = "P"
  rule {
    escalation_delay_in_minutes = 10
    target {
      type = "user_reference"
      id   = pagerduty_user.ada.id
    }
  }
}
resource "pagerduty_service" "svc" {
  name              = "svc"
  escalation_policy = pagerduty_escalation_policy.p.id
}
"""


def run(tmp_path: Path, text: str):
    (tmp_path / "base.tf").write_text(SERVICE)
    (tmp_path / "main.tf").write_text(text)
    return import_terraform([tmp_path])


def test_split_or_respects_quotes_and_case():
    text = "event.summary matches 'this or that' OR event.source matches \"a or b\" or not event.class exists"
    assert split_or(text) == [
        "event.summary matches 'this or that'",
        'event.source matches "a or b"',
        "not event.class exists",
    ]


def test_conjunction_in_normal_form():
    assert (
        render(conjoin([["a"], ["b"]], [["c"], ["d"]]))
        == "a and c or a and d or b and c or b and d"
    )
    assert render(conjoin([[]], [["c"]])) == "c"
    assert render([[]]) is None


def test_sets_that_route_in_a_cycle_are_refused(tmp_path):
    text = """
resource "pagerduty_event_orchestration_service" "svc" {
  service = pagerduty_service.svc.id
  set {
    id = "start"
    rule {
      actions {
        route_to = "a"
      }
    }
  }
  set {
    id = "a"
    rule {
      actions {
        route_to = "start"
      }
    }
  }
  catch_all {
    actions {}
  }
}
"""
    with pytest.raises(
        TerraformError,
        match=r"main.tf:\d+: sets route to each other in a cycle: start -> a -> start",
    ):
        run(tmp_path, text)


def test_a_route_to_an_unknown_set_is_refused(tmp_path):
    text = """
resource "pagerduty_event_orchestration_service" "svc" {
  service = pagerduty_service.svc.id
  set {
    id = "start"
    rule {
      actions {
        route_to = "nowhere"
      }
    }
  }
  catch_all {
    actions {}
  }
}
"""
    with pytest.raises(
        TerraformError, match=r"main.tf:\d+: route_to names set 'nowhere', which is not defined"
    ):
        run(tmp_path, text)


def test_unmodelled_actions_and_priorities_are_dropped_with_warnings(tmp_path):
    text = """
data "pagerduty_priority" "sev" {
  name = "SEV-1"
}
resource "pagerduty_event_orchestration" "o" {
  name = "o"
}
resource "pagerduty_event_orchestration_router" "r" {
  event_orchestration = pagerduty_event_orchestration.o.id
  set {
    id = "start"
    rule {
      label = "dynamic"
      actions {
        dynamic_route_to {
          lookup_by = "service_id"
          source    = "event.custom_details.pd_service_id"
          regex     = "(.*)"
        }
      }
    }
    rule {
      disabled = true
      condition {
        expression = "event.source matches 'x'"
      }
      actions {
        route_to = pagerduty_service.svc.id
      }
    }
  }
  catch_all {
    actions {
      route_to = pagerduty_service.svc.id
    }
  }
}
resource "pagerduty_event_orchestration_global" "g" {
  event_orchestration = pagerduty_event_orchestration.o.id
  set {
    id = "start"
    rule {
      condition {
        expression = "event.severity matches 'critical'"
      }
      actions {
        priority     = data.pagerduty_priority.sev.id
        event_action = "trigger"
        suppress     = false
      }
    }
  }
  catch_all {
    actions {}
  }
}
"""
    result = run(tmp_path, text)
    rules = result.config["rules"]
    assert "router" not in rules  # the dynamic rule routes nothing; the disabled one is skipped
    assert rules["catch_all"]["route_to"] == "svc"
    assert rules["global"][0]["actions"] == {}
    text = "\n".join(result.warnings)
    assert "action 'dynamic_route_to' is not modelled" in text
    assert "a router rule without route_to routes nothing" in text
    assert "priority 'SEV-1' is not one of P1..P5" in text
    assert "action 'event_action' is not modelled" in text


def test_count_skipped_types_modules_and_literal_ids(tmp_path):
    text = """
resource "pagerduty_schedule" "rota" {
  count     = 2
  name      = "Rota ${count.index}"
  time_zone = "UTC"
  layer {
    start                        = "2026-01-01T00:00:00Z"
    rotation_virtual_start       = "2026-01-01T00:00:00Z"
    rotation_turn_length_seconds = 86400
    users                        = [pagerduty_user.ada.id, "PXYZ123"]
  }
}
resource "pagerduty_schedule" "off" {
  count     = 0
  time_zone = "UTC"
}
module "other_team" {
  source = "./modules/team"
}
resource "aws_sns_topic" "alerts" {
  name = "alerts"
}
"""
    result = run(tmp_path, text)
    sched = result.config["schedules"]
    assert sorted(sched) == ["rota-0", "rota-1"]
    assert sched["rota-1"]["name"] == "Rota 1"
    assert sched["rota-0"]["layers"][0]["users"] == ["ada", "PXYZ123"]
    assert sched["rota-0"]["layers"][0]["name"] == "Layer 1"
    assert any("literal id 'PXYZ123'" in w for w in result.warnings)
    reasons = {s.address: s.reason for s in result.skipped}
    assert reasons["module.other_team"] == "modules are not followed"
    assert reasons["aws_sns_topic.alerts"] == "not a PagerDuty resource"


def test_a_data_source_for_a_managed_user_is_that_user(tmp_path):
    text = """
data "pagerduty_user" "me" {
  email = "ADA@x"
}
resource "pagerduty_escalation_policy" "q" {
  name = "Q"
  rule {
    escalation_delay_in_minutes = 5
    target {
      id = data.pagerduty_user.me.id
    }
  }
}
"""
    result = run(tmp_path, text)
    assert sorted(result.config["users"]) == ["ada"]
    assert result.config["policies"]["q"]["rules"][0]["targets"] == [{"type": "user", "id": "ada"}]


@pytest.mark.parametrize(
    "text, message",
    [
        (
            'resource "pagerduty_user" "ada" {\n  name = "Other"\n  email = "o@x"\n}\n',
            r"main.tf:1: pagerduty_user.ada is also declared at .*base.tf:2",
        ),
        (
            'resource "pagerduty_user" "team" {\n  for_each = toset(["ada"])\n  name = each.key\n  email = "a2@x"\n}\n',
            r"main.tf:1: \[users.ada\] is also defined at .*base.tf:2",
        ),
        (
            'resource "pagerduty_escalation_policy" "bad" {\n  rule {\n    escalation_delay_in_minutes = 5\n'
            '    target {\n      type = "team_reference"\n      id = "T"\n    }\n  }\n}\n',
            r"main.tf:4: target type 'team_reference' is not user_reference or schedule_reference",
        ),
        (
            'resource "pagerduty_schedule" "s" {\n  time_zone = "UTC"\n  layer {\n    start = "2026-01-01T00:00:00Z"\n  }\n}\n',
            r"main.tf:3: layer 1 of pagerduty_schedule.s needs 'rotation_virtual_start'",
        ),
        (
            'resource "pagerduty_maintenance_window" "m" {\n  start_time = "a"\n  end_time = "b"\n'
            "  services = [pagerduty_escalation_policy.p.id]\n}\n",
            r"main.tf:4: services\[1\] refers to pagerduty_escalation_policy.p, not a pagerduty_service",
        ),
    ],
)
def test_mistakes_name_the_file_and_line(tmp_path, text, message):
    with pytest.raises(TerraformError, match=message):
        run(tmp_path, text)


def test_old_style_alert_grouping_attributes(tmp_path):
    text = """
resource "pagerduty_service" "old" {
  name                   = "old"
  escalation_policy      = pagerduty_escalation_policy.p.id
  alert_grouping         = "time"
  alert_grouping_timeout = 120
}
resource "pagerduty_service" "content" {
  name              = "content"
  escalation_policy = pagerduty_escalation_policy.p.id
  alert_grouping_parameters {
    type = "content_based"
    config {
      aggregate   = "any"
      fields      = ["source", "custom_details.host"]
      time_window = 600
    }
  }
}
resource "pagerduty_service" "smart" {
  name              = "smart"
  escalation_policy = pagerduty_escalation_policy.p.id
  alert_grouping_parameters {
    type = "intelligent"
  }
}
"""
    result = run(tmp_path, text)
    assert result.config["services"]["old"]["alert_grouping"] == {"type": "time", "timeout": 120}
    assert "alert_grouping" not in result.config["services"]["smart"]
    assert any("grouping type 'intelligent' is not modelled" in w for w in result.warnings)
    assert result.config["services"]["content"]["alert_grouping"] == {
        "type": "content_based",
        "fields": ["source", "custom_details.host"],
    }
    assert any('aggregate = "any" is not modelled' in w for w in result.warnings)
    assert any("time_window is not modelled" in w for w in result.warnings)


# -- the property ------------------------------------------------------------------------

ATOMS = [f"event.custom_details.{k} matches '{v}'" for k in "ab" for v in "xy"]
SETS = ["start", "s1", "s2"]

conditions = st.lists(
    st.lists(st.sampled_from(ATOMS), min_size=1, max_size=2).map(" and ".join),
    max_size=2,
).map(lambda alts: alts)  # each rule: 0..2 condition blocks, each "a and b"


@st.composite
def orchestrations(draw):
    sets = {}
    for i, sid in enumerate(SETS):
        rules = []
        for j in range(draw(st.integers(0, 3))):
            conds = draw(
                st.lists(st.lists(st.sampled_from(ATOMS), min_size=1, max_size=2), max_size=2)
            )
            exprs = [
                " or ".join(draw(st.permutations(c))) if k % 2 else " and ".join(c)
                for k, c in enumerate(conds)
            ]
            later = SETS[i + 1 :]
            route = draw(st.sampled_from([None, *later])) if later else None
            priority = draw(st.sampled_from([None, "P1", "P2", "P3"]))
            rules.append(
                {"conds": exprs, "route": route, "priority": priority, "note": f"{sid}-{j}"}
            )
        sets[sid] = rules
    catch = draw(st.sampled_from([None, "P4", "P5"]))
    return sets, catch


def to_terraform(sets, catch) -> str:
    out = [
        'resource "pagerduty_event_orchestration_service" "svc" {',
        "  service = pagerduty_service.svc.id",
    ]
    for sid, rules in sets.items():
        out += ["  set {", f'    id = "{sid}"']
        for r in rules:
            out.append("    rule {")
            for c in r["conds"]:
                out += ["      condition {", f'        expression = "{c}"', "      }"]
            out.append("      actions {")
            out.append(f'        annotate = "{r["note"]}"')
            if r["priority"]:
                out.append(f'        priority = "{r["priority"]}"')
            if r["route"]:
                out.append(f'        route_to = "{r["route"]}"')
            out += ["      }", "    }"]
        out.append("  }")
    out += ["  catch_all {", "    actions {"]
    if catch:
        out.append(f'      priority = "{catch}"')
    out += ["    }", "  }", "}"]
    return "\n".join(out) + "\n"


def alert(a: str, b: str) -> Alert:
    return Alert(
        format="events_v2", action="trigger", dedup_key=None, custom_details={"a": a, "b": b}
    )


def pagerduty_semantics(sets, catch, event) -> dict:
    def matches(rule) -> bool:
        return not rule["conds"] or any(compile_condition(c)(event) for c in rule["conds"])

    actions: dict = {}

    def walk(sid):
        for rule in sets[sid]:
            if matches(rule):
                actions["annotate"] = rule["note"]
                if rule["priority"]:
                    actions["priority"] = rule["priority"]
                if rule["route"]:
                    walk(rule["route"])
                return
        if catch:
            actions["priority"] = catch

    walk("start")
    return actions


def flattened_semantics(rules, event) -> dict:
    for rule in rules:
        if "condition" not in rule or compile_condition(rule["condition"])(event):
            return rule["actions"]
    return {}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(orchestrations())
def test_flattening_matches_pagerduty_evaluation(tmp_path, orch):
    sets, catch = orch
    rules = run(tmp_path, to_terraform(sets, catch)).config["services"]["svc"].get("rules", [])
    for a in "xyz":
        for b in "xy":
            event = alert(a, b)
            assert flattened_semantics(rules, event) == pagerduty_semantics(sets, catch, event), (
                a,
                b,
            )


def test_for_each_teams_and_priorities_resolve_in_their_own_instance(tmp_path):
    text = """
data "pagerduty_priority" "p" {
  for_each = toset(["P1", "P2"])
  name     = each.key
}
resource "pagerduty_team" "t" {
  for_each = { red = "Red team", blue = "Blue team" }
  name     = each.value
}
resource "pagerduty_escalation_policy" "q" {
  name  = "Q"
  teams = [pagerduty_team.t["blue"].id, "PTEAM01"]
  rule {
    escalation_delay_in_minutes = 5
    target {
      id = pagerduty_user.ada.id
    }
  }
}
resource "pagerduty_event_orchestration_service" "svc" {
  service = pagerduty_service.svc.id
  set {
    id = "start"
    rule {
      actions {
        priority = data.pagerduty_priority.p["P2"].id
      }
    }
  }
  catch_all {
    actions {}
  }
}
"""
    result = run(tmp_path, text)
    assert result.config["policies"]["q"]["teams"] == ["Blue team", "PTEAM01"]
    assert result.config["services"]["svc"]["rules"] == [
        {"__source__": f"{(tmp_path / 'main.tf').as_posix()}:24", "actions": {"priority": "P2"}}
    ]


def test_a_policy_managed_elsewhere_is_named_for_the_toml(tmp_path):
    text = """
data "pagerduty_escalation_policy" "sre" {
  name = "SRE escalation"
}
resource "pagerduty_service" "api" {
  name              = "api"
  escalation_policy = data.pagerduty_escalation_policy.sre.id
}
"""
    result = run(tmp_path, text)
    assert result.config["services"]["api"]["escalation_policy"] == "sre"
    assert any("define [policies.sre] in the TOML" in w for w in result.warnings)
    reasons = {s.address: s.reason for s in result.skipped}
    assert reasons["data.pagerduty_escalation_policy.sre"] == (
        "defined outside these files: give it a [policies.sre] table in TOML"
    )
