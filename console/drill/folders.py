"""Drill folders: each drill's store in its own folder, the last few kept.

Every drill starts on a new store folder (`NAME-001`, `NAME-002`... under the drills
folder), with its report beside it (`NAME-001.report.md`, `.json`). Left alone they pile
up, one per drill, so a drill start removes the oldest beyond `KEEP`, newest kept first.
Only folders whose store says it is a drill store are touched, and never one in use: a
running drill holds a lock on a file beside its folder (`NAME-001.in-use`) for as long as
it is open (`hold`), and a folder whose lock cannot be taken at once is skipped.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
from pathlib import Path
from typing import IO

from console.store.journal import read_header

KEEP = 20  # drill stores kept in the drills folder (the newest ones)
IN_USE = ".in-use"
_NUMBERED = re.compile(r".+-\d{3,}$")


def _marker(folder: Path) -> Path:
    # beside the folder, like the reports: a store folder holds only the store's files
    return folder.with_name(folder.name + IN_USE)


def hold(folder: Path) -> IO[bytes] | None:
    """Mark `folder` in use until the returned file is closed (None if it cannot be)."""
    try:
        fh = open(_marker(folder), "ab")  # noqa: SIM115 (held open for the drill's life)
    except OSError:
        return None
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        return None
    return fh


def release(held: IO[bytes]) -> None:
    """Let go of `hold`'s lock and remove its marker file (nothing is left beside a
    closed drill's folder but its reports)."""
    path = Path(held.name)
    held.close()
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def is_drill_store(folder: Path) -> bool:
    """True when `folder` holds a store whose journal header says kind "drill"."""
    for journal in sorted(folder.glob("journal-*.jsonl")):
        header = read_header(journal)
        if header is not None:
            return header.get("kind") == "drill"
    return False


def _in_use(folder: Path) -> bool:
    path = _marker(folder)
    if not path.exists():
        return False
    try:
        with open(path, "ab") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    except OSError:
        return True
    return False


def _last_used(folder: Path) -> float:
    """The newest modification among the folder and its files (a drill's last write)."""
    times = [folder.stat().st_mtime]
    for entry in os.scandir(folder):
        try:
            times.append(entry.stat(follow_symlinks=False).st_mtime)
        except OSError:
            continue
    return max(times)


def prune(base: Path, keep: int = KEEP, current: Path | None = None) -> list[Path]:
    """Remove the drill stores under `base` beyond the newest `keep` (and their reports);
    never `current` nor one in use. Returns the folders removed. A folder that cannot be
    removed is left as it is: cleaning up never stops a drill from starting."""
    found: list[tuple[float, Path]] = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return []
    for entry in entries:
        if not entry.is_dir(follow_symlinks=False) or not _NUMBERED.match(entry.name):
            continue
        folder = Path(entry.path)
        if not is_drill_store(folder):
            continue
        try:
            found.append((_last_used(folder), folder))
        except OSError:
            continue
    found.sort(key=lambda item: (item[0], item[1].name), reverse=True)
    removed: list[Path] = []
    ours = Path(current).resolve() if current is not None else None
    for _, folder in found[keep:]:
        if folder.resolve() == ours or _in_use(folder):
            continue
        try:
            shutil.rmtree(folder)
        except OSError:
            continue
        for suffix in (".report.md", ".report.json", IN_USE):
            report = folder.with_name(folder.name + suffix)
            with contextlib.suppress(OSError):
                report.unlink(missing_ok=True)
        removed.append(folder)
    return removed
