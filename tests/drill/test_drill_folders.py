"""Drill folders are cleaned up at drill start: the newest KEEP drill stores stay, older
ones (and their reports) go; never the one in use, never a folder that is not a drill's."""

from __future__ import annotations

import os

from console.drill import start_drill
from console.drill.folders import hold, prune
from console.store import Store


def _drill_store(base, name, age_rank):
    folder = base / name
    Store.open(folder, kind="drill").close()
    (base / f"{name}.report.md").write_text("report")
    t = 1_700_000_000 + age_rank * 60  # higher rank: used more recently
    for p in [folder, *folder.iterdir()]:
        os.utime(p, (t, t))
    return folder


def test_a_drill_start_keeps_the_newest_and_removes_older_ones_with_their_reports(tmp_path):
    old = [_drill_store(tmp_path, f"welcome-{i:03d}", i) for i in range(1, 25)]
    live = tmp_path / "not-a-drill-001"
    Store.open(live, kind="live").close()
    (tmp_path / "notes-001").mkdir()  # someone's own folder: not a store at all
    session = start_drill("welcome", root=tmp_path, headless=True)
    try:
        names = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
        # 20 kept: the new drill's folder and the 19 most recent before it
        kept = [f"welcome-{i:03d}" for i in range(6, 25)] + [session.store.path.name]
        assert names == sorted([*kept, "not-a-drill-001", "notes-001"])
        assert not (tmp_path / "welcome-005.report.md").exists()
        assert (tmp_path / "welcome-006.report.md").exists()
        assert all(not p.exists() for p in old[:5])
        marker = tmp_path / f"{session.store.path.name}.in-use"
        assert marker.exists()
    finally:
        session.close()
    assert not marker.exists()  # a closed drill leaves only its folder and reports


def test_a_folder_in_use_is_never_removed(tmp_path):
    folders = [_drill_store(tmp_path, f"storm-{i:03d}", i) for i in range(1, 5)]
    held = hold(folders[0])  # the oldest: another console's drill still running
    try:
        removed = prune(tmp_path, keep=1, current=folders[1])
        assert [p.name for p in removed] == ["storm-003"]  # not 001 (in use), not 002 (ours)
    finally:
        held.close()
    removed = prune(tmp_path, keep=1)
    assert [p.name for p in removed] == ["storm-002", "storm-001"]
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == ["storm-004"]
