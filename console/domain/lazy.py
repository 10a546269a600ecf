"""Containers whose contents are built on first read.

Opening a store with years of history should cost what the first screen needs, not the
history: a State loaded from a snapshot keeps its incidents as the parsed rows, its
timelines in the store's cold file and its event ids unread until something asks. To
every reader these are a plain dict and a plain set; the first read of an entry builds it
(once, under a lock, so two threads never build the same one twice).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, MutableSet
from typing import Any

_MISSING = object()


class LazyDict(dict):
    """A dict some of whose values are still raw: `raw[key]` is turned into the real value
    by `build(key, raw, placeholder)` the first time that key is read.

    The placeholder (what the dict holds for a raw key meanwhile) is what `build` gets to
    fill in or replace, so a reader holding it never sees half of a value.
    """

    def __init__(self, build: Callable[[Any, Any, Any], Any]) -> None:
        super().__init__()
        self.raw: dict[Any, Any] = {}
        self.lock = threading.RLock()
        self._build = build

    def add_raw(self, raw: dict[Any, Any], placeholders: dict[Any, Any] | None = None) -> None:
        """Add entries still raw: `raw[key]` is built when `key` is first read; until then
        the dict holds `placeholders[key]` (default None). Dict-speed, as a store's open
        adds thousands at once; `raw` becomes this dict's own (not copied)."""
        with self.lock:
            if self.raw:
                self.raw.update(raw)
            else:
                self.raw = raw  # taken, not copied: the caller made it for this
            dict.update(self, dict.fromkeys(raw) if placeholders is None else placeholders)

    def is_unread(self, key: Any) -> bool:
        """Whether `key`'s value is still raw (reading it would build it). Never builds and
        never waits for the lock: a UI thread asks this before it reads."""
        return key in self.raw

    def _materialise(self, key: Any) -> None:
        with self.lock:
            raw = self.raw.get(key, _MISSING)
            if raw is not _MISSING:
                # built before it leaves `raw`: a build that raises (a damaged row) leaves
                # the entry unread, to raise again, never the placeholder as its value
                value = self._build(key, raw, dict.__getitem__(self, key))
                # the value first, then out of `raw`: a reader on another thread that finds
                # the key no longer raw (without the lock) then finds the value, never the
                # placeholder
                dict.__setitem__(self, key, value)
                del self.raw[key]

    def materialise_all(self) -> None:
        """Build every raw value now (one pass, for readers that want them all)."""
        with self.lock:
            build = self._build
            get = dict.__getitem__
            dict.update(
                self, {key: build(key, raw, get(self, key)) for key, raw in self.raw.items()}
            )
            self.raw.clear()

    def __setitem__(self, key: Any, value: Any) -> None:
        with self.lock:
            self.raw.pop(key, None)
            dict.__setitem__(self, key, value)

    def __delitem__(self, key: Any) -> None:
        with self.lock:
            self.raw.pop(key, None)
            dict.__delitem__(self, key)

    def __getitem__(self, key: Any) -> Any:
        if key in self.raw:
            self._materialise(key)
        return dict.__getitem__(self, key)

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self.raw:
            self._materialise(key)
        return dict.get(self, key, default)

    def pop(self, key: Any, *default: Any) -> Any:
        if key in self.raw:
            self._materialise(key)
        return dict.pop(self, key, *default)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key in self.raw:
            self._materialise(key)
        return dict.setdefault(self, key, default)

    def clear(self) -> None:
        with self.lock:
            self.raw.clear()
            dict.clear(self)

    def __iter__(self) -> Iterator[Any]:
        # a custom __iter__ makes dict(d) and {**d} read through __getitem__
        return dict.__iter__(self)

    def keys(self):  # noqa: D102 - a dict's
        return dict.keys(self)

    def values(self):  # noqa: D102 - a dict's
        if self.raw:
            self.materialise_all()
        return dict.values(self)

    def items(self):  # noqa: D102 - a dict's
        if self.raw:
            self.materialise_all()
        return dict.items(self)

    def __eq__(self, other: object) -> bool:
        if self.raw:
            self.materialise_all()
        if isinstance(other, LazyDict) and other.raw:
            other.materialise_all()
        return dict.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def copy(self) -> dict[Any, Any]:
        if self.raw:
            self.materialise_all()
        return dict(dict.items(self))

    def __reduce__(self) -> tuple:
        # copies and pickles are plain dicts of built values (the lock does not travel)
        return (dict, (self.copy(),))

    def __deepcopy__(self, memo: dict) -> dict[Any, Any]:
        import copy

        return copy.deepcopy(self.copy(), memo)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} entries, {len(self.raw)} not yet read)"


class LazySet(MutableSet):
    """A set of strings part of which is read (by `pending()`) only when first needed.

    Adding does not need the pending part (a set union does not care about order); any
    question about membership, size or contents reads it first.
    """

    __slots__ = ("_items", "_pending", "_lock")

    def __init__(self, items: Iterable[str] = ()) -> None:
        self._items: set[str] = set(items)
        self._pending: Callable[[], Iterable[str]] | None = None
        self._lock = threading.Lock()

    def defer(self, pending: Callable[[], Iterable[str]]) -> None:
        """Read `pending()` into the set the first time anything asks about it."""
        self._pending = pending

    @property
    def loaded(self) -> bool:
        return self._pending is None

    def _load(self) -> set[str]:
        with self._lock:
            pending, self._pending = self._pending, None
            if pending is not None:
                self._items.update(pending())
        return self._items

    def _all(self) -> set[str]:
        return self._items if self._pending is None else self._load()

    def __contains__(self, item: object) -> bool:
        return item in (self._items if self._pending is None else self._load())

    def holds_read(self, item: object) -> bool:
        """Membership in what is read so far (the whole set once loaded): for a caller
        that knows `item` cannot be in the part not yet read."""
        return item in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def add(self, value: str) -> None:
        self._items.add(value)

    def discard(self, value: str) -> None:
        self._all().discard(value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazySet):
            return self._all() == other._all()
        if isinstance(other, (set, frozenset)):
            return self._all() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple:
        return (set, (set(self._all()),))

    def __deepcopy__(self, memo: dict) -> set[str]:
        return set(self._all())

    def __repr__(self) -> str:
        return f"LazySet({len(self._items)} read{', more not yet read' if self._pending else ''})"
