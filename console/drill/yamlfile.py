"""Read a YAML file into plain values, remembering the line of every key and item.

Scenario and responses files are written by people; when one is wrong the message must
name the file, the line and the field. PyYAML's composer keeps each node's position, so
the file is composed (not loaded) and converted here, with a map from each value's path
(a tuple of keys and indexes) to its 1-based line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]

# a scenario is small: refuse anything that would take a human a week to write
MAX_BYTES = 4 * 1024 * 1024


class DrillError(Exception):
    """A scenario or responses file that cannot be used; one line naming file, line, field."""


@dataclass
class Located:
    """The plain document and where each part of it is in the file."""

    doc: Any
    file: str
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), 1)

    def error(self, path: Path_, message: str) -> DrillError:
        """`file:line: field: message` for the value at `path`."""
        where = field_name(path)
        prefix = f"{where}: " if where else ""
        return DrillError(f"{self.file}:{self.line(path)}: {prefix}{message}")


def field_name(path: Path_) -> str:
    """`injects[3].alert.payload.summary` for ('injects', 3, 'alert', 'payload', 'summary')."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _Loader(yaml.SafeLoader):
    """Safe types only (no Python objects from a scenario someone mailed you)."""


def _convert(loader: _Loader, node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # merge keys (<<: *anchor)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) or isinstance(key, bool):
                raise yaml.constructor.ConstructorError(
                    None, None, f"a key must be a word, not {key!r}", key_node.start_mark
                )
            key = str(key)
            if key in out:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key '{key}' is given twice", key_node.start_mark
                )
            out[key] = _convert(loader, value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(loader, item, (*path, i), lines) for i, item in enumerate(node.value)]
    value = loader.construct_object(node, deep=True)
    # timestamps become datetimes in YAML 1.1; keep the text so our own parsers read it
    if not isinstance(value, (str, int, float, bool, type(None))):
        return node.value
    return value


def load_yaml(path: Path, label: str | None = None) -> Located:
    """Read and compose `path`; DrillError naming the file and line when it is not YAML."""
    name = label or str(path)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise DrillError(f"{name}: is a folder, not a YAML file") from None
    except OSError as exc:
        raise DrillError(f"{name}: cannot read: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise DrillError(f"{name}: over {MAX_BYTES // (1024 * 1024)} MB; this is not a scenario")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DrillError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> Located:
    loader = _Loader(text)
    lines: dict[Path_, int] = {}
    try:
        node = loader.get_single_node()
        doc = None if node is None else _convert(loader, node, (), lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = exc.problem or exc.context or "not valid YAML"
        raise DrillError(f"{name}:{line}: not valid YAML ({what})") from None
    except yaml.YAMLError as exc:
        raise DrillError(f"{name}: not valid YAML ({exc})") from None
    finally:
        loader.dispose()
    return Located(doc, name, lines)
