"""A responses file: the commander's moves for a headless drill.

    - {at: "+4m", command: "ack INC-1"}
    - {at: "+9m", command: 'declare INC-1 sev2 --commander you'}

`at` is relative to the drill's start (`+90s`, `+4m`) or an ISO 8601 instant; `command` is
a line of the command language (the same grammar as the ':' line and `exec`). Every line
is parsed when the file is read, so a typo is reported before the drill starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pendulum import DateTime

from console.drill.scenario import _Reader
from console.drill.yamlfile import DrillError, load_yaml


@dataclass(frozen=True)
class Response:
    at: float  # seconds after the drill's start
    line: str
    where: str  # file:line


def load_responses(path: Path, start: DateTime, duration: int) -> list[Response]:
    """Read and check a responses file; DrillError names the file, line and field."""
    from console.commands.grammar import ParseError, parse

    src = load_yaml(Path(path))
    r = _Reader(src)
    doc = src.doc
    if doc is None:
        doc = []
    if not isinstance(doc, list):
        raise r.fail((), "a responses file is a list of {at: +5m, command: 'ack INC-1'}")
    out = []
    for i, item in enumerate(doc):
        item = r.table(item, (i,), {"at", "command"}, ("at", "command"))
        at = r.offset(item["at"], (i, "at"), start)
        if at > duration:
            raise r.fail((i, "at"), "is after the drill ends")
        line = r.text(item["command"], (i, "command"), 2000)
        try:
            parse(line)
        except ParseError as exc:
            raise r.fail((i, "command"), str(exc)) from None
        out.append(Response(at, line, f"{src.file}:{src.line((i,))}"))
    # stable: two moves at the same instant run in file order
    return sorted(out, key=lambda x: x.at)


__all__ = ["DrillError", "Response", "load_responses"]
