"""What every subcommand is handed: settings, the store, the clock, output."""

from __future__ import annotations

import json
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class CliError(Exception):
    """A message for the user and an exit status (1 refused/findings, 2 bad usage/input)."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


class StoreOpening:
    """A store being opened in a background thread, so the console's code loads and its
    screen paints meanwhile. `wait()` returns the store or raises what opening raised."""

    def __init__(self, open_fn) -> None:
        self._done = threading.Event()
        self._store: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(open_fn,), name="store-open", daemon=True
        )
        self._thread.start()

    def _run(self, open_fn) -> None:
        try:
            self._store = open_fn()
        except BaseException as exc:  # handed to whoever waits: a CliError names the store
            self._error = exc
        finally:
            self._done.set()

    def done(self) -> bool:
        return self._done.is_set()

    def succeeded(self) -> bool:
        """Opened without error (`wait()` returns at once)."""
        return self._done.is_set() and self._error is None

    def wait(self) -> Any:
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._store


@dataclass
class CliContext:
    store_path: Path | None = None
    config_path: Path | None = None
    read_only: bool = False
    theme: str | None = None
    _settings: Any = None
    _stores: list[Any] = field(default_factory=list)
    _clock: Any = None
    _opening: StoreOpening | None = None

    @classmethod
    def from_args(cls, args: Any) -> CliContext:
        store = getattr(args, "store", None) or os.environ.get("INCIDENT_CONSOLE_STORE")
        config = getattr(args, "config", None) or os.environ.get("INCIDENT_CONSOLE_CONFIG")
        return cls(
            store_path=Path(store).expanduser() if store else None,
            config_path=Path(config).expanduser() if config else None,
            read_only=bool(getattr(args, "read_only", False)),
            theme=getattr(args, "theme", None),
        )

    # -- settings and time ---------------------------------------------------------

    @property
    def settings(self):
        if self._settings is None:
            from console.config import ConfigError, load_settings

            try:
                self._settings = load_settings(self.config_path)
            except ConfigError as exc:
                raise CliError(str(exc), 2) from None
        return self._settings

    @property
    def clock(self):
        if self._clock is None:
            from console.domain.clock import RealClock

            self._clock = RealClock()
        return self._clock

    @clock.setter
    def clock(self, value) -> None:
        self._clock = value

    @property
    def read_only_effective(self) -> bool:
        return self.read_only or bool(self.settings.raw.get("read_only", False))

    # -- the store -----------------------------------------------------------------

    def live_store_path(self) -> Path:
        if self.store_path is not None:
            return self.store_path
        from console.paths import default_store_path

        return default_store_path()

    def open_store(self, read_only: bool | None = None, path: Path | None = None):
        from console.store import Store, StoreError

        ro = self.read_only if read_only is None else read_only
        try:
            store = Store.open(path or self.live_store_path(), read_only=ro)
        except StoreError as exc:
            raise CliError(str(exc), 2) from None
        self._stores.append(store)
        return store

    def start_opening(self, read_only: bool) -> StoreOpening:
        """Open the live store in a background thread (once); see StoreOpening."""
        if self._opening is None:
            import console.store  # noqa: F401  imported here: two threads never import it at once

            self._opening = StoreOpening(lambda: self.open_store(read_only=read_only))
        return self._opening

    def close(self) -> None:
        for s in self._stores:
            s.close()
        self._stores.clear()

    # -- output --------------------------------------------------------------------

    def out(self, text: str = "") -> None:
        sys.stdout.write(text + "\n")

    def err(self, text: str) -> None:
        sys.stderr.write(text + "\n")

    def json_out(self, doc: Any) -> None:
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
