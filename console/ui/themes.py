"""Themes: Textual `Theme`s read from TOML files, bundled and the user's own.

A theme file is TOML: `name`, `dark`, the base colours Textual's `Theme` takes
(`primary`, `background`, ...) and a `[variables]` table of the console's semantic colours
(`sev-1`, `status-triggered`, `comp-major`, ...; `SEMANTIC_DEFAULTS` lists them all). The
bundled files come from `console.paths.themes_dir()`; files in
`console.paths.user_themes_dir()` add to them (or replace one of the same name). A file
that cannot be used is reported by name and skipped.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import Theme

DEFAULT_THEME = "dark"
NO_COLOR_THEME = "monochrome"

COLOUR_KEYS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
OTHER_KEYS = {"name", "dark", "luminosity_spread", "text_alpha", "variables"}

# Every semantic variable the console's CSS uses, with a fallback so a user theme that
# leaves some out still renders.
SEMANTIC_DEFAULTS: dict[str, str] = {
    "sev-1": "#ff5f6d",
    "sev-2": "#ff9e57",
    "sev-3": "#e8c33d",
    "sev-4": "#8fb8de",
    "sev-5": "#9aa5b1",
    "status-triggered": "#ff5f6d",
    "status-acknowledged": "#e8c33d",
    "status-resolved": "#7d8794",
    "comp-ok": "#5fb87a",
    "comp-degraded": "#e8c33d",
    "comp-partial": "#ff9e57",
    "comp-major": "#ff5f6d",
    "comp-maintenance": "#8fb8de",
    "mode-live": "#5fb87a",
    "mode-drill": "#e8a33d",
    "flash": "#7a2230",
    "muted": "#7d8794",
}


class ThemeFileError(ValueError):
    """A theme file that cannot be used; the message names the file."""


@dataclass
class ThemeSet:
    """The themes found, and one line per file that could not be used."""

    themes: dict[str, Theme] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _colour(path: Path, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ThemeFileError(f'{path}: {key} must be a colour string like "#ff5f6d"')
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeFileError(f"{path}: {key} = {value!r} is not a colour") from None
    return value


def theme_from_file(path: Path) -> Theme:
    """Read one theme file; raise ThemeFileError naming the file and key."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ThemeFileError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeFileError(f"{path}: cannot read: {exc}") from None
    unknown = sorted(set(doc) - set(COLOUR_KEYS) - OTHER_KEYS)
    if unknown:
        raise ThemeFileError(f"{path}: unknown key '{unknown[0]}'")
    name = doc.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeFileError(f"{path}: needs a name")
    if "primary" not in doc:
        raise ThemeFileError(f"{path}: needs a primary colour")
    colours = {k: _colour(path, k, doc[k]) for k in COLOUR_KEYS if k in doc}
    variables = doc.get("variables", {})
    if not isinstance(variables, dict):
        raise ThemeFileError(f"{path}: [variables] must be a table")
    checked = {k: _colour(path, f"variables.{k}", v) for k, v in variables.items()}
    dark = doc.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeFileError(f"{path}: dark must be true or false")
    extra = {}
    for key in ("luminosity_spread", "text_alpha"):
        if key in doc:
            if not isinstance(doc[key], int | float) or isinstance(doc[key], bool):
                raise ThemeFileError(f"{path}: {key} must be a number")
            extra[key] = float(doc[key])
    return Theme(
        name=name.strip(), dark=dark, variables={**SEMANTIC_DEFAULTS, **checked}, **colours, **extra
    )


def load_themes(*folders: Path | None) -> ThemeSet:
    """Every `*.toml` theme in the folders, later folders winning on a shared name."""
    found = ThemeSet()
    for folder in folders:
        if folder is None or not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                theme = theme_from_file(path)
            except ThemeFileError as exc:
                found.problems.append(str(exc))
                continue
            found.themes[theme.name] = theme
    return found


def bundled_and_user_themes() -> ThemeSet:
    """The shipped themes, then the user's data folder's."""
    from console.paths import themes_dir, user_themes_dir

    try:
        shipped = themes_dir()
    except FileNotFoundError:
        shipped = None
    return load_themes(shipped, user_themes_dir())


def fallback_theme() -> Theme:
    """The default theme, built in code: used if even the bundled file is missing."""
    return Theme(
        name=DEFAULT_THEME,
        primary="#4a9eda",
        accent="#e8a33d",
        warning="#e8a33d",
        error="#e05561",
        success="#5fb87a",
        foreground="#d8dee4",
        background="#12161c",
        surface="#1a2028",
        panel="#222a35",
        variables=dict(SEMANTIC_DEFAULTS),
    )
