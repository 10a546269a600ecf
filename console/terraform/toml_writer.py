"""Write a config dict as TOML, in the layout docs/config.md shows.

Small on purpose (the standard library reads TOML but does not write it): strings,
whole and decimal numbers, booleans, lists, tables and arrays of tables. Small flat
tables that read best on one line (`actions`, `targets`, `alert_grouping`) are written
inline; everything else as `[section.key]` and `[[section.key.list]]` headers.
"""

from __future__ import annotations

import math
import re
from typing import Any

INLINE_KEYS = {"actions", "targets", "alert_grouping"}
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def key(name: str) -> str:
    """A bare key when TOML allows one, else a quoted key."""
    return name if _BARE_KEY.fullmatch(name) else string(name)


def string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def value(v: Any) -> str:
    """One value on the right of `=`."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            raise ValueError("TOML has no way to write NaN or infinity here")
        return repr(v)
    if isinstance(v, str):
        return string(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value(item) for item in v) + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        return "{ " + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items()) + " }"
    if v is None:
        raise ValueError("TOML has no null; leave the key out instead")
    raise ValueError(f"cannot write {type(v).__name__} as TOML")


def _is_table_list(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(item, dict) for item in v)


def _inline(name: str, v: Any) -> bool:
    if name in INLINE_KEYS:
        return True
    return not isinstance(v, dict) and not _is_table_list(v)


def _table(path: list[str], table: dict[str, Any], lines: list[str], header: str | None) -> None:
    if header is not None:
        if lines:
            lines.append("")
        lines.append(header)
    for name, v in table.items():
        if _inline(name, v):
            lines.append(f"{key(name)} = {value(v)}")
    for name, v in table.items():
        if _inline(name, v):
            continue
        sub = [*path, key(name)]
        if isinstance(v, dict):
            has_values = any(_inline(k, x) for k, x in v.items())
            # a table holding only sub-tables needs no header of its own
            _table(sub, v, lines, f"[{'.'.join(sub)}]" if has_values or not v else None)
        else:
            for item in v:
                _table(sub, item, lines, f"[[{'.'.join(sub)}]]")


def dumps(doc: dict[str, Any], comment: str = "") -> str:
    """The TOML text of `doc`, after `comment` (each line prefixed with "# ")."""
    lines: list[str] = [f"# {ln}".rstrip() for ln in comment.splitlines()] if comment else []
    body: list[str] = []
    _table([], doc, body, None)
    if lines and body:
        lines.append("")
    return "\n".join(lines + body) + "\n"
