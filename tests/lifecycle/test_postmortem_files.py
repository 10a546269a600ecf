"""The draft on disk: written on resolve, by `postmortem`, never over someone's edits."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from console.actions import execute_line
from console.cli import main
from console.postmortem_file import (
    default_path,
    untouched_draft,
    with_marker,
    write_after_resolve,
    write_postmortem,
)
from console.store import Store


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "store")
    yield s
    s.close()


def test_resolving_writes_the_draft_and_restores_components(store, settings, clock):
    execute_line(store, 'declare sev2 "Payments degraded" --service payments', settings, clock)
    clock.advance(600)
    seen = []
    execute_line(store, "resolve INC-1", settings, clock, postmortem_done=lambda *a: seen.append(a))
    path = default_path(store.path, "INC-1")
    assert seen == [("INC-1", path, f"postmortem draft written to {path}")]
    text = path.read_text()
    assert text.startswith("# Postmortem draft: INC-1: Payments degraded")
    assert "| Time to resolve | 10m |" in text and untouched_draft(path)
    assert store.state.components["Payment Processing"].status == "operational"
    assert store.state.get("INC-1").page_status == "resolved"


def test_background_write_and_a_failed_write_never_undo_the_resolve(store, settings, clock):
    execute_line(store, 'declare sev3 "Search slow"', settings, clock)
    (store.path / "postmortems").write_text("not a folder")  # the draft cannot be written
    seen = []
    execute_line(
        store,
        "resolve INC-1",
        settings,
        clock,
        background=True,
        postmortem_done=lambda *a: seen.append(a),
    )
    for t in threading.enumerate():
        if t.name == "postmortem-draft":
            t.join(5)
    [(inc, path, message)] = seen
    assert inc == "INC-1" and path is None and "cannot write the postmortem draft" in message
    assert Store.open(store.path, read_only=True).state.get("INC-1").status == "resolved"


def test_thread_is_returned_for_joining(store, settings, clock):
    out = execute_line(store, 'declare sev3 "Search slow"', settings, clock)
    out = execute_line(store, "resolve INC-1", settings, clock, postmortem_done=lambda *a: None)
    thread = write_after_resolve(store, out, settings, clock, background=True)
    thread.join(5)
    assert default_path(store.path, "INC-1").exists()


def test_an_edited_draft_is_kept_and_the_new_one_goes_beside_it(store, settings, clock):
    execute_line(store, 'declare sev3 "Search slow"', settings, clock)
    first = write_postmortem(store, "INC-1", settings, clock)
    assert write_postmortem(store, "INC-1", settings, clock) == first  # untouched: replaced
    first.write_text(first.read_text().replace("_What made this happen", "A bad deploy. _What"))
    second = write_postmortem(store, "INC-1", settings, clock)
    assert second.name == "INC-1.2.md" and "A bad deploy" in first.read_text()
    assert not untouched_draft(first) and untouched_draft(second)


def test_marker_detects_any_edit(tmp_path):
    p = tmp_path / "d.md"
    p.write_text(with_marker("# hello\n"))
    assert untouched_draft(p)
    p.write_text(p.read_text().replace("hello", "hullo"))
    assert not untouched_draft(p)


# -- the CLI -----------------------------------------------------------------------------


def cli(tmp_path, *args):
    return main(["--store", str(tmp_path / "store"), *args])


def test_cli_postmortem_default_stdout_and_file(tmp_path, capsys):
    assert cli(tmp_path, "exec", ':declare sev2 "Payments degraded"', ":resolve INC-1") == 0
    out = capsys.readouterr().out
    written = tmp_path / "store" / "postmortems" / "INC-1.md"
    assert f"INC-1: postmortem draft written to {written}" in out
    assert out.index("Resolved by") < out.index("postmortem draft written")
    assert cli(tmp_path, "postmortem", "inc-1", "-o", "-") == 0
    assert capsys.readouterr().out.startswith("# Postmortem draft: INC-1: Payments degraded")
    target = tmp_path / "pm.md"
    assert cli(tmp_path, "postmortem", "INC-1", "-o", str(target)) == 0
    assert untouched_draft(target)
    target.write_text("my own notes")
    assert cli(tmp_path, "postmortem", "INC-1", "-o", str(target)) == 1
    assert "already exists; --force replaces it" in capsys.readouterr().err
    assert target.read_text() == "my own notes"
    assert cli(tmp_path, "postmortem", "INC-1", "-o", str(target), "--force") == 0
    assert target.read_text().startswith("# Postmortem draft")


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["INC-9"], 1, "INC-9 does not exist"),
        (["9"], 2, "'9' is not an incident id"),
        (["INC-1", "-o", "."], 2, "is a folder; name a file"),
    ],
)
def test_cli_refusals_are_one_line(tmp_path, capsys, args, status, message):
    assert cli(tmp_path, "exec", ':declare sev3 "x"') == 0
    capsys.readouterr()
    assert cli(tmp_path, "postmortem", *args) == status
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_cli_unwritable_target_is_a_message_not_a_traceback(tmp_path):
    env = {**os.environ, "INCIDENT_CONSOLE_STORE": str(tmp_path / "store")}
    run = [sys.executable, "-m", "console"]
    subprocess.run([*run, "exec", ':declare sev3 "x"'], env=env, check=True, capture_output=True)
    r = subprocess.run(
        [*run, "postmortem", "INC-1", "-o", str(tmp_path / "missing" / "deeper" / "x.md")],
        env=env,
        capture_output=True,
        text=True,
    )
    # folders are made as needed; a path under a file is refused with its name
    assert r.returncode == 0, r.stderr
    (tmp_path / "afile").write_text("x")
    r = subprocess.run(
        [*run, "postmortem", "INC-1", "-o", str(tmp_path / "afile" / "x.md")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "afile" in r.stderr and "Traceback" not in r.stderr


def test_exec_json_names_the_draft(tmp_path, capsys):
    import json

    assert cli(tmp_path, "exec", "--json", ':declare sev3 "x"', ":resolve INC-1") == 0
    first, second = json.loads(capsys.readouterr().out)
    assert "postmortem" not in first
    assert second["postmortem"] == str(tmp_path / "store" / "postmortems" / "INC-1.md")
