"""`escalation INC`: an incident's next pages and timers, from a store written by `exec`."""

from __future__ import annotations

import json
from pathlib import Path

import pendulum

from console.cli import main

ACME = str(Path(__file__).resolve().parents[3] / "sample_data" / "config" / "acme.toml")


def run(capsys, *argv):
    status = main(["--config", ACME, *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_next_pages_of_an_incident_before_and_after_ack(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("INCIDENT_CONSOLE_STORE", str(tmp_path / "store"))
    status, _, err = run(capsys, "exec", ':declare sev2 "Card payments failing" --service payments')
    assert status == 0, err
    status, out, _ = run(capsys, "show", "INC-1", "--json")
    created = pendulum.parse(json.loads(out)["created_at"])

    status, out, _ = run(capsys, "escalation", "INC-1", "--json")
    assert status == 0
    doc = json.loads(out)
    assert (doc["status"], doc["policy"]) == ("triggered", "payments")
    # nothing recorded the first page (no TUI ran): it is overdue, then the rest follow
    assert [(p["level"], p["loop"]) for p in doc["pages"]] == [
        (lv, lp) for lp in (1, 2, 3) for lv in (1, 2, 3)
    ]
    first = pendulum.parse(doc["pages"][0]["at"])
    assert abs((first - created).total_seconds()) < 1
    assert abs((pendulum.parse(doc["auto_resolve_at"]) - created).total_seconds() - 4 * 3600) < 1
    assert doc["unacknowledge_at"] is None

    status, _, err = run(capsys, "exec", ":ack INC-1")
    assert status == 0, err
    status, out, _ = run(capsys, "escalation", "inc-1", "--json")
    doc = json.loads(out)
    assert doc["status"] == "acknowledged"
    unack = pendulum.parse(doc["unacknowledge_at"])
    assert abs((unack - created).total_seconds() - 1800) < 5
    # after the acknowledgement times out the plan starts again at level 1
    assert pendulum.parse(doc["pages"][0]["at"]) == unack
    assert len(doc["pages"]) == 9

    status, out, _ = run(capsys, "escalation", "INC-1")
    assert status == 0
    assert "Acknowledgement times out at" in out and "level 1 pass 1/3" in out


def test_an_unknown_incident_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("INCIDENT_CONSOLE_STORE", str(tmp_path / "store"))
    status, _, err = run(capsys, "exec", ':declare sev3 "x" --service search')
    assert status == 0, err
    status, _, err = run(capsys, "escalation", "INC-9")
    assert status == 1
    assert "INC-9 does not exist" in err


def test_a_manual_escalation_by_exec_moves_the_plan(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("INCIDENT_CONSOLE_STORE", str(tmp_path / "store"))
    status, _, err = run(capsys, "exec", ':declare sev2 "Card payments failing" --service payments')
    assert status == 0, err
    status, _, err = run(capsys, "exec", ":escalate INC-1 --level 3")
    assert status == 0, err
    status, out, _ = run(capsys, "escalation", "INC-1", "--json")
    doc = json.loads(out)
    # level 3 was paged by hand; next comes the second pass from level 1
    future = [(p["level"], p["loop"]) for p in doc["pages"] if p["loop"] > 1]
    assert future == [(1, 2), (2, 2), (3, 2), (1, 3), (2, 3), (3, 3)]
    status, out, _ = run(capsys, "show", "INC-1", "--json")
    manual = next(e for e in json.loads(out)["timeline"] if e["kind"] == "escalated")
    first_next = pendulum.parse(next(p["at"] for p in doc["pages"] if p["loop"] == 2))
    assert (first_next - pendulum.parse(manual["at"])).total_seconds() == 30 * 60


def test_exec_refuses_a_level_past_the_policys_last_rule(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("INCIDENT_CONSOLE_STORE", str(tmp_path / "store"))
    status, _, err = run(capsys, "exec", ':declare sev2 "Card payments failing" --service payments')
    assert status == 0, err
    status, _, err = run(capsys, "exec", ":escalate INC-1 --level 4")
    assert status == 1
    assert "levels 1 to 3; there is no level 4" in err
    status, _, err = run(capsys, "exec", ":escalate INC-1 --level 3", ":escalate INC-1")
    assert status == 1 and "there is no level 4" in err  # the next level past the last
    status, out, _ = run(capsys, "show", "INC-1", "--json")
    [escalated] = [e for e in json.loads(out)["timeline"] if e["kind"] == "escalated"]
    assert escalated["text"].startswith("Escalated to level 3")
