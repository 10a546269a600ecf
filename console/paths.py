"""Where things live: the platform's folders, and the data shipped with the package.

`themes/` and `sample_data/` sit at the top of a checkout and are force-included in the
wheel under `console/_data/`; `data_dir()` finds whichever is there.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

APP = "incident-console"


def default_store_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP)) / "live"


def default_drill_store_root() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP)) / "drills"


def default_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP)) / "config.toml"


def user_themes_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP)) / "themes"


@cache
def data_dir() -> Path:
    """The folder holding `themes/` and `sample_data/`, installed or in a checkout."""
    installed = Path(__file__).parent / "_data"
    if (installed / "sample_data").is_dir():
        return installed
    checkout = Path(__file__).parent.parent
    if (checkout / "sample_data").is_dir():
        return checkout
    raise FileNotFoundError("the console's bundled data (themes/, sample_data/) is missing")


def themes_dir() -> Path:
    return data_dir() / "themes"


def sample_data_dir() -> Path:
    return data_dir() / "sample_data"


def env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else None
