"""What every subcommand is handed: settings, the store, the clock, output."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class CliError(Exception):
    """A message for the user and an exit status (1 refused/findings, 2 bad usage/input)."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class CliContext:
    store_path: Path | None = None
    config_path: Path | None = None
    read_only: bool = False
    theme: str | None = None
    _settings: Any = None
    _stores: list[Any] = field(default_factory=list)
    _clock: Any = None

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
