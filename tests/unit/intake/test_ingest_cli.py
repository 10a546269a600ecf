"""`incident-console ingest`: reading files, refusing bad input with exit 2 and one line."""

from __future__ import annotations

import json

import pytest

from console.cli import main
from console.cli.context import CliError
from console.cli.ingest_cmd import MAX_BODY, read_bodies
from tests.unit.intake.helpers import trigger


def test_one_body_an_array_and_json_lines():
    one = json.dumps(trigger("a")).encode()
    assert [w for w, _ in read_bodies(one, "f.json")] == ["f.json"]
    arr = json.dumps([trigger("a"), trigger("b")]).encode()
    assert [w for w, _ in read_bodies(arr, "f.json")] == ["f.json: body #1", "f.json: body #2"]
    lines = (json.dumps(trigger("a")) + "\n\n" + json.dumps(trigger("b")) + "\n").encode()
    assert [w for w, _ in read_bodies(lines, "f.jsonl")] == ["f.jsonl: line 1", "f.jsonl: line 3"]


@pytest.mark.parametrize(
    "data, needle",
    [
        (b"", "f: holds no alerts"),
        (b"[]", "f: the array holds no alerts"),
        (b'{"a": 1,}', "f: line 1 column 9: not valid JSON"),
        (b'{"a": 1}\n{"b": \n', "f: line 2 column 7: not valid JSON"),
        (b"\xff\xfe{}", "f: not UTF-8 text"),
        (json.dumps({"x": "y" * MAX_BODY}).encode(), "f: the body is over 512 KB"),
        (
            json.dumps([{"x": 1}, {"x": "y" * MAX_BODY}]).encode(),
            "f: body #2: the body is over 512 KB",
        ),
    ],
)
def test_bad_files_are_refused_naming_where(data, needle):
    with pytest.raises(CliError) as exc:
        read_bodies(data, "f")
    assert needle in str(exc.value) and exc.value.status == 2


def run_cli(tmp_path, capsys, *args, config: str | None = None):
    argv = ["--store", str(tmp_path / "store")]
    if config is not None:
        cfg = tmp_path / "config.toml"
        cfg.write_text(config)
        argv += ["--config", str(cfg)]
    code = main([*argv, "ingest", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_bad_body_refuses_the_whole_file_and_writes_nothing(tmp_path, capsys):
    f = tmp_path / "alerts.jsonl"
    bad = trigger("b")
    del bad["payload"]["summary"]
    f.write_text(json.dumps(trigger("a")) + "\n" + json.dumps(bad) + "\n")
    code, out, err = run_cli(tmp_path, capsys, str(f))
    assert code == 2
    assert (
        err.strip()
        == f"incident-console: {f}: line 2: Events v2: 'payload.summary' is missing or blank"
    )
    assert "Traceback" not in err
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize(
    "args, needle",
    [
        ([], "give a FILE of alerts"),
        (["x.json", "--listen", "0"], "not both"),
        (["missing.json"], "missing.json: cannot read: No such file or directory"),
        (["--at", "yesterday", "x.json"], "ingest --at: 'yesterday' is not a time"),
    ],
)
def test_usage_errors_exit_2(tmp_path, capsys, args, needle):
    code, out, err = run_cli(tmp_path, capsys, *args)
    assert code == 2 and needle in err and "Traceback" not in err


def test_a_rule_that_does_not_parse_is_refused_before_reading(tmp_path, capsys):
    config = '[[rules.global]]\nname = "typo"\ncondition = "event.summary matches part"\nactions = { drop = true }\n'
    code, out, err = run_cli(tmp_path, capsys, "whatever.json", config=config)
    assert code == 2
    assert "[[rules.global]] #1 (typo): condition" in err and "expected a quoted string" in err
