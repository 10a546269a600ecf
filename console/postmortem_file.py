"""Write an incident's postmortem draft to a file, atomically and without losing edits.

    write_postmortem(store, "INC-7", settings, clock)          -> STORE/postmortems/INC-7.md
    write_postmortem(store, "INC-7", settings, clock, path=P)  -> P

The draft ends with a marker holding a digest of what was written. Writing again (a
second resolve, or `incident-console postmortem INC`) replaces a draft nobody has touched;
a draft someone has edited is kept, and the new one goes beside it (INC-7.2.md, ...).
The file appears whole or not at all (temp file, fsync, rename, fsync of the folder).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

from console.domain.clock import Clock
from console.domain.pending import pending_for
from console.domain.postmortem import render_postmortem
from console.domain.settings import Settings

FOLDER = "postmortems"
_MARK = re.compile(r"\n<!-- incident-console draft sha256:([0-9a-f]{64}) -->\n?\Z")


class PostmortemWriteError(Exception):
    """The draft could not be written; the message names the file."""


def default_path(store_path: Path, inc_id: str) -> Path:
    return store_path / FOLDER / f"{inc_id}.md"


def render_for_store(store, inc_id: str, settings: Settings, clock: Clock) -> str:
    """The draft as of now, from the store's state, with what is still undelivered."""
    people = {u.handle: u.label for u in settings.all_users()}
    pending = pending_for(inc_id, store.intents.values(), store.deliveries)
    return render_postmortem(store.state, inc_id, clock.now(), people=people, pending=pending)


def with_marker(text: str) -> str:
    body = text.rstrip("\n") + "\n"
    digest = hashlib.sha256(body.encode()).hexdigest()
    return f"{body}\n<!-- incident-console draft sha256:{digest} -->\n"


def untouched_draft(path: Path) -> bool:
    """`path` holds a draft exactly as this program wrote it (safe to replace)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    m = _MARK.search(text)
    if not m:
        return False
    body = text[: m.start()]
    return hashlib.sha256(body.encode()).hexdigest() == m.group(1)


def free_path(path: Path) -> Path:
    """`path` if it is free or an untouched draft; else the first INC-7.N.md that is."""
    if not path.exists() or untouched_draft(path):
        return path
    n = 2
    while True:
        candidate = path.with_name(f"{path.stem}.{n}{path.suffix}")
        if not candidate.exists() or untouched_draft(candidate):
            return candidate
        n += 1


def atomic_write(path: Path, text: str) -> None:
    """Temp file, fsync, rename, fsync of the folder: the file is whole or absent."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise PostmortemWriteError(
            f"{path}: cannot write the postmortem draft: {exc.strerror}"
        ) from None


def write_postmortem(
    store, inc_id: str, settings: Settings, clock: Clock, path: Path | None = None
) -> Path:
    """Write the draft; return where it went (see the module docstring for which file)."""
    text = with_marker(render_for_store(store, inc_id, settings, clock))
    target = free_path(path or default_path(store.path, inc_id))
    atomic_write(target, text)
    return target


def resolved_incidents(outcome) -> list[str]:
    """The incidents a command's outcome resolved (an `incident.resolve` intent each)."""
    return [
        i["incident"]
        for i in getattr(outcome, "intents", [])
        if i.get("op") == "incident.resolve" and i.get("incident")
    ]


def write_after_resolve(
    store,
    outcome,
    settings: Settings,
    clock: Clock,
    *,
    background: bool = False,
    done: Callable[[str, Path | None, str], None] | None = None,
) -> threading.Thread | None:
    """Write a draft for every incident `outcome` resolved, once it is durable.

    `background=True` (the TUI) writes in a thread, which is returned so a caller can
    join it; `done(inc_id, path or None, message)` is called from that thread. A failure
    to write never undoes the resolve: it is reported through `done` (or raised when
    there is no `done` and the write is in the foreground).
    """
    incidents = resolved_incidents(outcome)
    if not incidents:
        return None
    # render now, in the caller's thread, from the state the resolve left (pure and quick);
    # only the file writes (fsync) go to the background
    drafts = [
        (inc_id, with_marker(render_for_store(store, inc_id, settings, clock)))
        for inc_id in incidents
    ]

    def work() -> None:
        for inc_id, text in drafts:
            try:
                path = free_path(default_path(store.path, inc_id))
                atomic_write(path, text)
            except PostmortemWriteError as exc:
                if done is None and not background:
                    raise
                if done is not None:
                    done(inc_id, None, str(exc))
                continue
            if done is not None:
                done(inc_id, path, f"postmortem draft written to {path}")

    if not background:
        work()
        return None
    thread = threading.Thread(target=work, name="postmortem-draft", daemon=False)
    thread.start()
    return thread
