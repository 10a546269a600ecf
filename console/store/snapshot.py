"""TinyDB snapshots of the folded journal, written atomically.

TinyDB's stock JSONStorage truncates and rewrites its file in place, so a crash mid-write
leaves it empty or half-written. `AtomicJSONStorage` writes a temp file, fsyncs it,
renames it over the old one and fsyncs the folder: a reader sees the old snapshot or the
new one, never a mix.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from console.store.journal import fsync_dir


class AtomicJSONStorage(Storage):
    def __init__(self, path: str | Path, **_: Any) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            with self.path.open("rb") as fh:
                raw = fh.read()
        except FileNotFoundError:
            return None
        if not raw or raw.isspace():  # (no copy of a large file, as strip() makes)
            return None
        return json.loads(raw)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        fsync_dir(self.path.parent)

    def close(self) -> None:
        return None


def write_snapshot(
    path: Path, meta: dict[str, Any], tables: dict[str, list[dict[str, Any]]]
) -> None:
    """Write every table in one atomic storage write."""
    doc: dict[str, dict[str, Any]] = {"meta": {"1": meta}}
    for name, rows in tables.items():
        doc[name] = {str(i + 1): row for i, row in enumerate(rows)}
    AtomicJSONStorage(path).write(doc)


def read_snapshot(path: Path) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]] | None:
    """(meta, tables) or None when there is no snapshot. Raises ValueError if unreadable."""
    if not path.exists():
        return None
    # TinyDB's own layout ({table: {doc_id: row}}), read through the same storage TinyDB
    # uses; going through Table.all() would copy every row into a Document (about as
    # long as parsing the file) only to be folded and dropped
    doc = AtomicJSONStorage(path).read()
    if not isinstance(doc, dict):
        raise ValueError("not a TinyDB document")
    meta_rows = list((doc.get("meta") or {}).values())
    if not meta_rows:
        raise ValueError("no meta table")
    tables = {
        name: list(rows.values())
        for name, rows in doc.items()
        if name != "meta" and isinstance(rows, dict)
    }
    return dict(meta_rows[0]), tables
