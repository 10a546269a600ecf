"""The alert book: which alerts are open, by dedup key, and which incident holds them.

It is part of `State` (folded from the timeline like everything else) and holds only
what dedup and grouping need: open alerts (triggered or suppressed) by key, the open keys
of each incident, the grouping slots that new alerts may join, and the sender's time of
each key's last resolve (to spot a firing notification that arrives after its resolve).

Entries are immutable and a book can have a child that records changes without touching
its parent: intake folds its own events into a child to see the effect of the earlier
alerts of one body on the later ones, and stays a pure function of the state it was given.
This module imports nothing from the rest of the console so that `model.py` can use it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

# kinds this book folds; every other kind leaves it alone
BOOK_KINDS = frozenset(
    {
        "opened",
        "alert_triggered",
        "alert_updated",
        "alert_suppressed",
        "alert_resolved",
        "alert_dropped",
        "resolved",
        "merged_into",
    }
)

# how many resolve times to remember for out-of-order checks (oldest forgotten first)
RESOLVED_MEMORY = 100_000

_GONE = object()  # a child's marker for "deleted here, whatever the parent says"
_UNREAD = object()  # put_entry's "look the old entry up yourself"


@dataclass(frozen=True, init=False)
class AlertEntry:
    """One open alert. `incident` is None while the alert is suppressed."""

    key: str
    incident: str | None
    service: str | None
    status: str  # "triggered" | "suppressed"
    summary: str
    severity: str
    count: int
    first_at: Any  # DateTime
    last_at: Any  # DateTime
    started_at: str | None = None  # the sender's start time (Alertmanager startsAt)

    def __init__(
        self,
        key: str,
        incident: str | None,
        service: str | None,
        status: str,
        summary: str,
        severity: str,
        count: int,
        first_at: Any,
        last_at: Any,
        started_at: str | None = None,
    ) -> None:
        # the fields straight into the instance's dict: a frozen dataclass's own __init__
        # sets each through object.__setattr__, three times the cost, and every alert
        # makes two entries (intake's scratch book, then the store's)
        d = self.__dict__
        d["key"] = key
        d["incident"] = incident
        d["service"] = service
        d["status"] = status
        d["summary"] = summary
        d["severity"] = severity
        d["count"] = count
        d["first_at"] = first_at
        d["last_at"] = last_at
        d["started_at"] = started_at


@dataclass(frozen=True)
class GroupSlot:
    """An open incident that new alerts of one service (and content) may join."""

    incident: str
    opened_at: Any  # DateTime


class AlertBook:
    """Open alerts by dedup key; a child book layers changes over its parent."""

    def __init__(self, parent: AlertBook | None = None) -> None:
        self._parent = parent
        self._entries: dict[str, Any] = {}
        # the open keys of each incident. A root book keeps one set per incident and
        # changes it in place (an incident may hold thousands of alerts: copying its set
        # on every new alert would make a storm quadratic); a child keeps only what it
        # added to and removed from its parent's view
        self._keys: dict[str, set[str]] = {}
        self._keys_added: dict[str, set[str]] = {}
        self._keys_removed: dict[str, set[str]] = {}
        self._groups: dict[str, Any] = {}
        # the grouping tokens each incident holds (in this layer), so resolving an
        # incident finds its slots without looking at every open group
        self._tokens: dict[str, set[str]] = {}
        self._resolved: dict[str, Any] = {}

    def child(self) -> AlertBook:
        """A scratch book over this one: reads fall through, writes stay in the child."""
        return AlertBook(self)

    # -- reads ------------------------------------------------------------------------

    def _read(self, table: str, key: str) -> Any:
        book: AlertBook | None = self
        while book is not None:
            layer = getattr(book, table)
            if key in layer:
                value = layer[key]
                return None if value is _GONE else value
            book = book._parent
        return None

    def entry(self, key: str) -> AlertEntry | None:
        # `_read` spelled out: the lookup every alert makes, often twice
        book: AlertBook | None = self
        while book is not None:
            layer = book._entries
            if key in layer:
                value = layer[key]
                return None if value is _GONE else value
            book = book._parent
        return None

    def keys_of(self, incident: str) -> frozenset[str]:
        """The open keys of an incident (a copy: folding may change the book meanwhile)."""
        if self._parent is None:
            return frozenset(self._keys.get(incident, ()))
        keys = self._parent.keys_of(incident)
        removed = self._keys_removed.get(incident)
        added = self._keys_added.get(incident)
        if removed:
            keys = keys - removed
        return keys | added if added else keys

    def has_keys(self, incident: str) -> bool:
        """Whether an incident holds any open alert (without copying its keys)."""
        return self._key_count(incident) > 0

    def _key_count(self, incident: str) -> int:
        if self._parent is None:
            return len(self._keys.get(incident, ()))
        return (
            self._parent._key_count(incident)
            + len(self._keys_added.get(incident, ()))
            - len(self._keys_removed.get(incident, ()))
        )

    def _holds_key(self, incident: str, key: str) -> bool:
        book: AlertBook | None = self
        while book is not None:
            if book._parent is None:
                return key in book._keys.get(incident, ())
            if key in book._keys_added.get(incident, ()):
                return True
            if key in book._keys_removed.get(incident, ()):
                return False
            book = book._parent
        return False

    def _add_key(self, incident: str, key: str) -> None:
        if self._parent is None:
            keys = self._keys.get(incident)
            if keys is None:
                self._keys[incident] = {key}
            else:
                keys.add(key)
            return
        removed = self._keys_removed.get(incident)
        if removed and key in removed:
            removed.discard(key)  # the parent holds it: removing the removal restores it
        elif not self._parent._holds_key(incident, key):
            self._keys_added.setdefault(incident, set()).add(key)

    def _remove_key(self, incident: str, key: str) -> None:
        if self._parent is None:
            keys = self._keys.get(incident)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._keys[incident]
            return
        added = self._keys_added.get(incident)
        if added and key in added:
            added.discard(key)
        elif self._parent._holds_key(incident, key):
            self._keys_removed.setdefault(incident, set()).add(key)

    def group(self, token: str) -> GroupSlot | None:
        return self._read("_groups", token)

    def resolved_source_time(self, key: str) -> str | None:
        return self._read("_resolved", key)

    def open_entries(self) -> list[AlertEntry]:
        """Every open alert (root books only: a child lists its parent's view merged)."""
        merged: dict[str, Any] = {}
        chain: list[AlertBook] = []
        book: AlertBook | None = self
        while book is not None:
            chain.append(book)
            book = book._parent
        for layer in reversed(chain):
            merged.update(layer._entries)
        return [e for e in merged.values() if e is not _GONE]

    def __len__(self) -> int:
        return len(self.open_entries()) if self._parent else len(self._entries)

    # -- as a snapshot row ---------------------------------------------------------------

    def to_row(self, fmt: Any) -> dict[str, Any]:
        """A root book as JSON types (`fmt` writes a DateTime), for a store's snapshot."""
        assert self._parent is None, "only a root book is stored"
        return {
            "entries": [
                [
                    e.key,
                    e.incident,
                    e.service,
                    e.status,
                    e.summary,
                    e.severity,
                    e.count,
                    fmt(e.first_at),
                    fmt(e.last_at),
                    e.started_at,
                ]
                for e in self._entries.values()
            ],
            "groups": [[t, s.incident, fmt(s.opened_at)] for t, s in self._groups.items()],
            # in order: the oldest is forgotten first
            "resolved": list(self._resolved.items()),
        }

    @classmethod
    def from_row(cls, row: dict[str, Any], parse: Any) -> AlertBook:
        """The inverse of `to_row` (`parse` reads a DateTime back)."""
        book = cls()
        for key, inc, service, status, summary, severity, count, first, last, started in row.get(
            "entries", ()
        ):
            book.put_entry(
                key,
                AlertEntry(
                    key,
                    inc,
                    service,
                    status,
                    summary,
                    severity,
                    count,
                    parse(first),
                    parse(last),
                    started,
                ),
            )
        for token, inc, opened_at in row.get("groups", ()):
            book.put_group(token, GroupSlot(inc, parse(opened_at)))
        book._resolved.update((k, t) for k, t in row.get("resolved", ()))
        return book

    # -- writes -------------------------------------------------------------------------

    def _write(self, table: str, key: str, value: Any) -> None:
        layer = getattr(self, table)
        if value is None:
            if self._parent is None:
                layer.pop(key, None)
            else:
                layer[key] = _GONE
        else:
            layer[key] = value

    def put_entry(self, key: str, entry: AlertEntry | None, before: Any = _UNREAD) -> None:
        """Open, change or (None) close the alert `key`; `before` is its entry if known."""
        if before is _UNREAD:
            before = self.entry(key)
        old = before.incident if before is not None else None
        new = entry.incident if entry is not None else None
        # an incident's keys change only here, so an alert that stays with its incident
        # is already among them
        if old != new:
            if old:
                self._remove_key(old, key)
            if new:
                self._add_key(new, key)
        # `_write` spelled out for the table every alert writes
        if entry is not None:
            self._entries[key] = entry
        elif self._parent is None:
            self._entries.pop(key, None)
        else:
            self._entries[key] = _GONE

    def put_group(self, token: str, slot: GroupSlot | None) -> None:
        if self._parent is None:
            before = self._groups.get(token)
            if before is not None and (slot is None or slot.incident != before.incident):
                tokens = self._tokens.get(before.incident)
                if tokens is not None:
                    tokens.discard(token)
                    if not tokens:
                        del self._tokens[before.incident]
        # a child's index may keep a token whose slot moved on: `_drop_groups_of` checks
        if slot is not None:
            self._tokens.setdefault(slot.incident, set()).add(token)
        self._write("_groups", token, slot)

    def put_resolved(self, key: str, source_time: str) -> None:
        self._resolved.pop(key, None)  # re-insert so the newest is last
        self._resolved[key] = source_time
        if self._parent is None and len(self._resolved) > RESOLVED_MEMORY:
            self._resolved.pop(next(iter(self._resolved)))

    def _drop_groups_of(self, incident: str) -> None:
        tokens: set[str] = set()
        book: AlertBook | None = self
        while book is not None:
            tokens.update(book._tokens.get(incident, ()))
            book = book._parent
        for token in tokens:
            if (slot := self.group(token)) is not None and slot.incident == incident:
                self.put_group(token, None)


def fold_alert_event(book: AlertBook, ev: Any) -> None:
    """Fold one timeline event into the book (duck-typed: kind, at, incident, data)."""
    kind = ev.kind
    if kind not in BOOK_KINDS:
        return
    d = ev.data
    if kind == "opened":
        if d.get("group"):
            book.put_group(d["group"], GroupSlot(incident=ev.incident, opened_at=ev.at))
        return
    if kind in ("resolved", "merged_into"):
        into = d.get("into") if kind == "merged_into" else None
        for key in book.keys_of(ev.incident):
            entry = book.entry(key)
            if entry is None:
                continue
            # resolving an incident resolves its alerts; a merge moves them
            book.put_entry(key, replace(entry, incident=into) if into else None)
        book._drop_groups_of(ev.incident)
        return
    key = d.get("dedup_key")
    if not key:
        return
    entry = book.entry(key)
    if kind == "alert_triggered" or (
        kind == "alert_suppressed" and (entry is None or entry.status != "suppressed")
    ):
        book.put_entry(
            key,
            AlertEntry(  # key, incident, service, status, summary, severity, count, first, last, started
                key,
                ev.incident,
                d.get("service"),
                "triggered" if kind == "alert_triggered" else "suppressed",
                d.get("summary", ""),
                d.get("severity", "critical"),
                1,
                ev.at,
                ev.at,
                d.get("started_at"),
            ),
            entry,
        )
    elif kind in ("alert_updated", "alert_suppressed"):
        if entry is None:
            return
        book.put_entry(
            key,
            AlertEntry(  # not dataclasses.replace: a storm of repeats makes many of these
                entry.key,
                entry.incident,
                entry.service,
                entry.status,
                d.get("summary") or entry.summary,
                d.get("severity") or entry.severity,
                entry.count + 1,
                entry.first_at,
                ev.at,
                entry.started_at,
            ),
            entry,
        )
    elif kind in ("alert_resolved", "alert_dropped"):
        if kind == "alert_resolved" and entry is not None:
            book.put_entry(key, None, entry)
        if d.get("source_time"):
            book.put_resolved(key, d["source_time"])
