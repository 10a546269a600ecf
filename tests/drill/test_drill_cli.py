"""`incident-console drill`: --list, headless with responses, --report, --strict, --json."""

from __future__ import annotations

import json

from console.cli import main
from tests.drill.conftest import BUNDLED, responses


def test_list(capsys):
    assert main(["drill", "--list"]) == 0
    out = capsys.readouterr().out
    for name in BUNDLED:
        assert name in out
    assert "welcome" in out and "(default)" in out


def test_list_json(capsys):
    assert main(["drill", "--list", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {d["name"] for d in doc} == set(BUNDLED)


def test_headless_prints_the_report_and_writes_json(tmp_path, capsys):
    out_file = tmp_path / "aar.json"
    code = main(
        [
            "drill",
            "payments-degraded",
            "--headless",
            "--responses",
            str(responses("payments-degraded", "meets")),
            "--report",
            str(out_file),
            "--strict",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert printed.startswith("# After-action report: Payments degraded")
    doc = json.loads(out_file.read_text())
    assert doc["score"] == {"met": 5, "total": 5}
    assert doc["timeline"][0]["origin"] == "intake"


def test_strict_exits_1_when_an_objective_is_missed(tmp_path, capsys):
    md = tmp_path / "aar.md"
    args = ["drill", "welcome", "--headless", "--responses", str(responses("welcome", "misses"))]
    assert main([*args, "--report", str(md)]) == 0
    assert main([*args, "--strict"]) == 1
    assert "objective(s) missed" in capsys.readouterr().err
    assert "MISSED" in md.read_text()


def test_json_output_is_one_document(capsys):
    assert main(["drill", "--headless", "--json"]) == 0  # the default scenario, no responses
    doc = json.loads(capsys.readouterr().out)
    assert doc["scenario"]["name"] == "welcome"
    assert doc["score"]["met"] == 0 and doc["incidents"]["INC-1"]["escalations"] >= 2


def test_report_into_a_missing_folder_is_refused_before_playing(tmp_path, capsys):
    assert main(["drill", "--headless", "--report", str(tmp_path / "no" / "x.md")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_without_headless_the_screen_plays_the_drill(monkeypatch):
    seen = {}

    def fake_run_app(args, ctx):
        seen["drill"], seen["speed"] = args.drill, args.drill_speed
        return 0

    import console.ui.app

    monkeypatch.setattr(console.ui.app, "run_app", fake_run_app)
    assert main(["drill", "database-failover", "--speed", "10"]) == 0
    assert seen == {"drill": "database-failover", "speed": 10}
    assert main(["drill"]) == 0
    assert seen["drill"] == "welcome"


def test_a_speed_the_clock_does_not_have_is_refused(capsys):
    assert main(["drill", "welcome", "--speed", "7"]) == 2
    assert "not 1, 10 or 60" in capsys.readouterr().err
