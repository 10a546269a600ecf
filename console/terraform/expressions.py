"""Evaluate the part of the HCL expression language that PagerDuty Terraform uses.

Supported: literals, string templates (`"${local.team} primary"`, heredocs), tuples and
objects, references (`var.x`, `local.y`, `each.key`, `pagerduty_schedule.p.id`,
`data.pagerduty_user.ada.email`), indexing and splats, `for` expressions, conditionals,
comparison and arithmetic, and a handful of pure functions. Anything else is refused
with the file, line and the expression, never guessed at.

Values are plain Python values; what a reference to a resource's `id` yields is up to the
`Scope` (the mapping turns it into the console's key for that resource).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

from hcl2.utils import process_escape_sequences

from console.terraform.hcl_files import Origin, TerraformError

_BLOCK_MARKERS = {"__is_block__", "__comments__", "__inline_comments__"}


class Scope(Protocol):
    """Answers the names an expression starts with (`var`, `local`, a resource type...)."""

    def root(self, name: str, origin: Origin) -> Any: ...


class Namespace:
    """A value whose attributes are looked up lazily: `var`, `local`, `data`, a resource type."""

    def __init__(self, what: str, lookup: Callable[[str, Origin], Any]) -> None:
        self.what = what
        self._lookup = lookup

    def attr(self, name: str, origin: Origin) -> Any:
        return self._lookup(name, origin)

    def __repr__(self) -> str:
        return self.what


class Unsupported(Exception):
    """Raised inside the evaluator; turned into a TerraformError naming file and line."""


# -- tokens ---------------------------------------------------------------------------

_PUNCT = ("...", "=>", "==", "!=", "<=", ">=", "&&", "||")
_SINGLE = ".,[](){}:?=!<>+-*/%"
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"\d+(\.\d+)?([eE][+-]?\d+)?")


def _scan_template_end(text: str, start: int) -> int:
    """Index just past the closing quote of the string that opens at `start`."""
    i = start + 1
    depth = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if depth == 0 and c == '"':
            return i + 1
        if text.startswith("${", i) or text.startswith("%{", i):
            depth += 1
            i += 2
            continue
        if depth and c == "{":
            depth += 1
        elif depth and c == "}":
            depth -= 1
        elif depth and c == '"':
            i = _scan_template_end(text, i)
            continue
        i += 1
    raise Unsupported("a string is not closed")


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c == '"':
            end = _scan_template_end(text, i)
            out.append(("str", text[i + 1 : end - 1]))
            i = end
            continue
        if c == "#" or text.startswith("//", i):
            nl = text.find("\n", i)
            i = len(text) if nl < 0 else nl
            continue
        m = _NUMBER.match(text, i)
        if m:
            out.append(("num", m.group()))
            i = m.end()
            continue
        m = _IDENT.match(text, i)
        if m:
            out.append(("name", m.group()))
            i = m.end()
            continue
        p = next((p for p in _PUNCT if text.startswith(p, i)), None)
        if p is None and c in _SINGLE:
            p = c
        if p is None:
            raise Unsupported(f"unexpected character {c!r}")
        out.append(("op", p))
        i += len(p)
    out.append(("end", ""))
    return out


# -- the parser builds closures: env -> value -------------------------------------------

Env = dict[str, Any]
Node = Callable[[Env], Any]

_FUNCTIONS: dict[str, Callable[..., Any]] = {}


def _fn(name: str):
    def register(f):
        _FUNCTIONS[name] = f
        return f

    return register


class _Parser:
    def __init__(self, text: str, ctx: _Context) -> None:
        self.toks = _tokens(text)
        self.i = 0
        self.ctx = ctx

    def peek(self, value: str | None = None, kind: str | None = None) -> bool:
        k, v = self.toks[self.i]
        return (value is None or v == value) and (kind is None or k == kind)

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.toks[self.i]
        if value is not None and tok[1] != value:
            raise Unsupported(f"expected '{value}' but found '{tok[1] or 'the end'}'")
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.expr()
        if not self.peek(kind="end"):
            raise Unsupported(f"unexpected '{self.toks[self.i][1]}'")
        return node

    def expr(self) -> Node:
        cond = self.binary(0)
        if self.peek("?", "op"):
            self.take("?")
            yes = self.expr()
            self.take(":")
            no = self.expr()
            return lambda env: yes(env) if _truthy(cond(env)) else no(env)
        return cond

    _LEVELS = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek(kind="op") and self.toks[self.i][1] in self._LEVELS[level]:
            op = self.take()[1]
            right = self.binary(level + 1)
            left = _binop(op, left, right)
        return left

    def unary(self) -> Node:
        if self.peek("!", "op"):
            self.take()
            inner = self.unary()
            return lambda env: not _truthy(inner(env))
        if self.peek("-", "op"):
            self.take()
            inner = self.unary()
            return lambda env: -_number(inner(env))
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        ctx = self.ctx
        while True:
            if self.peek(".", "op"):
                self.take()
                if self.peek("*", "op"):
                    self.take()
                    node = self._splat(node)
                    continue
                kind, name = self.take()
                if kind == "num":  # legacy index syntax: list.0
                    node = _index_node(node, lambda env, n=int(name): n, ctx)
                    continue
                if kind != "name":
                    raise Unsupported(f"expected an attribute name after '.', found '{name}'")
                node = _attr_node(node, name, ctx)
            elif self.peek("[", "op"):
                self.take()
                if self.peek("*", "op"):
                    self.take()
                    self.take("]")
                    node = self._splat(node)
                    continue
                key = self.expr()
                self.take("]")
                node = _index_node(node, key, ctx)
            else:
                return node

    def _splat(self, node: Node) -> Node:
        """`list[*].attr`: the rest of the traversal applies to each element."""
        steps: list[tuple[str, Any]] = []
        while self.peek(".", "op") or self.peek("[", "op"):
            if self.peek(".", "op"):
                self.take()
                steps.append(("attr", self.take()[1]))
            else:
                self.take()
                steps.append(("index", self.expr()))
                self.take("]")
        ctx = self.ctx

        def run(env: Env) -> Any:
            base = node(env)
            items = list(base.values()) if isinstance(base, dict) else base
            items = [] if items is None else items if isinstance(items, list) else [items]
            out = []
            for item in items:
                value = item
                for kind, arg in steps:
                    if kind == "attr":
                        value = ctx.attr(value, arg)
                    else:
                        value = ctx.index(value, arg(env))
                out.append(value)
            return out

        return run

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            number = float(value) if any(ch in value for ch in ".eE") else int(value)
            return lambda env: number
        if kind == "str":
            template = _compile_template(value, self.ctx, heredoc=False)
            return template
        if kind == "name":
            if value in ("true", "false"):
                result = value == "true"
                return lambda env: result
            if value == "null":
                return lambda env: None
            if self.peek("(", "op"):
                return self.call(value)
            ctx = self.ctx
            return lambda env, name=value: env[name] if name in env else ctx.root(name)
        if value == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if value == "[":
            if self.peek("for", "name"):
                return self.for_expr("]")
            items: list[Node] = []
            while not self.peek("]", "op"):
                items.append(self.expr())
                if not self.peek("]", "op"):
                    self.take(",")
            self.take("]")
            return lambda env: [item(env) for item in items]
        if value == "{":
            if self.peek("for", "name"):
                return self.for_expr("}")
            pairs: list[tuple[Node, Node]] = []
            while not self.peek("}", "op"):
                if self.peek(kind="name") and self.toks[self.i + 1][1] in ("=", ":"):
                    key_name = self.take()[1]
                    key: Node = lambda env, k=key_name: k  # noqa: E731 - a bare key is its own name
                else:
                    key = self.expr()
                self.take("=" if self.peek("=", "op") else ":")
                pairs.append((key, self.expr()))
                if self.peek(",", "op"):
                    self.take()
            self.take("}")
            return lambda env: {str(k(env)): v(env) for k, v in pairs}
        raise Unsupported(f"unexpected '{value or 'end of expression'}'")

    def call(self, name: str) -> Node:
        if name not in _FUNCTIONS:
            raise Unsupported(f"function {name}() is not supported")
        self.take("(")
        args: list[Node] = []
        expand = False
        while not self.peek(")", "op"):
            args.append(self.expr())
            if self.peek("...", "op"):
                self.take()
                expand = True
            if not self.peek(")", "op"):
                self.take(",")
        self.take(")")
        fn = _FUNCTIONS[name]

        def run(env: Env) -> Any:
            values = [a(env) for a in args]
            if expand and values:
                values = values[:-1] + list(values[-1])
            try:
                return fn(*values)
            except (TypeError, ValueError, KeyError, IndexError) as exc:
                raise Unsupported(f"{name}(): {exc}") from None

        return run

    def for_expr(self, close: str) -> Node:
        self.take("for")
        first = self.take()[1]
        second = None
        if self.peek(",", "op"):
            self.take()
            second = self.take()[1]
        self.take("in")
        source = self.expr()
        self.take(":")
        key_node = None
        if close == "}":
            key_node = self.expr()
            self.take("=>")
        value_node = self.expr()
        grouped = False
        if self.peek("...", "op"):
            self.take()
            grouped = True
        cond = None
        if self.peek("if", "name"):
            self.take()
            cond = self.expr()
        self.take(close)

        def run(env: Env) -> Any:
            coll = source(env)
            pairs = list(coll.items()) if isinstance(coll, dict) else list(enumerate(coll or []))
            out_list: list[Any] = []
            out_map: dict[str, Any] = {}
            for k, v in pairs:
                inner = dict(env)
                if second is None:
                    inner[first] = v
                else:
                    inner[first], inner[second] = k, v
                if cond is not None and not _truthy(cond(inner)):
                    continue
                if key_node is None:
                    out_list.append(value_node(inner))
                elif grouped:
                    out_map.setdefault(str(key_node(inner)), []).append(value_node(inner))
                else:
                    out_map[str(key_node(inner))] = value_node(inner)
            return out_list if key_node is None else out_map

        return run


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise Unsupported(f"a condition must be true or false, not {value!r}")


def _number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise Unsupported(f"expected a number, not {value!r}")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            pass
    raise Unsupported(f"expected a number, not {value!r}")


def _binop(op: str, left: Node, right: Node) -> Node:
    if op == "||":
        return lambda env: _truthy(left(env)) or _truthy(right(env))
    if op == "&&":
        return lambda env: _truthy(left(env)) and _truthy(right(env))
    if op == "==":
        return lambda env: left(env) == right(env)
    if op == "!=":
        return lambda env: left(env) != right(env)
    arith: dict[str, Callable[[Any, Any], Any]] = {
        "<": lambda a, b: a < b,
        ">": lambda a, b: a > b,
        "<=": lambda a, b: a <= b,
        ">=": lambda a, b: a >= b,
        "+": lambda a, b: a + b,
        "-": lambda a, b: a - b,
        "*": lambda a, b: a * b,
        "/": lambda a, b: a / b,
        "%": lambda a, b: a % b,
    }
    f = arith[op]

    def run(env: Env) -> Any:
        try:
            result = f(_number(left(env)), _number(right(env)))
        except ZeroDivisionError:
            raise Unsupported("division by zero") from None
        return int(result) if isinstance(result, float) and result.is_integer() else result

    return run


def _attr_node(node: Node, name: str, ctx: _Context) -> Node:
    return lambda env: ctx.attr(node(env), name)


def _index_node(node: Node, key: Node, ctx: _Context) -> Node:
    return lambda env: ctx.index(node(env), key(env))


# -- templates --------------------------------------------------------------------------


def _matching_brace(text: str, start: int) -> int:
    """Index of the `}` that closes the interpolation whose body starts at `start`."""
    depth = 1
    i = start
    while i < len(text):
        c = text[i]
        if c == '"':
            i = _scan_template_end(text, i)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise Unsupported("an interpolation '${' is not closed")


def _compile_template(body: str, ctx: _Context, heredoc: bool) -> Node:
    parts: list[str | Node] = []
    literal: list[str] = []
    i = 0

    def flush() -> None:
        if literal:
            text = "".join(literal)
            parts.append(text if heredoc else process_escape_sequences(text))
            literal.clear()

    while i < len(body):
        if body.startswith("$${", i) or body.startswith("%%{", i):
            literal.append(body[i + 1 : i + 3])
            i += 3
        elif body.startswith("${", i):
            end = _matching_brace(body, i + 2)
            flush()
            inner = body[i + 2 : end].strip().strip("~").strip()
            parts.append(_Parser(inner, ctx).parse())
            i = end + 1
        elif body.startswith("%{", i):
            raise Unsupported("template directives (%{ ... }) are not supported")
        else:
            literal.append(body[i])
            i += 1
    flush()
    if len(parts) == 1 and callable(parts[0]):
        return parts[0]  # "${x}" alone keeps x's type, as Terraform does

    def run(env: Env) -> str:
        out = []
        for part in parts:
            out.append(part if isinstance(part, str) else _as_text(part(env)))
        return "".join(out)

    return run


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str | int | float):
        return str(value)
    if hasattr(value, "as_text"):
        return value.as_text()
    raise Unsupported(f"cannot put {type(value).__name__} into a string")


_HEREDOC = re.compile(r"^<<(-?)([A-Za-z][A-Za-z0-9._-]*)\r?\n(.*?)\r?\n?[ \t]*\2$", re.S)


def _heredoc_body(body: str) -> str | None:
    m = _HEREDOC.match(body)
    if not m:
        return None
    text = m.group(3)
    if m.group(1):  # <<- trims the common leading indentation
        lines = text.split("\n")
        indent = min((len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()), default=0)
        text = "\n".join(ln[indent:] for ln in lines)
    return text + "\n"


# -- the public entry -------------------------------------------------------------------


class _Context:
    """Ties the evaluator to a Scope and to the origin that error messages name."""

    def __init__(self, scope: Scope, origin: Origin) -> None:
        self.scope = scope
        self.origin = origin

    def root(self, name: str) -> Any:
        return self.scope.root(name, self.origin)

    def attr(self, value: Any, name: str) -> Any:
        if isinstance(value, Namespace):
            return value.attr(name, self.origin)
        if hasattr(value, "terraform_attr"):
            return value.terraform_attr(name, self.origin)
        if isinstance(value, dict):
            if name not in value:
                raise Unsupported(f"no attribute '{name}' (has: {', '.join(map(str, value))})")
            return value[name]
        raise Unsupported(f"{_describe(value)} has no attribute '{name}'")

    def index(self, value: Any, key: Any) -> Any:
        if isinstance(value, Namespace):
            return value.attr(str(key), self.origin)
        if isinstance(value, dict):
            if str(key) not in value:
                raise Unsupported(f"no key {key!r} (has: {', '.join(map(str, value))})")
            return value[str(key)]
        if isinstance(value, list):
            try:
                return value[int(_number(key))]
            except IndexError:
                raise Unsupported(f"index {key} is past the end ({len(value)} items)") from None
        raise Unsupported(f"cannot index {_describe(value)}")


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"the string {value!r}"
    return repr(value) if isinstance(value, Namespace) else type(value).__name__


def evaluate(raw: Any, origin: Origin, scope: Scope, env: Env | None = None) -> Any:
    """The value of one attribute as python-hcl2 serialised it; errors name `origin`."""
    env = env or {}
    ctx = _Context(scope, origin)
    try:
        return _evaluate(raw, ctx, env)
    except Unsupported as exc:
        shown = raw if isinstance(raw, str) else "the value"
        shown = shown if len(str(shown)) <= 80 else str(shown)[:77] + "..."
        raise TerraformError(f"{origin}: cannot evaluate {shown}: {exc}") from None
    except RecursionError:
        raise TerraformError(f"{origin}: expression nests too deeply") from None


def _evaluate(raw: Any, ctx: _Context, env: Env) -> Any:
    if raw is None or isinstance(raw, bool | int | float):
        return raw
    if isinstance(raw, list):
        return [_evaluate(item, ctx, env) for item in raw]
    if isinstance(raw, dict):
        return {
            _unquote_key(k): _evaluate(v, ctx, env)
            for k, v in raw.items()
            if k not in _BLOCK_MARKERS
        }
    text = str(raw)
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        body = text[1:-1]
        heredoc = _heredoc_body(body)
        if heredoc is not None:
            return _compile_template(heredoc, ctx, heredoc=True)(env)
        return _compile_template(body, ctx, heredoc=False)(env)
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    return _Parser(text, ctx).parse()(env)


def _unquote_key(key: str) -> str:
    if len(key) >= 2 and key[0] == '"' and key[-1] == '"':
        return process_escape_sequences(key[1:-1])
    return key


# -- functions: pure, the ones team Terraform for PagerDuty tends to use ----------------


def _flatten(items: list) -> list:
    out: list = []
    for item in items:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _format(spec: str, *args: Any) -> str:
    values = iter(args)

    def sub(m: re.Match) -> str:
        if m.group() == "%%":
            return "%"
        value = next(values)
        return str(int(_number(value))) if m.group() == "%d" else _as_text(value)

    return re.sub(r"%%|%[sdv]", sub, spec)


_fn("lower")(lambda s: str(s).lower())
_fn("upper")(lambda s: str(s).upper())
_fn("title")(lambda s: str(s).title())
_fn("trimspace")(lambda s: str(s).strip())
_fn("replace")(lambda s, old, new: str(s).replace(old, new))
_fn("join")(lambda sep, items: sep.join(_as_text(i) for i in items))
_fn("split")(lambda sep, s: str(s).split(sep))
_fn("format")(_format)
_fn("concat")(lambda *lists: [x for lst in lists for x in lst])
_fn("flatten")(_flatten)
_fn("distinct")(lambda items: list(dict.fromkeys(items)))
_fn("length")(lambda v: len(v))
_fn("keys")(lambda m: sorted(m))
_fn("values")(lambda m: [m[k] for k in sorted(m)])
_fn("lookup")(lambda m, k, *default: m[k] if k in m or not default else default[0])
_fn("merge")(lambda *maps: {k: v for m in maps for k, v in (m or {}).items()})
_fn("coalesce")(lambda *vals: next(v for v in vals if v not in (None, "")))
_fn("tostring")(lambda v: _as_text(v))
_fn("tonumber")(lambda v: _number(v))
_fn("tolist")(lambda v: list(v))
_fn("toset")(lambda v: list(dict.fromkeys(v)))
_fn("tomap")(lambda v: dict(v))
_fn("element")(lambda items, i: items[int(_number(i)) % len(items)])
_fn("contains")(lambda items, v: v in items)
