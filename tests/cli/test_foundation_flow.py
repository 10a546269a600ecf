"""The foundation's 'done when', through the real entry point in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def run(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "console", *args], capture_output=True, text=True, env=env
    )


def test_declare_ack_show(tmp_path):
    env = {
        **os.environ,
        "INCIDENT_CONSOLE_STORE": str(tmp_path / "store"),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
    }
    r = run("exec", ':declare sev2 "Payments degraded" --service payments', env=env)
    assert r.returncode == 0, r.stderr
    r = run("exec", ":ack INC-1", env=env)
    assert r.returncode == 0, r.stderr
    r = run("show", "INC-1", "--json", env=env)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert (
        doc["status"] == "acknowledged"
        and doc["severity"] == "SEV2"
        and doc["service"] == "payments"
    )
    assert [e["kind"] for e in doc["timeline"]] == ["opened", "declared", "acknowledged"]
    assert set(doc) == {
        "id",
        "title",
        "status",
        "severity",
        "priority",
        "urgency",
        "service",
        "components",
        "assignee",
        "roles",
        "created_at",
        "acknowledged_at",
        "resolved_at",
        "provider_ids",
        "timeline",
    }
    assert all(set(e) == {"at", "kind", "author", "origin", "text"} for e in doc["timeline"])
    assert doc["created_at"].endswith("Z")
    r = run("list", "--json", env=env)
    [row] = json.loads(r.stdout)
    assert "timeline" not in row and row["id"] == "INC-1"


def test_exit_codes_and_no_tracebacks(tmp_path):
    env = {
        **os.environ,
        "INCIDENT_CONSOLE_STORE": str(tmp_path / "store"),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
    }
    cases = [
        (["exec", "frob"], 2, "unknown command"),
        (["exec", "ack INC-4"], 1, "INC-4 does not exist"),
        (["show", "7"], 2, "not an incident id"),
        (["--read-only", "exec", "declare sev2 x"], 1, "read-only"),
        (["exec", "--store", str(tmp_path / "s2"), 'declare sev3 "after the subcommand"'], 0, ""),
        (["--no-such-flag"], 2, "unrecognized"),
    ]
    for args, status, text in cases:
        r = run(*args, env=env)
        assert r.returncode == status, (args, r.stdout, r.stderr)
        assert text in r.stderr
        assert "Traceback" not in r.stderr
    r = run("--version", env=env)
    assert r.returncode == 0 and r.stdout.startswith("incident-console ")


def test_exec_stops_at_the_first_refused_line_and_keeps_earlier_ones(tmp_path):
    env = {
        **os.environ,
        "INCIDENT_CONSOLE_STORE": str(tmp_path / "store"),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
    }
    r = run(
        "exec",
        'declare sev3 "one"',
        "ack INC-1",
        "ack INC-2",
        'note INC-1 "never applied"',
        env=env,
    )
    assert r.returncode == 1
    doc = json.loads(run("show", "INC-1", "--json", env=env).stdout)
    assert doc["status"] == "acknowledged"
    assert "never applied" not in json.dumps(doc)


def test_bad_config_names_file_and_key(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[services.payments]\nescalaton_policy = "x"\n')
    env = {
        **os.environ,
        "INCIDENT_CONSOLE_STORE": str(tmp_path / "store"),
        "INCIDENT_CONSOLE_CONFIG": str(cfg),
    }
    r = run("exec", "declare sev2 x", env=env)
    assert r.returncode == 2
    assert str(cfg) in r.stderr and "escalaton_policy" in r.stderr
    cfg.write_text("[services\n")
    r = run("list", env=env)
    assert r.returncode == 2 and "not valid TOML" in r.stderr


def test_read_only_in_the_config_refuses_writes(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text("read_only = true\n")
    env = {
        **os.environ,
        "INCIDENT_CONSOLE_STORE": str(tmp_path / "store"),
        "INCIDENT_CONSOLE_CONFIG": str(cfg),
    }
    r = run("exec", 'declare sev2 "x"', env=env)
    assert r.returncode == 1 and "read-only" in r.stderr


def test_lint_finds_a_rule_that_does_not_parse(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[[rules.router]]\nname = "db"\ncondition = "event.source matches regexx \'db-.*\'"\nactions = { route_to = "database" }\n'
    )
    env = {
        **os.environ,
        "INCIDENT_CONSOLE_STORE": str(tmp_path / "store"),
        "INCIDENT_CONSOLE_CONFIG": str(cfg),
    }
    r = run("lint", env=env)
    assert r.returncode == 1
    assert "[[rules.router]] #1 (db)" in r.stdout and "regexx" in r.stdout
