"""The one source of time. Only RealClock reads the wall clock."""

from __future__ import annotations

import datetime as _dt
import threading
import time
from typing import Protocol

import pendulum
from pendulum import DateTime


class Clock(Protocol):
    """What every piece of code that needs 'now' or needs to wait is given."""

    def now(self) -> DateTime: ...

    def sleep(self, seconds: float) -> None: ...


class RealClock:
    """Wall-clock time in UTC; sleeping really sleeps."""

    def now(self) -> DateTime:
        return pendulum.now("UTC")

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class FixedClock:
    """A clock that only moves when told to. Sleeping advances it instantly.

    Tests, snapshots and headless drills use it so that waiting costs nothing.
    """

    def __init__(self, start: DateTime | str) -> None:
        self._now = parse_instant(start) if isinstance(start, str) else start.in_tz("UTC")
        self._lock = threading.Lock()

    def now(self) -> DateTime:
        with self._lock:
            return self._now

    def set(self, when: DateTime) -> None:
        with self._lock:
            self._now = when.in_tz("UTC")

    def advance(self, seconds: float) -> DateTime:
        with self._lock:
            self._now = self._now.add(microseconds=int(seconds * 1_000_000))
            return self._now

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.advance(seconds)


class SimulatedClock:
    """A drill's clock: runs at a multiple of real time from a start instant, can pause.

    It reads real elapsed time through a monotonic counter (not the wall clock), so a
    drill keeps its own time even if the host's clock jumps.
    """

    SPEEDS = (1, 10, 60)

    def __init__(self, start: DateTime, speed: float = 1.0, paused: bool = False) -> None:
        self._base = start.in_tz("UTC")
        self._mono = time.monotonic()
        self._speed = speed
        self._paused = paused
        self._lock = threading.Lock()

    def _rebase(self) -> None:
        self._base = self._now_locked()
        self._mono = time.monotonic()

    def _now_locked(self) -> DateTime:
        if self._paused:
            return self._base
        elapsed = (time.monotonic() - self._mono) * self._speed
        return self._base.add(microseconds=int(elapsed * 1_000_000))

    def now(self) -> DateTime:
        with self._lock:
            return self._now_locked()

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def paused(self) -> bool:
        return self._paused

    def set_speed(self, speed: float) -> None:
        with self._lock:
            self._rebase()
            self._speed = speed

    def pause(self, paused: bool = True) -> None:
        with self._lock:
            self._rebase()
            self._paused = paused

    def advance(self, seconds: float) -> DateTime:
        """Jump forward (single step, or a headless drill skipping to the next event)."""
        with self._lock:
            self._rebase()
            self._base = self._base.add(microseconds=int(seconds * 1_000_000))
            return self._base

    def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        if self._paused:
            self.advance(seconds)
            return
        time.sleep(seconds / self._speed)


def parse_instant(text: str) -> DateTime:
    """Parse an ISO 8601 instant that carries an offset or Z; return it in UTC."""
    value = pendulum.parse(text)
    if not isinstance(value, DateTime):
        raise ValueError(f"not a date and time: {text!r}")
    return value.in_tz("UTC")


_fromisoformat = _dt.datetime.fromisoformat
_new_datetime = _dt.datetime.__new__
_UTC = pendulum.UTC


def parse_stored_instant(text: str) -> DateTime:
    """Parse the store's own instants (ISO 8601 with Z or an offset) quickly.

    Loading a store parses every event's time; `datetime.fromisoformat` is some fifteen
    times faster than `pendulum.parse`, which stays for what people type.
    """
    if text[-1:] == "Z" and len(text) > 19:
        # the store's own shape: skip the offset arithmetic, it is UTC already
        try:
            d = _fromisoformat(text[:-1])
        except ValueError:
            return parse_instant(text)
        if d.tzinfo is not None:
            return parse_instant(text)
        # datetime's own constructor: DateTime adds no state of its own, and skipping its
        # Python-level signature halves the cost (a store's open parses thousands)
        return _new_datetime(
            DateTime, d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond, _UTC
        )
    try:
        d = _dt.datetime.fromisoformat(text)
    except ValueError:
        return parse_instant(text)
    if d.tzinfo is None:
        return parse_instant(text)
    if d.utcoffset():
        d = d.astimezone(_dt.UTC)
    return DateTime(
        d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond, tzinfo=pendulum.UTC
    )


_EPOCH = _new_datetime(DateTime, 1970, 1, 1, 0, 0, 0, 0, _UTC)
_datetime_sub = _dt.datetime.__sub__


def timestamp(when: DateTime) -> float:
    """`when.timestamp()`, fast for UTC instants such as the store's.

    pendulum's time zones answer `utcoffset` in Python, so `timestamp()` costs some 2 us:
    40 ms to order 10k incidents. Two instants on the same tzinfo object subtract without
    asking it (datetime's own subtraction; pendulum's would build a Duration).
    """
    if when.tzinfo is _UTC:
        return _datetime_sub(when, _EPOCH).total_seconds()
    return when.timestamp()


_NAIVE_EPOCH = _dt.datetime(1970, 1, 1)


def stored_timestamp(text: str) -> float:
    """`timestamp(parse_stored_instant(text))` without the DateTime in between, for the
    store's own shape (a first screen orders 10,000 incidents by their creation)."""
    if text[-1:] == "Z" and len(text) > 19:
        try:
            d = _fromisoformat(text[:-1])
        except ValueError:
            d = None
        if d is not None and d.tzinfo is None:
            return (d - _NAIVE_EPOCH).total_seconds()
    return timestamp(parse_stored_instant(text))


def in_utc(when: DateTime) -> DateTime:
    """`when` in UTC; itself when it already is (pendulum's `in_tz` copies every time)."""
    return when if when.tzinfo is pendulum.UTC else when.in_tz("UTC")


# the last instant formatted at each precision: one intake run stamps all of its events,
# intents and their stored records with one instant, so most calls format nothing
_last_iso: tuple[object, str] = (None, "")
_last_precise: tuple[object, str] = (None, "")


def iso(when: DateTime | None) -> str | None:
    """UTC ISO 8601 with a Z, seconds precision (the JSON shapes' time format)."""
    global _last_iso
    if when is None:
        return None
    last = _last_iso  # one read: another thread may replace it meanwhile
    if last[0] is when:
        return last[1]
    d = in_utc(when)
    # from the fields: strftime and isoformat would ask pendulum's zone for its offset
    # %-formatting: a third of the cost of the same f-string with format specs
    text = "%04d-%02d-%02dT%02d:%02d:%02dZ" % (  # noqa: UP031
        d.year,
        d.month,
        d.day,
        d.hour,
        d.minute,
        d.second,
    )
    _last_iso = (when, text)
    return text


def iso_precise(when: DateTime) -> str:
    """UTC ISO 8601 with microseconds, for storage (ordering within a second matters)."""
    global _last_precise
    last = _last_precise
    if last[0] is when:
        return last[1]
    d = in_utc(when)
    text = "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (  # noqa: UP031
        d.year,
        d.month,
        d.day,
        d.hour,
        d.minute,
        d.second,
        d.microsecond,
    )
    _last_precise = (when, text)
    return text
