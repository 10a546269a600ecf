"""Headless surfaces of the lifecycle: `list` marks a stale status page, `show` lists
what has not reached a provider yet."""

from __future__ import annotations

from console.actions import execute_line
from console.cli import main
from console.domain.clock import FixedClock
from console.domain.settings import settings_from_dict
from console.store import Store

LONG_AGO = "2026-01-01T09:00:00Z"  # before the real clock the CLI reads: long silent


def seed(tmp_path, *lines):
    store = Store.open(tmp_path / "store")
    # only configured status components are accepted: API is the one these tests use
    settings = settings_from_dict({"status": {"components": [{"name": "API"}]}}, source="t.toml")
    for line in lines:
        execute_line(store, line, settings, FixedClock(LONG_AGO))
    store.close()


def cli(tmp_path, *args):
    return main(["--store", str(tmp_path / "store"), *args])


def test_list_marks_a_stale_status_page_and_says_so(tmp_path, capsys):
    seed(
        tmp_path,
        'declare sev2 "Payments degraded" --component API',
        'declare sev4 "Quiet one" --component API',
    )
    assert cli(tmp_path, "list") == 0
    out = capsys.readouterr().out.splitlines()
    assert "[page " in out[0] and out[0].startswith("INC-1")
    assert "[page" not in out[1]
    assert out[-1].startswith("INC-1: status page silent ") and "post an update" in out[-1]


def test_show_lists_pending_deliveries_and_staleness(tmp_path, capsys):
    seed(tmp_path, 'declare sev2 "Payments degraded" --component API', 'say INC-1 "hello"')
    assert cli(tmp_path, "show", "INC-1") == 0
    out = capsys.readouterr().out
    assert "pending               providers: incident.declare queued (not sent yet)" in out
    assert "pending               chat: chat.post queued (not sent yet)" in out
    assert "INC-1: status page silent" in out


def test_a_fresh_or_resolved_incident_is_not_marked(tmp_path, capsys):
    seed(tmp_path, 'declare sev2 "Payments degraded" --component API', "resolve INC-1")
    assert cli(tmp_path, "list", "--all") == 0
    out = capsys.readouterr().out
    assert "[page" not in out and "silent" not in out


def test_list_on_a_store_never_written_says_so(tmp_path, capsys):
    """A mistyped --store must not read as "all quiet"."""
    assert main(["--store", str(tmp_path / "typo"), "list"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "no open incidents"
    assert f"nothing has been written to {tmp_path / 'typo'} yet" in err
    assert not (tmp_path / "typo").exists()
    seed(tmp_path, 'declare sev2 "x" --component API', "resolve INC-1")
    assert cli(tmp_path, "list") == 0
    assert "nothing has been written" not in capsys.readouterr().err
