"""Read `.tf` and `.tfvars` files into blocks that remember their file and line.

python-hcl2 parses the text; its dict output has no line numbers (8.x accepts `with_meta`
but ignores it), so this module walks the parsed rule tree itself: every block and
attribute keeps the line it starts on, and values keep python-hcl2's own serialisation
(literal strings still quoted, expressions as "${...}") for `expressions.py` to evaluate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2
from hcl2.rules.base import AttributeRule, BlockRule
from hcl2.utils import SerializationOptions
from lark.exceptions import LarkError, UnexpectedInput

_OPTIONS = SerializationOptions(with_comments=False, explicit_blocks=False)


class TerraformError(ValueError):
    """Terraform that cannot be read or mapped; the message starts with `file:line:`."""


@dataclass(frozen=True)
class Origin:
    """Where something was written: `label` is what messages show, `rel` what configs keep."""

    label: str
    rel: str
    line: int

    def __str__(self) -> str:
        return f"{self.label}:{self.line}"

    @property
    def source(self) -> str:
        """The `__source__` value for an imported table: `relative/file.tf:LINE`."""
        return f"{self.rel}:{self.line}"


@dataclass(frozen=True)
class Attribute:
    """`name = value`: the raw serialised value and where it was written."""

    raw: Any
    origin: Origin


@dataclass
class Block:
    """A block (`resource "t" "n" { ... }`, `layer { ... }`) with its nested content."""

    kind: str
    labels: tuple[str, ...]
    origin: Origin
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def children(self, kind: str) -> list[Block]:
        """The nested blocks of one kind, in the order they were written."""
        return [b for b in self.blocks if b.kind == kind]

    def child(self, kind: str) -> Block | None:
        found = self.children(kind)
        return found[0] if found else None


def _line(rule: Any, fallback: int) -> int:
    meta = getattr(rule, "_meta", None)  # python-hcl2 keeps lark's Meta here
    if meta is None or getattr(meta, "empty", True):
        return fallback
    return int(meta.line)


def _unquote(label: str) -> str:
    if len(label) >= 2 and label[0] == '"' and label[-1] == '"':
        return label[1:-1]
    return label


def _body(body: Any, label: str, rel: str, parent_line: int, into: Block) -> None:
    for child in body.children:
        if isinstance(child, BlockRule):
            names = [_unquote(str(lbl.serialize(_OPTIONS))) for lbl in child.labels]
            line = _line(child, parent_line)
            block = Block(kind=names[0], labels=tuple(names[1:]), origin=Origin(label, rel, line))
            _body(child.body, label, rel, line, block)
            into.blocks.append(block)
        elif isinstance(child, AttributeRule):
            name = str(child.identifier.serialize(_OPTIONS))
            line = _line(child, parent_line)
            if name in into.attributes:
                raise TerraformError(
                    f"{label}:{line}: attribute '{name}' is already set on line "
                    f"{into.attributes[name].origin.line}"
                )
            raw = child.expression.serialize(_OPTIONS)
            into.attributes[name] = Attribute(raw=raw, origin=Origin(label, rel, line))


def parse_text(text: str, label: str, rel: str) -> Block:
    """Parse one file's text into a root block (kind "file") holding its top-level content."""
    try:
        tree = hcl2.parses(text)
    except UnexpectedInput as exc:
        got = getattr(exc, "token", None) or getattr(exc, "char", None) or "input"
        raise TerraformError(
            f"{label}:{exc.line}:{exc.column}: not valid HCL (unexpected {str(got).strip()!r})"
        ) from None
    except (LarkError, RuntimeError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TerraformError(f"{label}: not valid HCL ({first})") from None
    root = Block(kind="file", labels=(), origin=Origin(label, rel, 1))
    _body(tree.body, label, rel, 1, root)
    return root


# Parsing is the slow part of an import (lark, ~40 ms a file); the console reads the same
# unchanged files each time it loads its config, so parsed files are kept by content.
_PARSED: dict[tuple[str, str, str], Block] = {}
_PARSED_MAX = 256


def read_file(path: Path, label: str, rel: str) -> Block:
    """Read and parse one file; unreadable or non-UTF-8 files are a `TerraformError`.

    The returned Block is shared between reads of the same text: treat it as read-only.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TerraformError(f"{label}: not UTF-8 text") from None
    except OSError as exc:
        raise TerraformError(f"{label}: cannot read: {exc.strerror}") from None
    key = (text, label, rel)
    if key not in _PARSED:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = parse_text(text, label, rel)
    return _PARSED[key]
