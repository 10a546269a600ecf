"""The '/' filter: free words plus `sev:1`, `status:triggered`, `service:payments`.

Words are matched case-insensitively against id, title, service and assignee; all words
and all fields must match (AND). A field given twice accepts either value (OR).
"""

from __future__ import annotations

from dataclasses import dataclass, field

FIELDS = ("sev", "status", "service")
_STATUS_ALIASES = {
    "trig": "triggered",
    "triggered": "triggered",
    "ack": "acknowledged",
    "acked": "acknowledged",
    "acknowledged": "acknowledged",
    "res": "resolved",
    "resolved": "resolved",
    "open": "open",
}


@dataclass(frozen=True)
class Filter:
    """A parsed filter; the empty filter matches everything."""

    words: tuple[str, ...] = ()
    sevs: frozenset[int] = frozenset()
    statuses: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    problems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def empty(self) -> bool:
        return not (self.words or self.sevs or self.statuses or self.services)

    def matches(self, row) -> bool:
        """`row` is a `view_model.IncidentRow`."""
        if self.sevs and row.severity not in self.sevs:
            return False
        if self.statuses:
            wanted = set(self.statuses)
            if "open" in wanted:
                wanted |= {"triggered", "acknowledged"}
            if row.status not in wanted:
                return False
        if self.services and (row.service or "").lower() not in self.services:
            return False
        if self.words:
            hay = row.search_text
            return all(w in hay for w in self.words)
        return True


def parse_filter(text: str) -> Filter:
    """Read the filter line; unknown values are reported in `problems`, never raised."""
    words: list[str] = []
    sevs: set[int] = set()
    statuses: set[str] = set()
    services: set[str] = set()
    problems: list[str] = []
    for token in text.split():
        key, colon, value = token.partition(":")
        key = key.lower()
        if colon and key in FIELDS:
            v = value.lower()
            if key == "sev":
                digits = v[3:] if v.startswith("sev") else v
                if digits.isdigit() and 1 <= int(digits) <= 5:
                    sevs.add(int(digits))
                else:
                    problems.append(f"sev:{value} is not a severity (sev:1 to sev:5)")
            elif key == "status":
                if v in _STATUS_ALIASES:
                    statuses.add(_STATUS_ALIASES[v])
                else:
                    problems.append(
                        f"status:{value} is not a status (triggered, acknowledged, resolved, open)"
                    )
            elif v:
                services.add(v)
        else:
            words.append(token.lower())
    return Filter(
        tuple(words), frozenset(sevs), frozenset(statuses), frozenset(services), tuple(problems)
    )
