"""A scenario or responses file that cannot be used: one line naming file, line, field;
exit status 2 from the CLI; never a traceback."""

from __future__ import annotations

import textwrap

import pytest

from console.cli import main
from console.drill import DrillError, load_responses, load_scenario
from tests.drill.conftest import SCENARIOS

GOOD = """\
title: Tiny
start: "2026-12-01T14:00:00Z"
duration: 30m
setup:
  config: {config}
injects:
  - at: +10s
    alert:
      routing_key: acme0payments0routing0key000001
      event_action: trigger
      dedup_key: k1
      payload: {{summary: "Payments slow", source: api-1, severity: critical}}
objectives:
  - {{kind: acknowledge, incident: INC-1, within: 5m}}
"""


def _write(tmp_path, text, name="s.yaml"):
    path = tmp_path / name
    config = SCENARIOS.parent / "config" / "acme.toml"
    path.write_text(textwrap.dedent(text).replace("{config}", str(config)))
    return path


def test_the_good_one_loads(tmp_path):
    sc = load_scenario(_write(tmp_path, GOOD.replace("{{", "{").replace("}}", "}")))
    assert sc.title == "Tiny" and len(sc.injects) == 1 and sc.duration == 1800
    assert sc.settings.user.label == "You"


def _fails(tmp_path, text) -> str:
    path = _write(tmp_path, text.replace("{{", "{").replace("}}", "}"))
    with pytest.raises(DrillError) as err:
        load_scenario(path)
    msg = str(err.value)
    assert "\n" not in msg and str(path) in msg
    return msg


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("  - at: +10s", "  - at: soon"), 7, ["injects[1].at", "'soon' is not a time"]),
        (("duration: 30m", "duration: 30 minutes"), 3, ["duration", "not a duration"]),
        (("    alert:", "    alrt:"), 7, ["injects[1]", "exactly one of"]),
        (
            ("event_action: trigger", "event_action: explode"),
            8,
            ["injects[1].alert", "event_action"],
        ),
        (
            ("kind: acknowledge", "kind: acknowledge, colour: red"),
            14,
            ["objectives[1].colour", "unknown field"],
        ),
        (
            ("kind: acknowledge", "kind: applaud"),
            14,
            ["objectives[1].kind", "'applaud' is not one of"],
        ),
        (("  - at: +10s", "  - at: +2h"), 7, ["injects[1].at", "after the drill ends"]),
        (
            ('start: "2026-12-01T14:00:00Z"', 'start: "2026-12-01T14:00:00"'),
            2,
            ["start", "needs a Z"],
        ),
        (("title: Tiny", "title: Tiny\nwhen: now"), 2, ["when", "unknown field"]),
    ],
)
def test_each_mistake_is_named_by_file_line_and_field(tmp_path, change, line, words):
    msg = _fails(tmp_path, GOOD.replace(*change))
    assert f"s.yaml:{line}:" in msg, msg
    for w in words:
        assert w in msg, msg


def test_not_yaml_names_the_line(tmp_path):
    msg = _fails(tmp_path, GOOD + "  - {kind: resolve\n")
    assert "not valid YAML" in msg and "s.yaml:1" in msg


def test_unknown_responder_names_the_known_users(tmp_path):
    text = GOOD + "  - {kind: resolve}\n"
    text = text.replace(
        "objectives:",
        "  - at: +1m\n    responder: {who: zelda, action: ack}\nobjectives:",
    )
    msg = _fails(tmp_path, text)
    assert "injects[2].responder.who" in msg and "no user matches 'zelda'" in msg


def test_a_broken_team_names_the_scenario(tmp_path):
    text = GOOD.replace(
        "injects:", "  services:\n    payments:\n      escalaton_policy: x\ninjects:"
    )
    msg = _fails(tmp_path, text)
    assert "setup" in msg and "escalaton_policy" in msg


def test_a_missing_config_file(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(GOOD.replace("{config}", "nope.toml").replace("{{", "{").replace("}}", "}"))
    with pytest.raises(DrillError, match=r"s.yaml:5: setup.config: no such config file"):
        load_scenario(path)


def test_responses_file_errors(tmp_path):
    sc = load_scenario(_write(tmp_path, GOOD.replace("{{", "{").replace("}}", "}")))
    bad = tmp_path / "r.yaml"
    bad.write_text(
        '- {at: "+1m", command: "ack INC-1"}\n- {at: "+2m", command: "declare INC-1 sev9"}\n'
    )
    with pytest.raises(
        DrillError, match=r"r.yaml:2: \[2\].command: declare: '?sev9'? is not a severity"
    ):
        load_responses(bad, sc.start, sc.duration)
    bad.write_text("- {at: +1m, comand: ack}\n")
    with pytest.raises(DrillError, match=r"r.yaml:1: \[1\].comand: unknown field"):
        load_responses(bad, sc.start, sc.duration)
    bad.write_text("at: +1m\n")
    with pytest.raises(DrillError, match="r.yaml:1: a responses file is a list"):
        load_responses(bad, sc.start, sc.duration)


def test_cli_exits_2_with_one_line_and_no_traceback(tmp_path, capsys):
    path = _write(
        tmp_path, GOOD.replace("  - at: +10s", "  - at: soon").replace("{{", "{").replace("}}", "}")
    )
    assert main(["drill", str(path), "--headless"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"{path}:7: injects[1].at" in err


def test_cli_unknown_scenario_lists_the_bundled_ones(capsys):
    assert main(["drill", "nope", "--headless"]) == 2
    err = capsys.readouterr().err
    assert "no scenario 'nope'" in err and "payments-degraded" in err


def test_cli_responses_without_headless_is_bad_usage(capsys):
    assert main(["drill", "welcome", "--responses", "x.yaml"]) == 2
    assert "--responses needs --headless" in capsys.readouterr().err
