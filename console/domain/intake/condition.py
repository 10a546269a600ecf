"""The subset of PagerDuty's Condition Language (PCL) that event orchestrations use.

    condition := or
    or        := and ('or' and)*
    and       := unary ('and' unary)*
    unary     := 'not' unary | '(' condition ')' | test | time
    time      := 'now in' DAYS HH:MM[:SS] 'to' HH:MM[:SS] TZ       weekly, e.g. Mon,Fri 01:00:00 to 03:00:00 Europe/Berlin
               | 'now in' DATE HH:MM[:SS] 'to' DATE HH:MM[:SS] TZ  once, e.g. 2026-12-01 02:00:00 to 2026-12-01 04:00:00 UTC
    test      := FIELD 'exists'
               | FIELD 'matches' STRING              exact, case-sensitive
               | FIELD 'matches' 'part' STRING       contains, case-insensitive
               | FIELD 'matches' 'regex' STRING      regular expression, searched anywhere
    FIELD     := event.summary | event.source | event.severity | event.component
               | event.group | event.class | event.dedup_key
               | event.custom_details.NAME[.NAME | [N] | ['any name']]...

Keywords are case-insensitive. Strings take single or double quotes; inside them a
backslash escapes the quote or a backslash, and any other backslash is kept as it is
(so regexes read naturally: 'db-\\d+'). A condition is parsed once, when the config is
loaded, so a typo is an error naming the rule before any alert arrives. `compile_condition` returns a `Condition`,
called with the alert and the time it arrived (what `now` means; a weekly window that
ends before it starts runs over midnight into the next day).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pendulum
from pendulum import DateTime

from console.domain.intake.alert import Alert, field_reader

FIELDS = ("summary", "source", "severity", "component", "group", "class", "dedup_key")
KEYWORDS = ("and", "or", "not", "matches", "part", "regex", "exists")


class ConditionError(ValueError):
    """A condition that does not parse; the message says where and what was expected."""


@dataclass(frozen=True)
class _Tok:
    kind: str  # word, string, lparen, rparen, field, end
    text: str
    pos: int
    value: Any = None


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INDEX = re.compile(r"\[\s*(-?\d+)\s*\]")
_NAME = re.compile(r"[A-Za-z0-9_\-]+")


def _string_at(text: str, i: int) -> tuple[str, int]:
    quote = text[i]
    out: list[str] = []
    j = i + 1
    while j < len(text):
        ch = text[j]
        if ch == "\\" and j + 1 < len(text) and text[j + 1] in (quote, "\\"):
            # only the quote and the backslash are escaped: `\d` stays for regexes
            out.append(text[j + 1])
            j += 2
            continue
        if ch == quote:
            return "".join(out), j + 1
        out.append(ch)
        j += 1
    raise ConditionError(f"unterminated string starting at column {i + 1}")


def _field_at(text: str, i: int) -> tuple[tuple[str | int, ...], int]:
    """Parse `event.xxx...` starting at i (just after 'event'); return the path."""
    j = i
    path: list[str | int] = []
    while j < len(text):
        if text[j] == ".":
            m = _NAME.match(text, j + 1)
            if not m:
                raise ConditionError(f"a field name is missing after '.' at column {j + 1}")
            path.append(m.group(0))
            j = m.end()
        elif text[j] == "[":
            m = _INDEX.match(text, j)
            if m:
                path.append(int(m.group(1)))
                j = m.end()
                continue
            k = j + 1
            while k < len(text) and text[k] == " ":
                k += 1
            if k < len(text) and text[k] in "'\"":
                name, k = _string_at(text, k)
                while k < len(text) and text[k] == " ":
                    k += 1
                if k < len(text) and text[k] == "]":
                    path.append(name)
                    j = k + 1
                    continue
            raise ConditionError(f"expected [N] or ['name'] at column {j + 1}")
        else:
            break
    if not path:
        raise ConditionError(
            f"'event' must be followed by a field, e.g. event.summary (column {i})"
        )
    head = path[0]
    if head == "custom_details":
        if len(path) < 2:
            raise ConditionError(
                "event.custom_details needs a name, e.g. event.custom_details.host"
            )
    elif head not in FIELDS:
        known = ", ".join(f"event.{f}" for f in FIELDS)
        raise ConditionError(
            f"unknown field 'event.{head}' (known: {known}, event.custom_details.NAME)"
        )
    elif len(path) > 1:
        raise ConditionError(f"event.{head} has no sub-fields")
    return tuple(path), j


def _tokens(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            toks.append(_Tok("lparen", ch, i))
            i += 1
        elif ch == ")":
            toks.append(_Tok("rparen", ch, i))
            i += 1
        elif ch in "'\"":
            value, j = _string_at(text, i)
            toks.append(_Tok("string", text[i:j], i, value))
            i = j
        else:
            m = _WORD.match(text, i)
            if not m:
                raise ConditionError(f"unexpected '{ch}' at column {i + 1}")
            word = m.group(0)
            if word.lower() == "now":
                pred, j = _time_at(text, i)
                toks.append(_Tok("now", text[i:j], i, pred))
                i = j
                continue
            if word == "event" and m.end() < len(text) and text[m.end()] in ".[":
                path, j = _field_at(text, m.end())
                toks.append(_Tok("field", text[i:j], i, path))
                i = j
            else:
                toks.append(_Tok("word", word, i, word.lower()))
                i = m.end()
    toks.append(_Tok("end", "end of condition", len(text)))
    return toks


Predicate = Callable[[Alert, DateTime | None], bool]

_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_DAY_NAMES = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?"
_ZONE = r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*"
_WEEKLY = re.compile(
    rf"now\s+in\s+(?P<days>[A-Za-z]+(?:\s*,\s*[A-Za-z]+)*)\s+(?P<start>{_CLOCK})\s+to\s+"
    rf"(?P<end>{_CLOCK})\s+(?P<tz>{_ZONE})",
    re.IGNORECASE,
)
_ONCE = re.compile(
    rf"now\s+in\s+(?P<d1>\d{{4}}-\d{{2}}-\d{{2}})\s+(?P<t1>{_CLOCK})\s+to\s+"
    rf"(?P<d2>\d{{4}}-\d{{2}}-\d{{2}})\s+(?P<t2>{_CLOCK})\s+(?P<tz>{_ZONE})",
    re.IGNORECASE,
)


def _seconds_of_day(text: str, pos: int) -> int:
    parts = [int(p) for p in text.split(":")]
    h, m, sec = (parts + [0])[:3]
    if h > 24 or m > 59 or sec > 59 or (h == 24 and (m or sec)):
        raise ConditionError(f"'{text}' is not a time of day (column {pos + 1})")
    return h * 3600 + m * 60 + sec


def _zone(name: str, pos: int):
    try:
        return pendulum.timezone(name)
    except Exception:  # pendulum raises its own error types for unknown zones
        raise ConditionError(f"unknown time zone '{name}' (column {pos + 1})") from None


def _time_at(text: str, i: int) -> tuple[Predicate, int]:
    """Parse `now in ...` at i: a weekly window or a one-off span, in a time zone."""
    m = _ONCE.match(text, i)
    if m:
        zone = _zone(m["tz"], m.start("tz"))
        try:
            start = pendulum.parse(f"{m['d1']}T{m['t1']}", tz=zone)
            end = pendulum.parse(f"{m['d2']}T{m['t2']}", tz=zone)
        except Exception:  # pendulum raises several types for bad dates
            raise ConditionError(f"bad date in '{m.group(0)}' (column {i + 1})") from None
        if end <= start:
            raise ConditionError(f"the span ends before it starts (column {i + 1})")
        return (lambda a, now: now is not None and start <= now < end), m.end()
    m = _WEEKLY.match(text, i)
    if not m:
        raise ConditionError(
            f"expected 'now in Mon,Tue 08:00:00 to 18:00:00 Area/City' or "
            f"'now in 2026-12-01 02:00:00 to 2026-12-01 04:00:00 UTC' at column {i + 1}"
        )
    days: set[int] = set()
    for day in re.split(r"\s*,\s*", m["days"]):
        key = day.lower()
        if key not in _DAYS and key not in _DAY_NAMES:
            raise ConditionError(f"'{day}' is not a day (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)")
        days.add(_DAYS[key[:3]])
    start_s = _seconds_of_day(m["start"], m.start("start"))
    end_s = _seconds_of_day(m["end"], m.start("end"))
    zone = _zone(m["tz"], m.start("tz"))

    def inside(a: Alert, now: DateTime | None) -> bool:
        if now is None:
            return False
        local = now.in_tz(zone)
        t = local.hour * 3600 + local.minute * 60 + local.second
        day = local.day_of_week  # pendulum: Monday is 0
        if start_s <= end_s:
            return day in days and start_s <= t < end_s
        # over midnight: from the listed day's start into the next day's morning
        return (day in days and t >= start_s) or ((day - 1) % 7 in days and t < end_s)

    return inside, m.end()


def _as_texts(value: Any) -> list[str]:
    """A field's value as the strings a test looks at (each element of a list)."""
    if value is None:
        return []
    if isinstance(value, list):
        return [t for v in value for t in _as_texts(v)]
    if isinstance(value, str):
        return [value]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, int | float):
        return [json.dumps(value)]
    return [json.dumps(value, sort_keys=True)]


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def is_word(self, word: str) -> bool:
        tok = self.peek()
        return tok.kind == "word" and tok.value == word

    def expected(self, what: str) -> ConditionError:
        tok = self.peek()
        shown = tok.text if tok.kind != "end" else "the end"
        return ConditionError(f"expected {what} at column {tok.pos + 1}, found {shown}")

    def parse(self) -> Predicate:
        if self.peek().kind == "end":
            raise ConditionError("the condition is empty")
        pred = self.parse_or()
        if self.peek().kind != "end":
            raise self.expected("'and', 'or' or the end")
        return pred

    def parse_or(self) -> Predicate:
        parts = [self.parse_and()]
        while self.is_word("or"):
            self.take()
            parts.append(self.parse_and())
        if len(parts) == 1:
            return parts[0]
        return lambda a, now: any(p(a, now) for p in parts)

    def parse_and(self) -> Predicate:
        parts = [self.parse_unary()]
        while self.is_word("and"):
            self.take()
            parts.append(self.parse_unary())
        if len(parts) == 1:
            return parts[0]
        return lambda a, now: all(p(a, now) for p in parts)

    def parse_unary(self) -> Predicate:
        if self.is_word("not"):
            self.take()
            inner = self.parse_unary()
            return lambda a, now: not inner(a, now)
        if self.peek().kind == "now":
            return self.take().value
        if self.peek().kind == "lparen":
            self.take()
            inner = self.parse_or()
            if self.peek().kind != "rparen":
                raise self.expected("')'")
            self.take()
            return inner
        return self.parse_test()

    def parse_test(self) -> Predicate:
        tok = self.peek()
        if tok.kind == "word" and tok.value == "event":
            raise ConditionError(
                f"'event' must be followed by a field, e.g. event.summary (column {tok.pos + 1})"
            )
        if tok.kind != "field":
            raise self.expected("a field such as event.summary")
        self.take()
        read = field_reader(tok.value)
        if self.is_word("exists"):
            self.take()
            return lambda a, now: read(a) is not None
        if not self.is_word("matches"):
            raise self.expected("'matches' or 'exists'")
        self.take()
        mode = "exact"
        if self.is_word("part") or self.is_word("regex"):
            mode = self.take().value
        if self.peek().kind != "string":
            raise self.expected("a quoted string")
        lit = self.take()
        pattern: str = lit.value
        # each test looks at a plain string field first (nearly every field is one)
        # before it makes the list of strings a list or a number stands for
        if mode == "exact":

            def exact(a: Any, now: Any) -> bool:
                value = read(a)
                if isinstance(value, str):
                    return value == pattern
                return pattern in _as_texts(value)

            return exact
        if mode == "part":
            needle = pattern.casefold()

            def part(a: Any, now: Any) -> bool:
                value = read(a)
                if isinstance(value, str):
                    return needle in value.casefold()
                return any(needle in t.casefold() for t in _as_texts(value))

            return part
        try:
            rx = re.compile(pattern)
        except re.error as exc:
            raise ConditionError(f"bad regular expression {lit.text}: {exc}") from None

        def regex(a: Any, now: Any) -> bool:
            value = read(a)
            if isinstance(value, str):
                return rx.search(value) is not None
            return any(rx.search(t) for t in _as_texts(value))

        return regex


class Condition:
    """A compiled condition: `cond(alert, now)` is True when the alert matches at `now`."""

    def __init__(self, text: str, predicate: Predicate) -> None:
        self.text = text
        # `cond.matches(alert, now)` is `cond(alert, now)` without the call through
        # __call__ (intake tests every alert against several rules)
        self.matches = predicate

    def __call__(self, alert: Alert, now: DateTime | None = None) -> bool:
        return self.matches(alert, now)

    def __repr__(self) -> str:
        return f"Condition({self.text!r})"


ALWAYS = Condition("", lambda a, now: True)


def compile_condition(text: str) -> Condition:
    """Parse a PCL condition once; the result tests an Alert. Raises ConditionError."""
    if not isinstance(text, str):
        raise ConditionError("the condition must be a string")
    return Condition(text, _Parser(text).parse())
