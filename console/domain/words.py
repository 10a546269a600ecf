"""The words of commands and flags (DESIGN.md): TIME, DURATION, USER, SEV, INC."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pendulum
from pendulum import DateTime

from console.domain.model import User


class WordError(ValueError):
    """A word that does not mean what its place needs. The message is one sentence."""


_DURATION = re.compile(r"^(\d+)(s|m|h|d)$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RELATIVE = re.compile(r"^([+-])(\d+)(s|m|h|d)$")
_INC = re.compile(r"^inc-(\d+)$", re.IGNORECASE)
_SEV = re.compile(r"^(?:sev)?([1-5])$", re.IGNORECASE)


def parse_duration(word: str) -> int:
    """`90s`, `30m`, `2h`, `1d` to seconds."""
    m = _DURATION.match(word.strip().lower())
    if not m:
        raise WordError(f"'{word}' is not a duration (use 90s, 30m, 2h or 1d)")
    return int(m.group(1)) * _UNIT_SECONDS[m.group(2)]


def parse_time(word: str, now: DateTime) -> DateTime:
    """ISO 8601 with an offset or Z, `now`, or relative to now (`+2h`, `-30m`)."""
    w = word.strip()
    if w.lower() == "now":
        return now
    m = _RELATIVE.match(w.lower())
    if m:
        seconds = int(m.group(2)) * _UNIT_SECONDS[m.group(3)]
        return now.add(seconds=seconds if m.group(1) == "+" else -seconds)
    if not re.search(r"(Z|[+-]\d\d:?\d\d)$", w):
        raise WordError(
            f"'{word}' is not a time: give ISO 8601 with an offset or Z, 'now', or +2h / -30m"
        )
    try:
        value = pendulum.parse(w)
    except Exception as exc:  # pendulum raises several types for bad input
        raise WordError(f"'{word}' is not a time ({exc})") from None
    if not isinstance(value, DateTime):
        raise WordError(f"'{word}' is not a date and time")
    return value.in_tz("UTC")


def parse_sev(word: str) -> int:
    """`sev1`..`sev5`, `SEV2`, `2`."""
    m = _SEV.match(word.strip())
    if not m:
        raise WordError(f"'{word}' is not a severity (use sev1 to sev5)")
    return int(m.group(1))


def is_sev(word: str) -> bool:
    return bool(_SEV.match(word.strip()))


def is_inc(word: str) -> bool:
    """INC-7, case-insensitive. A bare number is a severity, never an incident."""
    return bool(_INC.match(word.strip()))


def parse_inc(word: str) -> str:
    m = _INC.match(word.strip())
    if not m:
        raise WordError(f"'{word}' is not an incident id (use INC-7)")
    return f"INC-{int(m.group(1))}"


def resolve_user(word: str, users: Iterable[User]) -> User:
    """Match an email, a name or a handle, case-insensitively.

    Exact matches on any of the three win; otherwise a unique prefix of a handle or name.
    An ambiguous word is refused with the candidates.
    """
    w = word.strip().lower()
    pool = list(users)
    exact = [u for u in pool if w in (u.handle.lower(), u.name.lower(), u.email.lower())]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise WordError(_ambiguous(word, exact))
    partial = [
        u
        for u in pool
        if u.handle.lower().startswith(w)
        or u.name.lower().startswith(w)
        or any(part.startswith(w) for part in u.name.lower().split())
    ]
    if len(partial) == 1:
        return partial[0]
    if len(partial) > 1:
        raise WordError(_ambiguous(word, partial))
    known = ", ".join(sorted(u.handle for u in pool)) or "none configured"
    raise WordError(f"no user matches '{word}' (known: {known})")


def _ambiguous(word: str, candidates: list[User]) -> str:
    names = ", ".join(f"{u.handle} ({u.name})" for u in candidates)
    return f"'{word}' is ambiguous: it matches {names}"
