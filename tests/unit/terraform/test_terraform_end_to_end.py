"""The imported Terraform drives on-call, escalation, lint and intake, as production would.

Expected people are worked out by hand from the fixtures (sample_data/terraform), not
read back from the code under test: on Tuesday 2026-03-10 12:00Z (08:00 in New York,
after the DST change of 8 March) ...
"""

import json
from pathlib import Path

import pytest

from console.cli import main
from console.config import load_settings
from console.domain.clock import parse_instant
from console.domain.intake import intake
from console.domain.model import State

SAMPLE = Path(__file__).resolve().parents[3] / "sample_data" / "terraform"
TF = SAMPLE.as_posix()  # sources name files as the path was given
AT = "2026-03-10T12:00:00Z"


def run_json(capsys, *argv: str) -> dict:
    code = main([*argv, "--config", str(SAMPLE), "--json"])
    out = capsys.readouterr().out
    return {"code": code, **json.loads(out)}


def test_oncall_now_and_next(capsys):
    doc = run_json(capsys, "oncall", "--at", AT)
    assert doc["code"] == 0
    rows = {row["key"]: row for row in doc["schedules"]}
    # weekly turns from Mon 5 Jan 09:00 New York: the 10th turn began Mon 9 Mar, 9 % 3 = grace
    assert [p["handle"] for p in rows["payments_primary"]["now"]] == ["grace"]
    # the weekend layer (from Sat 3 Jan, weekly, seun then kenji): Sat 14 Mar is turn 10 -> seun
    assert [p["handle"] for p in rows["payments_primary"]["next"]] == ["seun"]
    assert rows["payments_primary"]["handoff_at"] == "2026-03-14T04:00:00Z"
    # 8-hour turns from 1 Jan 00:00Z: 68 days and 12 hours = turn 205, 205 % 3 -> ada
    assert [p["handle"] for p in rows["platform_sun"]["now"]] == ["ada"]


def test_escalation_plan_follows_the_imported_policy(capsys):
    doc = run_json(capsys, "escalation", "payments", "--from", AT)
    assert doc["code"] == 0
    first_pass = [(e["at"], e["level"], e["user"], e["via"]) for e in doc["entries"][:3]]
    assert first_pass == [
        ("2026-03-10T12:00:00Z", 1, "grace", "Payments primary"),
        ("2026-03-10T12:15:00Z", 2, "ada", "Platform follow-the-sun"),
        ("2026-03-10T12:30:00Z", 3, "seun", "Engineering managers"),
    ]
    assert doc["num_loops"] == 2
    assert {e["loop"] for e in doc["entries"]} == {1, 2, 3}


def test_lint_has_no_errors_and_names_terraform_files_and_lines(capsys):
    doc = run_json(capsys, "lint", "--at", AT)
    assert doc["code"] == 0
    assert doc["errors"] == 0
    where = {f["where"] for f in doc["findings"]}
    assert f"{TF}/policies.tf:88: [policies.search]" in where  # the single-rule policy, on its line


def test_lint_errors_point_into_the_terraform(tmp_path, capsys):
    for f in SAMPLE.iterdir():
        (tmp_path / f.name).write_text(f.read_text())
    # a layer that ends before it starts: an error lint must place in schedules.tf
    text = (tmp_path / "schedules.tf").read_text()
    text = text.replace(
        "    end                          = local.database_until\n",
        '    end                          = "2025-01-01T00:00:00Z"\n',
    )
    (tmp_path / "schedules.tf").write_text(text)
    code = main(["lint", "--config", str(tmp_path), "--at", AT])
    out, err = capsys.readouterr()
    assert code == 2
    # the layer's own line: the first `layer {` of database_oncall
    assert (
        f"{tmp_path}/schedules.tf:60: [schedules.database_oncall] layers[1]: end must be after start"
        in err
    )
    assert "Traceback" not in err


def settings():
    return load_settings(SAMPLE)


def trigger(summary: str, source: str, severity: str = "error", **details) -> dict:
    return {
        "routing_key": "0" * 32,  # no service's integration key: the router decides
        "event_action": "trigger",
        "payload": {
            "summary": summary,
            "source": source,
            "severity": severity,
            "custom_details": details,
        },
    }


def opened(events):
    found = [e for e in events if e.kind == "opened"]
    return found[0].data if found else None


def test_router_rules_route_by_source():
    events, intents = intake(
        State(), settings(), trigger("p99 high", "payments-api-7"), parse_instant(AT)
    )
    assert opened(events)["service"] == "payments"
    assert intents[0]["op"] == "incident.open"


def test_service_rules_and_their_catch_all_apply():
    s = settings()
    at = parse_instant(AT)
    events, _ = intake(State(), s, trigger("primary unreachable", "db-3", "critical"), at)
    assert opened(events)["priority"] == "P1"
    events, _ = intake(State(), s, trigger("slow queries", "db-3", "critical"), at)
    # the catch-all of the database orchestration sets severity warning: low urgency
    assert opened(events)["urgency"] == "low"


def test_global_rules_drop_and_suppress_before_routing():
    s = settings()
    at = parse_instant(AT)
    events, intents = intake(State(), s, trigger("[synthetic] checkout probe", "payments-api"), at)
    assert opened(events) is None and intents == []
    events, intents = intake(State(), s, trigger("disk full", "stg-payments-1"), at)
    assert opened(events) is None and intents == []


def test_unrouted_alerts_make_no_incident():
    events, intents = intake(
        State(), settings(), trigger("who am I", "mystery-box"), parse_instant(AT)
    )
    assert opened(events) is None and intents == []


def test_the_maintenance_window_suppresses_the_database():
    during = parse_instant("2026-12-06T03:00:00Z")
    events, intents = intake(State(), settings(), trigger("replica lag", "db-2"), during)
    assert opened(events) is None and intents == []
    after = parse_instant("2026-12-06T05:00:00Z")
    events, _ = intake(State(), settings(), trigger("replica lag", "db-2"), after)
    assert opened(events)["service"] == "database"


@pytest.mark.parametrize("command", [["oncall"], ["lint"], ["escalation", "payments"]])
def test_broken_terraform_stops_every_command_with_file_and_line(tmp_path, capsys, command):
    (tmp_path / "main.tf").write_text(
        'resource "pagerduty_user" "u" {\n  name = var.missing\n  email = "u@x"\n}\n'
    )
    assert main([*command, "--config", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "main.tf:2: cannot evaluate" in err and "variable 'missing' is not declared" in err
    assert err.count("\n") == 1


def test_a_coverage_gap_in_the_terraform_is_a_lint_error_on_its_line(tmp_path, capsys):
    for f in SAMPLE.iterdir():
        (tmp_path / f.name).write_text(f.read_text())
    text = (tmp_path / "schedules.tf").read_text()
    start = text.index('  layer {\n    name                         = "Weekends"')
    end = text.index("  teams = [pagerduty_team.shop.id]")
    (tmp_path / "schedules.tf").write_text(text[:start] + text[end:])  # nobody on weekends
    assert main(["lint", "--config", str(tmp_path), "--at", AT]) == 1
    out = capsys.readouterr().out
    assert (
        f"error: {tmp_path.as_posix()}/schedules.tf:3: [schedules.payments_primary]: nobody on call"
        in out
    )
