"""Instants and local wall-clock time for schedules.

A schedule hands off at the same local time of day on both sides of a daylight-saving
change (PagerDuty's behaviour), so turn and restriction arithmetic is done on *wall
seconds*: the seconds since 1970-01-01T00:00 of the naive local date and time. Instants are
plain POSIX seconds (floats) inside this package, which keeps the hot path free of object
allocation; the public functions take and return pendulum/datetime values.

A wall time that does not exist (the hour skipped in spring) maps to the instant just after
the skip, and a wall time that happens twice (autumn) maps to its first occurrence: PEP 495's
`fold=0`, which is what `zoneinfo` does.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pendulum
from pendulum import DateTime

from console.domain.clock import timestamp

DAY = 86_400
WEEK = 7 * DAY
_PROBE_STEP = WEEK
_WALL_EPOCH = datetime(1970, 1, 1)
_TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


class TimeValueError(ValueError):
    """A time, zone or time of day that cannot be used; the message says which and why."""


@lru_cache(maxsize=256)
def zone(name: str) -> tzinfo:
    """The IANA time zone `name` (e.g. `America/New_York`)."""
    if not isinstance(name, str) or not name:
        raise TimeValueError("time_zone must be an IANA zone name such as 'Europe/London'")
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimeValueError(
            f"unknown time zone '{name}' (use an IANA name such as 'America/New_York')"
        ) from None


def wall_of(t: float, tz: tzinfo) -> float:
    """The wall seconds shown on a clock in `tz` at instant `t`."""
    local = datetime.fromtimestamp(t, tz).replace(tzinfo=None)
    return (local - _WALL_EPOCH).total_seconds()


def instant_of(w: float, tz: tzinfo) -> float:
    """The instant at which a clock in `tz` shows wall seconds `w` (fold=0, see module doc)."""
    local = _WALL_EPOCH + timedelta(seconds=w)
    return local.replace(tzinfo=tz).timestamp()


def seconds(when: datetime) -> float:
    """POSIX seconds of an aware datetime."""
    if when.tzinfo is None:
        raise TimeValueError(f"{when.isoformat()} has no offset")
    return timestamp(when)  # the store's UTC instants without asking pendulum's zone


_from_timestamp = datetime.fromtimestamp
_new_datetime = datetime.__new__
_PENDULUM_UTC = pendulum.UTC


def to_datetime(t: float) -> DateTime:
    """A pendulum DateTime in UTC for POSIX seconds `t` (microsecond precision).

    Built from the standard library's fields with datetime's own constructor (as the
    store's parser does): `pendulum.from_timestamp(...).add(...)` costs some 20 us, and
    every escalation event and page carries one.
    """
    whole = math.floor(t)
    micro = round((t - whole) * 1_000_000)
    if micro == 1_000_000:  # the fraction rounded up to a whole second
        whole, micro = whole + 1, 0
    d = _from_timestamp(whole, UTC)
    return _new_datetime(
        DateTime, d.year, d.month, d.day, d.hour, d.minute, d.second, micro, _PENDULUM_UTC
    )


def parse_config_instant(value: object) -> float:
    """A config time: an ISO 8601 string with an offset or Z, or a TOML offset datetime."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TimeValueError(f"{value.isoformat()} needs an offset or Z")
        return value.timestamp()
    if not isinstance(value, str):
        raise TimeValueError("must be an ISO 8601 time with an offset, e.g. 2026-01-05T09:00:00Z")
    text = value.strip()
    if not re.search(r"(Z|z|[+-]\d\d:?\d\d)$", text):
        raise TimeValueError(f"'{value}' needs an offset or Z (e.g. 2026-01-05T09:00:00-05:00)")
    try:
        parsed = pendulum.parse(text)
    except Exception:  # pendulum raises several types for bad input
        raise TimeValueError(f"'{value}' is not an ISO 8601 time") from None
    if not isinstance(parsed, datetime):
        raise TimeValueError(f"'{value}' is not a date and time")
    return parsed.timestamp()


def parse_time_of_day(value: object) -> int:
    """`HH:MM:SS` (or `HH:MM`) to seconds after local midnight."""
    if not isinstance(value, str):
        raise TimeValueError("start_time_of_day must be a string 'HH:MM:SS'")
    m = _TIME_OF_DAY.match(value.strip())
    if not m:
        raise TimeValueError(f"start_time_of_day '{value}' is not HH:MM:SS")
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if h > 23 or mi > 59 or s > 59:
        raise TimeValueError(f"start_time_of_day '{value}' is not a time of day")
    return h * 3600 + mi * 60 + s


def offset_at(t: float, tz: tzinfo) -> float:
    """The zone's UTC offset in seconds at instant `t`."""
    off = datetime.fromtimestamp(t, tz).utcoffset()
    return off.total_seconds() if off is not None else 0.0


def local_frame(t: float, tz: tzinfo, span: float | None) -> tuple[float, float | None]:
    """(wall seconds at `t`, the zone's offset if it holds for `span` seconds either side).

    With a steady offset every wall time near `t` converts to an instant by subtracting it:
    the fast path. Otherwise the second value is None and callers convert exactly with
    `instant_of`.
    """
    if span is not None:
        off = _steady_offset(tz, span, math.floor(t / DAY))
        if off is not None:
            return t + off, off
    return t + offset_at(t, tz), None


@lru_cache(maxsize=16_384)
def _steady_offset(tz: tzinfo, span: float, day: int) -> float | None:
    """The offset if it holds from `span` before UTC day `day` to `span` after its end.

    The offset is probed every week across that reach; when every probe agrees there is no
    change of offset in it (the shortest change-and-back on record, such as Morocco's
    Ramadan hour, lasts weeks). Cached per day, so answers about nearby instants cost a
    dictionary look-up whatever the rotation's age.
    """
    lo, hi = day * DAY - span, (day + 1) * DAY + span
    off = offset_at(lo, tz)
    x = lo + _PROBE_STEP
    while x < hi:
        if offset_at(x, tz) != off:
            return None
        x += _PROBE_STEP
    return off if offset_at(hi, tz) == off else None


def to_instant(w: float, tz: tzinfo, off: float | None) -> float:
    """`instant_of`, or plain arithmetic when a steady offset is known (see local_frame)."""
    return w - off if off is not None else instant_of(w, tz)
