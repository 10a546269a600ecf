"""`oncall`, `escalation` and `lint` from the command line, on the bundled and bad configs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.cli import main

ACME = str(Path(__file__).resolve().parents[3] / "sample_data" / "config" / "acme.toml")
AT = "2026-11-30T04:30:00Z"


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_oncall_table_fits_80_columns(capsys):
    status, out, err = run(capsys, "--config", ACME, "oncall", "--at", AT)
    assert status == 0, err
    assert "Platform follow-the-sun" not in out  # cut to its column
    assert "Platform follow-the-s…" in out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    row = next(line for line in lines if line.startswith("Database on call"))
    assert "Priya Raman" in row and "Mateo Silva" in row and "30 Nov 09:00Z in 4h30m" in row


def test_oncall_json(capsys):
    status, out, _ = run(capsys, "oncall", "--at", AT, "--json", "--config", ACME)
    assert status == 0
    doc = json.loads(out)
    assert doc["at"] == AT
    sun = next(r for r in doc["schedules"] if r["key"] == "platform-sun")
    assert sun["now"] == [{"handle": "kenji", "name": "Kenji Sato"}]
    assert sun["next"] == [{"handle": "ada", "name": "Ada Lovelace"}]
    assert sun["handoff_at"] == "2026-11-30T08:00:00Z"
    assert [p["key"] for p in doc["policies"]] == [
        "payments",
        "storefront",
        "database",
        "search",
        "identity",
    ]


def test_escalation_plan_json_by_service_name(capsys):
    status, out, _ = run(capsys, "--config", ACME, "escalation", "payments", "--from", AT, "--json")
    assert status == 0
    doc = json.loads(out)
    assert (doc["policy"], doc["num_loops"]) == ("payments", 2)
    assert len(doc["entries"]) == 3 * 3
    assert doc["entries"][0] == {
        "at": AT,
        "level": 1,
        "loop": 1,
        "user": "mateo",
        "name": "Mateo Silva",
        "via": "Payments primary",
    }
    assert doc["entries"][-1]["at"] == "2026-11-30T07:00:00Z"


def test_escalation_plan_text(capsys):
    status, out, _ = run(
        capsys, "--config", ACME, "escalation", "Identity escalation", "--from", AT
    )
    assert status == 0
    assert "If triggered at 2026-11-30 04:30 UTC" in out
    assert "Ada Lovelace" in out and "direct" in out
    assert "Escalation stops at 2026-11-30 05:30 UTC" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_escalation_unknown_policy_is_bad_usage(capsys):
    status, _, err = run(capsys, "--config", ACME, "escalation", "nope")
    assert status == 2
    assert "no escalation policy or service matches 'nope'" in err
    assert "Traceback" not in err


def test_bad_time_word_is_bad_usage(capsys):
    status, _, err = run(capsys, "--config", ACME, "oncall", "--at", "tomorrow")
    assert status == 2
    assert "--at: 'tomorrow' is not a time" in err


def test_lint_of_the_bundled_config_passes_with_warnings(capsys):
    status, out, _ = run(capsys, "--config", ACME, "lint", "--at", AT)
    assert status == 0
    assert out.strip().endswith(
        "0 errors, 2 warnings (4 schedules, 5 policies, 5 services; next 30 days)"
    )


def test_lint_errors_exit_1_and_json_lists_them(tmp_path, capsys):
    cfg = tmp_path / "team.toml"
    cfg.write_text(
        """
[users.ada]
name = "Ada"
[services.web]
escalation_policy = "web"
[policies.web]
[[policies.web.rules]]
escalation_delay_in_minutes = 5
targets = [{ type = "user", id = "bob" }]
"""
    )
    status, out, _ = run(capsys, "--config", str(cfg), "lint", "--at", AT, "--json")
    assert status == 1
    doc = json.loads(out)
    assert doc["errors"] >= 2
    wheres = {(f["rule"], f["where"]) for f in doc["findings"]}
    assert ("missing-target", f"{cfg}: [policies.web] rules[1]") in wheres
    assert ("pages-nobody", f"{cfg}: [policies.web]") in wheres


def test_a_broken_schedule_is_exit_2_naming_the_key(tmp_path, capsys):
    cfg = tmp_path / "team.toml"
    cfg.write_text(
        """
[schedules.s]
time_zone = "Europe/Berlin"
[[schedules.s.layers]]
start = "2026-01-01T00:00:00Z"
rotation_turn_length_seconds = "weekly"
users = ["ada"]
"""
    )
    for cmd in (["oncall"], ["lint"], ["escalation", "x"]):
        status, out, err = run(capsys, "--config", str(cfg), *cmd)
        assert status == 2
        assert (
            f"{cfg}: [schedules.s] layers[1]: rotation_turn_length_seconds must be a whole number"
            in err
        )
        assert out == ""


@pytest.mark.parametrize("days", ["0", "400"])
def test_lint_days_out_of_range(capsys, days):
    status, _, err = run(capsys, "--config", ACME, "lint", "--days", days)
    assert status == 2
    assert "--days must be from 1 to 366" in err


def test_names_from_config_reach_the_terminal_inert(tmp_path, capsys):
    cfg = tmp_path / "team.toml"
    cfg.write_text(
        """
[users.eve]
name = "Eve \\u001b[31mRed\\u001b]8;;http://x\\u0007"
[schedules.s]
name = "Sched\\u202eule"
[[schedules.s.layers]]
start = "2026-01-01T00:00:00Z"
rotation_turn_length_seconds = 86400
users = ["eve"]
[status]
[[status.components]]
name = "db01.prod\\u001b[2J"
"""
    )
    for cmd in (["oncall", "--at", AT], ["lint", "--at", AT]):
        status, out, _ = run(capsys, "--config", str(cfg), *cmd)
        assert status in (0, 1)
        assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    status, out, _ = run(capsys, "--config", str(cfg), "oncall", "--at", AT)
    assert "Eve Red" in out
